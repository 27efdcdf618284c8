"""Two people saving the same claim: the second is refused, nothing is overwritten."""

import threading

import pytest
from django.db import connection

from claims.models import ClaimStatus, StatusChange
from claims.workflow import StaleVersion, claim_assign, claim_transition
from tests.factories import ClaimFactory, checker, editor


@pytest.mark.django_db
def test_stale_version_names_who_changed_it():
    first, second = editor(), editor(username="editor2")
    claim = ClaimFactory()
    claim_transition(claim=claim, to_status="in_progress", user=first, expected_version=1)
    stale = ClaimFactory._meta.model.objects.get(pk=claim.pk)
    stale.version = 1
    with pytest.raises(StaleVersion, match="changed by editor at"):
        claim_assign(claim=stale, assignee=second, user=second, expected_version=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_requests_leave_exactly_one_change():
    """Two threads, two database connections, the same claim at version 1."""
    claim = ClaimFactory()
    users = [editor(), checker()]
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            claim_transition(
                claim=type(claim).objects.get(pk=claim.pk),
                to_status=ClaimStatus.IN_PROGRESS,
                user=user,
                expected_version=1,
            )
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "stale"]
    assert StatusChange.objects.filter(claim=claim).count() == 1
    claim.refresh_from_db()
    assert claim.version == 2
