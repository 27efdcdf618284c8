"""Webhooks in the real mode: a status change committed here (PostgreSQL), the
delivery published to Redis, made by a separate Celery worker process to a real
local receiver, signed; a 500 answered first is retried by the worker after its
backoff (a countdown the broker holds).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/integration/test_webhooks_worker.py -q
"""

from __future__ import annotations

import pytest

from claims import services
from claims.models import DeliveryState, WebhookDelivery
from tests.factories import ClaimFactory, checker, editor
from tests.integration.conftest import wait_for
from tests.services.test_webhooks import receiver, verify  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webhook_worker(broker, start_worker, monkeypatch, settings):
    """A worker (and this process) that may post to 127.0.0.1, retrying after 1 s."""
    for name, value in {
        "WEBHOOK_ALLOW_HTTP": "1",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "1",
        "WEBHOOK_BACKOFF_BASE": "1",
    }.items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, type(getattr(settings, name))(value))
    return start_worker()


def test_a_worker_delivers_a_signed_status_change_and_retries_a_500(receiver, webhook_worker):  # noqa: F811
    endpoint = services.webhook_endpoint_create(
        url=receiver.url, events=["claim.status_changed"], owner=editor()
    )
    receiver.answers = [500]
    claim = ClaimFactory()
    services.claim_transition(
        claim=claim, to_status="in_progress", user=checker(), expected_version=1
    )  # autocommit: the delivery is published as the change commits

    def delivered():
        d = WebhookDelivery.objects.get()
        return d if d.state == DeliveryState.SUCCEEDED else None

    delivery = wait_for(delivered, 60, "the worker to deliver the webhook")
    assert delivery.attempts == 2
    assert list(delivery.tries.values_list("status", flat=True)) == [500, 200]
    first, second = receiver.got
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"] == str(delivery.event_id)
    assert verify(endpoint.secret, second.headers, second.body)
    assert second.json["data"]["claim"]["status"] == "in_progress"
    assert "claims.tasks.webhook_deliver" in webhook_worker.output()
