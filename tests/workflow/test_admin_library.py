"""The admin of the fact-check library (read-only, searchable) and of sources
(merge action for editors, history read-only)."""

import json
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from claims.models import Claim, FactCheck, Source, SourceChange
from claims.services.factcheck_documents import Document
from claims.services.factchecks import factchecks_import
from claims.services.sources import source_merge, sources_resolve
from tests.factories import ClaimFactory, checker, editor
from tests.services.test_factcheck_import import review

pytestmark = pytest.mark.django_db


def test_editors_search_and_filter_the_library_and_read_the_document(client):
    docs = [review(1), review(2, author={"name": "Other Desk"})]
    factchecks_import(documents=[Document("a.json", json.dumps(docs))], user=None)
    client.force_login(editor())
    url = reverse("admin:claims_factcheck_changelist")
    listed = client.get(url, {"q": "inspection (2)"})
    assert listed.status_code == 200
    assert b"inspection (2)" in listed.content and b"inspection (1)" not in listed.content
    by_publisher = client.get(url, {"publisher": "Fact Desk"})
    assert b"inspection (1)" in by_publisher.content
    assert b"inspection (2)" not in by_publisher.content
    one = FactCheck.objects.get(publisher="Fact Desk")
    page = client.get(reverse("admin:claims_factcheck_change", args=[one.pk]))
    assert page.status_code == 200
    assert b"&quot;claimReviewed&quot;: &quot;The dam passed" in page.content
    # Read-only: a POST changes nothing.
    before = FactCheck.objects.get(pk=one.pk).claim_text
    client.post(reverse("admin:claims_factcheck_change", args=[one.pk]), {"claim_text": "x"})
    assert FactCheck.objects.get(pk=one.pk).claim_text == before


def test_an_editor_merges_sources_in_the_admin(client):
    claims = [ClaimFactory(source_text="Ana Ruiz") for _ in range(2)]
    claims.append(ClaimFactory(source_text="Ruiz"))
    sources_resolve(claim_ids=[c.pk for c in claims])
    client.force_login(editor())
    url = reverse("admin:claims_source_changelist")
    ids = list(Source.objects.values_list("pk", flat=True))
    response = client.post(url, {"action": "merge_sources", "_selected_action": ids}, follow=True)
    assert b"Merged 1 source(s) into Ana Ruiz: Ruiz." in response.content
    ruiz = Source.objects.get(key="ana ruiz")
    assert Claim.objects.filter(source=ruiz).count() == 3
    assert SourceChange.objects.get().action == "merged"
    history = client.get(reverse("admin:claims_sourcechange_changelist"))
    assert history.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_merge_that_fails_is_reported_as_failed_not_merged(client):
    """Another editor merges one of the selected sources elsewhere while the action
    runs (it holds the source's row lock until the action waits for it): that one
    fails, and the message says so by name, where it said "Merged 2"."""
    names = {"Ana Ruiz": 3, "Ben Ortiz": 2, "Carla Diaz": 1, "Dan Ng": 1}
    claims = [ClaimFactory(source_text=n) for n, count in names.items() for _ in range(count)]
    sources_resolve(claim_ids=[c.pk for c in claims])
    ana, ben, carla, dan = (Source.objects.get(name=n) for n in names)
    other = editor(username="other")
    client.force_login(editor())
    locked = threading.Event()

    def merge_ben_meanwhile():
        try:
            with transaction.atomic():
                Source.objects.select_for_update().get(pk=ben.pk)
                locked.set()
                deadline = time.monotonic() + 30
                while not _a_session_waits_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.05)
                source_merge(source=ben, into=dan, user=other)
        finally:
            connection.close()

    meanwhile = threading.Thread(target=merge_ben_meanwhile, daemon=True)
    meanwhile.start()
    assert locked.wait(30)
    url = reverse("admin:claims_source_changelist")
    ids = [ana.pk, ben.pk, carla.pk]
    response = client.post(url, {"action": "merge_sources", "_selected_action": ids}, follow=True)
    meanwhile.join(30)
    said = [str(m) for m in response.context["messages"]]
    assert "Merged 1 source(s) into Ana Ruiz: Carla Diaz." in said, said
    assert any(m.startswith("Not merged: Ben Ortiz (") and "already merged" in m for m in said)
    assert not any("Merged 2" in m for m in said), said
    assert Source.objects.get(pk=carla.pk).merged_into_id == ana.pk
    assert Source.objects.get(pk=ben.pk).merged_into_id == dan.pk


def _a_session_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_the_merge_action_is_not_offered_without_the_permission(client):
    claims = [ClaimFactory(source_text=n) for n in ("Ana Ruiz", "Ruiz")]
    sources_resolve(claim_ids=[c.pk for c in claims])
    user = checker(is_staff=True)
    client.force_login(user)
    url = reverse("admin:claims_source_changelist")
    ids = list(Source.objects.values_list("pk", flat=True))
    client.post(url, {"action": "merge_sources", "_selected_action": ids})
    assert not SourceChange.objects.exists()
    assert Source.objects.filter(merged_into__isnull=True).count() == 2
