"""Two people saving the same claim: the second is refused, nothing is overwritten."""

import threading

import pytest
from django.db import connection

from claims.models import ClaimChange, ClaimStatus, Evidence, StatusChange
from claims.workflow import StaleVersion, claim_assign, claim_transition, evidence_add
from tests.at_once import at_once
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_evidence_sent_at_once_is_added_once():
    """A double click on "Add evidence" (or an API client's retry) added the link
    as many times as it was sent, each with its line in the claim's history."""
    claim = ClaimFactory()
    user = checker()
    added = at_once(
        lambda: (
            evidence_add(
                claim=type(claim).objects.get(pk=claim.pk),
                url="https://example.org/report",
                note="The ministry's report.",
                user=user,
            ).pk
        ),
        6,
    )
    assert len(added) == 6 and len(set(added)) == 1
    assert Evidence.objects.filter(claim=claim).count() == 1
    assert ClaimChange.objects.filter(claim=claim, action="evidence").count() == 1


@pytest.mark.django_db
def test_the_same_link_with_another_note_is_more_evidence():
    claim = ClaimFactory()
    user = checker()
    first = evidence_add(claim=claim, url="https://example.org/a", note="Page 3.", user=user)
    again = evidence_add(claim=claim, url="https://example.org/a", note="Page 3.", user=user)
    other = evidence_add(claim=claim, url="https://example.org/a", note="Page 9.", user=user)
    assert again.pk == first.pk and other.pk != first.pk
    assert Evidence.objects.filter(claim=claim).count() == 2
