"""The library's admin list: no ClaimReview documents read for the list, and
one COUNT, capped (a library of imported feeds grows to hundreds of thousands)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import FactCheck
from tests.factories import editor

pytestmark = pytest.mark.django_db


def test_the_library_list_reads_no_documents_and_counts_once(client):
    client.force_login(editor())
    FactCheck.objects.bulk_create(
        FactCheck(key=f"k{i}", claim_text=f"Claim {i}", publisher="P", document={"pad": "DOCMARK"})
        for i in range(5)
    )
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/admin/claims/factcheck/")
    assert r.status_code == 200 and "Claim 4" in r.content.decode()
    page = [q["sql"] for q in ctx.captured_queries if "claims_factcheck" in q["sql"]]
    assert not [sql for sql in page if '"claims_factcheck"."document"' in sql], page
    counts = [sql for sql in page if "COUNT(" in sql]
    assert len(counts) == 1 and "LIMIT" in counts[0], counts
    one = FactCheck.objects.get(key="k1")
    assert "DOCMARK" in client.get(f"/admin/claims/factcheck/{one.pk}/change/").content.decode()
