"""The admin of import batches: read-only, with each input's outcome inline."""

import pytest
from django.urls import reverse

from claims.models import ImportBatch, ImportBatchItem
from tests.factories import ArticleFactory, checker, editor

pytestmark = pytest.mark.django_db


def batch_with_items() -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind="command", source="wires/ <b>x</b>", total=2, created=1, failed=1, state="done"
    )
    article = ArticleFactory(title="Dam cracks")
    ImportBatchItem.objects.create(
        batch=batch, position=1, name="wires/a.txt", outcome="created", article=article
    )
    ImportBatchItem.objects.create(
        batch=batch, position=2, name="wires/<script>.txt", outcome="failed", error="input is empty"
    )
    return batch


def test_editors_read_batches_and_their_items(client):
    batch = batch_with_items()
    client.force_login(editor())
    listed = client.get(reverse("admin:claims_importbatch_changelist"))
    assert listed.status_code == 200 and b"wires/ &lt;b&gt;x&lt;/b&gt;" in listed.content
    page = client.get(reverse("admin:claims_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    assert b"wires/a.txt" in page.content and b"Dam cracks" in page.content
    assert b"wires/&lt;script&gt;.txt" in page.content and b"input is empty" in page.content
    assert b"<script>.txt" not in page.content
    # Read-only: no add, no change, no delete.
    assert client.get(reverse("admin:claims_importbatch_add")).status_code == 403
    client.post(reverse("admin:claims_importbatch_change", args=[batch.pk]), {"source": "x"})
    assert ImportBatch.objects.get(pk=batch.pk).source == "wires/ <b>x</b>"
    delete = reverse("admin:claims_importbatch_delete", args=[batch.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ImportBatchItem.objects.filter(batch=batch).count() == 2


def test_fact_checkers_do_not_see_batches_in_the_admin(client):
    batch_with_items()
    client.force_login(checker(is_staff=True))
    r = client.get(reverse("admin:claims_importbatch_changelist"))
    assert r.status_code == 403
