"""Webhook deliveries: one signed POST per try, and where each delivery stands.

The task (claims.tasks.webhook_deliver) calls ``webhook_delivery_attempt``: the
try is claimed by a conditional update, made through claims.ingest.post_json (the
private-address protection of URL ingest, one deadline, no redirect), logged as a
WebhookAttempt, and settled: succeeded, retrying after an exponential backoff
(network errors, 5xx, 429), or failed (other answers, refused addresses, the
attempts used up). claims.services.webhooks records the deliveries; this module
imports nothing of it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from claims import ingest
from claims.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# The delivery task, looked up by name in Celery's registry rather than imported:
# claims.tasks imports the pipeline, which emits events through
# claims.services.webhooks, which publishes through this module, so any import of
# claims.tasks here (even at call time) would close an import circle.
# tests/services/test_webhooks.py checks that the name is the task's.
DELIVER_TASK = "claims.tasks.webhook_deliver"
EXCERPT_MAX = 2048  # of a response body, kept per try
PENDING, RETRYING = DeliveryState.PENDING, DeliveryState.RETRYING
SUCCEEDED, FAILED = DeliveryState.SUCCEEDED, DeliveryState.FAILED
UNSETTLED = "The attempts were used up; the last one was not settled."
TURNED_OFF = "The endpoint is turned off."


def webhook_delivery_publish(*, delivery_id: int, countdown: float | None = None) -> bool:
    """Put one delivery's next try on the broker. False if it is unreachable: the
    delivery stays due and the beat's sweep sends it later."""
    try:
        app = current_app
        if DELIVER_TASK not in app.tasks:
            app.loader.import_default_modules()  # a web process has not loaded the tasks yet
        app.tasks[DELIVER_TASK].apply_async((delivery_id,), countdown=countdown, ignore_result=True)
    except Exception as exc:
        log.warning("webhook delivery %s: not queued (%s); the sweep retries", delivery_id, exc)
        return False
    return True


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of "{timestamp}.{body}" under the secret:
    the Webhook-Signature header (the README shows a receiver's check)."""
    signed = timestamp.encode("ascii") + b"." + body
    return "v1=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _backoff(attempt: int) -> float:
    return settings.WEBHOOK_BACKOFF_BASE * 2 ** (attempt - 1)


def webhook_delivery_attempt(*, delivery_id: int) -> float | None:
    """One try of a delivery that is due. Returns the seconds until the next try
    when it failed in a way worth trying again, None otherwise (delivered, given
    up, not due, or another worker has it).

    The try is claimed with a conditional update that moves next_attempt_at past
    the try's timeout: a task delivered twice, or the beat's sweep, finds it not
    due and does nothing."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT + 60)
    claimed = (
        _due(now).filter(pk=delivery_id).update(next_attempt_at=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    status, excerpt, error, duration = _post(delivery)
    if not _log_try(delivery, now, status, excerpt, error, duration):
        excerpt = ""
    return _settle(delivery, status, excerpt, error)


def _log_try(delivery, now, status, excerpt: str, error: str, duration: int) -> bool:
    """Keep the try as a WebhookAttempt; False if the database refused it. The
    POST was made: the caller settles it all the same, or the delivery would stay
    leased and be posted again when the lease runs out."""
    try:
        # A savepoint: on PostgreSQL a failed insert would break an outer transaction.
        with transaction.atomic():
            WebhookAttempt.objects.create(
                delivery=delivery,
                number=delivery.attempts,
                at=now,
                status=status,
                duration_ms=duration,
                response_excerpt=excerpt,
                error=error,
            )
    except DatabaseError:
        log.exception("webhook delivery %s: try %s not logged", delivery.pk, delivery.attempts)
        return False
    return True


def _due(now):
    """Deliveries that may be tried now: pending or retrying, their time come, and
    attempts left (WEBHOOK_MAX_ATTEMPTS, one more per resend)."""
    return WebhookDelivery.objects.filter(
        state__in=[PENDING, RETRYING],
        next_attempt_at__lte=now,
        attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS + F("resends"),
    )


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str, int]:
    """(status, response excerpt, error, milliseconds) of one signed POST."""
    endpoint = delivery.endpoint
    started = time.monotonic()
    if not endpoint.active:
        return None, "", TURNED_OFF, 0
    body = webhook_body(delivery.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Webhook-Id": str(delivery.event_id),
        "Webhook-Timestamp": timestamp,
        "Webhook-Signature": webhook_signature(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
        "Webhook-Event": delivery.event,
    }
    try:
        if not endpoint.url.lower().startswith("https://") and not settings.WEBHOOK_ALLOW_HTTP:
            raise ingest.IngestError("Webhook endpoints must use https://.")
        result = ingest.post_json(
            endpoint.url,
            body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_private=settings.WEBHOOK_ALLOW_PRIVATE_URLS,
            max_response=EXCERPT_MAX,
        )
    except ingest.IngestError as exc:
        return None, "", str(exc)[:500], _ms(started)
    # A NUL in the answer ("accepted\x00thanks") is dropped: PostgreSQL's text
    # refuses it, and the try could not be logged.
    excerpt = ingest.storable_text(result.body.decode("utf-8", "replace"))[:EXCERPT_MAX]
    error = "" if 200 <= result.status < 300 else f"HTTP {result.status}"
    return result.status, excerpt, error, _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# Refusals that another try would meet again: not worth a retry.
_FINAL_ERRORS = {
    ingest.PRIVATE,
    "Webhook endpoints must use https://.",
    TURNED_OFF,
}


def _settle(delivery: WebhookDelivery, status, excerpt: str, error: str) -> float | None:
    now = timezone.now()
    fields = {"response_status": status, "response_excerpt": excerpt, "error": error}
    if status is not None and 200 <= status < 300:
        fields.update(state=SUCCEEDED, delivered_at=now, next_attempt_at=None)
        delay = None
    else:
        retryable = (status is None and error not in _FINAL_ERRORS) or (
            status is not None and (status >= 500 or status == 429)
        )
        allowed = settings.WEBHOOK_MAX_ATTEMPTS + delivery.resends
        if retryable and delivery.attempts < allowed:
            delay = _backoff(delivery.attempts)
            fields.update(state=RETRYING, next_attempt_at=now + timedelta(seconds=delay))
        else:
            delay = None
            fields.update(state=FAILED, next_attempt_at=None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if error != TURNED_OFF:  # an editor's choice, not the endpoint failing
        _endpoint_health(delivery.endpoint_id, fields["state"], error, now)
    return delay


def _endpoint_health(endpoint_id: int, state: str, error: str, now) -> None:
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint_id)
    if state == SUCCEEDED:
        endpoints.exclude(failing_since=None).update(failing_since=None, last_error="")
    else:
        # Every failed try's error, retried or not: "Failing since ..." shows the
        # latest one, not the error of the delivery that failed first.
        if state == FAILED:
            endpoints.filter(failing_since=None).update(failing_since=now)
        endpoints.update(last_error=error[:500])


def webhook_retry_schedule(*, delivery_id: int, delay: float) -> bool:
    """Queue the next try ``delay`` seconds from now, when the broker may hold it
    that long (Redis gives an unacknowledged task to another worker after the
    visibility timeout); a longer wait is left to the beat's sweep."""
    if delay > settings.CELERY_VISIBILITY_TIMEOUT / 2:
        return False
    return webhook_delivery_publish(delivery_id=delivery_id, countdown=delay or None)


def webhook_deliveries_due(*, limit: int = 500) -> list[int]:
    """Deliveries whose next try is due (the beat's sweep queues them): a retry
    longer than the broker should hold, or a publish the broker lost.

    A delivery whose lease ran out with its attempts used (its last try was made
    but never settled: a worker killed, a database error) is failed here, not
    tried again: the receiver would get the event past WEBHOOK_MAX_ATTEMPTS."""
    now = timezone.now()
    used_up = WebhookDelivery.objects.filter(
        state__in=[PENDING, RETRYING],
        next_attempt_at__lte=now,
        attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS + F("resends"),
    )
    for pk, endpoint_id in used_up.values_list("pk", "endpoint_id")[:limit]:
        # Row by row, on the same condition: a resend meanwhile keeps its delivery.
        if used_up.filter(pk=pk).update(state=FAILED, next_attempt_at=None, error=UNSETTLED):
            _endpoint_health(endpoint_id, FAILED, UNSETTLED, now)
    return list(_due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
