"""The history changelists (status changes, other changes, source changes) never
COUNT the whole table: no full count beside the filtered one, and the filtered
count capped (estimated past EstimatedCountPaginator.EXACT_UP_TO)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ClaimChange, StatusChange
from tests.factories import ClaimFactory, checker, editor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["statuschange", "claimchange", "sourcechange"])
def test_history_lists_count_no_more_than_they_must(client, model):
    client.force_login(editor())
    claim = ClaimFactory()
    StatusChange.objects.create(
        claim=claim, user=checker(), from_status="unstarted", to_status="in_progress"
    )
    ClaimChange.objects.create(claim=claim, user=checker(), action="assign")
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/admin/claims/{model}/")
    assert r.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1, counts
    assert "LIMIT" in counts[0], counts  # the capped count
