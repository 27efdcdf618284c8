"""Webhooks: other newsroom systems hear what happens here.

Editors register endpoints (an https URL and the events it wants). The services
where things happen (the pipeline, the workflow, matching) call
``webhooks_emit``, which writes one WebhookDelivery per subscribed endpoint in
the caller's transaction and, after the commit, puts each on the light
``default`` queue. The task (claims.tasks.webhook_deliver) makes one signed POST
per try (claims.services.webhook_delivery), through the same private-address
protection as URL ingest; network errors, 5xx and 429 are tried again with
exponential backoff, other answers end the delivery. Every try is a
WebhookAttempt row that editors see.

Emission never breaks or slows the action that caused it: without an active
endpoint it costs a cache read; with endpoints, the rows are written in a
savepoint and any error is logged, never raised.

A payload holds what the endpoint owner's role may read now (their view_*
permissions), never an article's text or the engine's data.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from claims import ingest
from claims.models import (
    VERDICTS,
    Article,
    Claim,
    ClaimMatch,
    DeliveryState,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from claims.services.webhook_delivery import webhook_delivery_publish

log = logging.getLogger(__name__)

ANY_ACTIVE_KEY = "webhooks:any-active"
ANY_ACTIVE_SECONDS = 30
MANAGE = "claims.change_webhookendpoint"
_URL = URLValidator(schemes=["http", "https"])


class WebhookError(ValueError):
    """A refused registration or action; the message is for the user, ``field``
    the input it is about."""

    def __init__(self, message: str, field: str = "non_field_errors"):
        super().__init__(message)
        self.field = field


class WebhookNotPermitted(WebhookError):
    """The user's role may not do this."""


# --- Endpoints -------------------------------------------------------------------------


def webhook_url_check(url: str) -> str:
    """The URL if deliveries may go there: https (http only with WEBHOOK_ALLOW_HTTP),
    a host that resolves, and only to public addresses (unless
    WEBHOOK_ALLOW_PRIVATE_URLS). Checked again at every delivery: DNS may change."""
    url = (url or "").strip()
    try:
        _URL(url)
    except ValidationError:
        raise WebhookError(
            "Enter a valid URL, such as https://cms.example/hooks/claims.", "url"
        ) from None
    scheme = url.split("://", 1)[0].lower()
    if scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        raise WebhookError("Webhook endpoints must use https://.", "url")
    try:
        ingest.check_host(
            url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_URLS, timeout=settings.WEBHOOK_TIMEOUT
        )
    except ingest.IngestError as exc:
        raise WebhookError(str(exc), "url") from None
    return url


def _events_check(events) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise WebhookError(f"Unknown events: {', '.join(map(str, unknown))}.", "events")
    if not chosen:
        raise WebhookError("Choose at least one event.", "events")
    return chosen


def _may_manage(user) -> None:
    if not user.has_perm(MANAGE):
        raise WebhookNotPermitted("Only editors manage webhooks.")


def webhook_endpoint_create(
    *, url: str, events: list[str], owner, description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint with a new secret (shown to its owner; kept as is,
    because signing needs it). Its payloads hold what ``owner`` may read.
    WebhookError if the owner already has an active endpoint at that URL: two
    would receive every event twice (a form sent twice, say)."""
    _may_manage(owner)
    url = webhook_url_check(url)
    webhook_url_unique_check(url=url, owner=owner)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on
            endpoint = WebhookEndpoint.objects.create(
                url=url,
                events=_events_check(events),
                description=(description or "")[:300],
                secret=secrets.token_urlsafe(32),
                owner=owner,
            )
    except IntegrityError:  # the same request twice at once: the other one made it
        raise _duplicate(url=url, owner=owner) from None
    _forget_active()
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, user, **fields) -> WebhookEndpoint:
    """Change any of url, events, description, active (checked as at registration)."""
    _may_manage(user)
    if "url" in fields:
        fields["url"] = webhook_url_check(fields["url"])
    if fields.get("active", endpoint.active) and ("url" in fields or "active" in fields):
        webhook_url_unique_check(
            url=fields.get("url", endpoint.url), owner=endpoint.owner, exclude=endpoint.pk
        )
    if "events" in fields:
        fields["events"] = _events_check(fields["events"])
    if "description" in fields:
        fields["description"] = (fields["description"] or "")[:300]
    for name, value in fields.items():
        setattr(endpoint, name, value)
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError:  # another active endpoint at that URL was stored meanwhile
        endpoint.refresh_from_db()
        raise _duplicate(url=fields.get("url", endpoint.url), owner=endpoint.owner) from None
    _forget_active()
    return endpoint


def webhook_url_unique_check(*, url: str, owner, exclude: int | None = None) -> None:
    """WebhookError unless ``url`` is free for another active endpoint of ``owner``
    (the forms ask first, to show the refusal on the field)."""
    other = (
        WebhookEndpoint.objects.filter(owner=owner, url=url, active=True)
        .exclude(pk=exclude)
        .only("pk")
        .first()
    )
    if other is not None:
        raise _duplicate(url=url, owner=owner, other=other)


def _duplicate(*, url: str, owner, other: WebhookEndpoint | None = None) -> WebhookError:
    if other is None:
        other = WebhookEndpoint.objects.filter(owner=owner, url=url, active=True).first()
    which = f" (endpoint {other.pk})" if other is not None else ""
    return WebhookError(
        f"You already have an active endpoint at this URL{which}: "
        "edit its events instead of adding another.",
        "url",
    )


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, user) -> None:
    """Delete an endpoint with its delivery log."""
    _may_manage(user)
    endpoint.delete()
    _forget_active()


def webhook_secret_for(*, endpoint: WebhookEndpoint, user) -> str:
    """The secret, to its owner only (others manage the endpoint without it)."""
    if endpoint.owner_id != user.pk:
        raise WebhookNotPermitted("Only the endpoint's owner can see its secret.")
    return endpoint.secret


def _forget_active() -> None:
    try:
        cache.delete(ANY_ACTIVE_KEY)
    except Exception:  # a cache outage: the key expires by itself
        log.warning("webhooks: could not clear the active-endpoint flag", exc_info=True)


def _any_active() -> bool:
    """Whether any endpoint is active, from the cache (ANY_ACTIVE_SECONDS): an event
    with no endpoint costs no query. Every change here clears the flag; another
    process with a per-process cache sees a new endpoint within the TTL."""
    try:
        known = cache.get(ANY_ACTIVE_KEY)
    except Exception:
        known = None
    if known is not None:
        return known
    with transaction.atomic():  # a savepoint: a failure must not break the caller's transaction
        known = WebhookEndpoint.objects.filter(active=True).exists()
    try:
        cache.set(ANY_ACTIVE_KEY, known, ANY_ACTIVE_SECONDS)
    except Exception:  # the next event asks the database again
        log.warning("webhooks: could not cache the active-endpoint flag", exc_info=True)
    return known


# --- Emission --------------------------------------------------------------------------


def webhooks_emit(*, event: str, obj, change: StatusChange | None = None) -> int:
    """Record ``event`` about ``obj`` (an Article, a Claim with its StatusChange
    ``change``, or a ClaimMatch) for every active endpoint that wants it; each
    delivery is queued after the commit. Returns the number of deliveries.
    Never raises: an error is logged, and the action that caused the event stands."""
    try:
        if not _any_active():
            return 0
        with transaction.atomic():  # savepoint: a failure here leaves the caller's writes
            ids = _deliveries_write(event, obj, change)
    except Exception:
        log.exception("webhooks: event %s not recorded", event)
        return 0
    if ids:
        transaction.on_commit(partial(_publish_all, ids))
    return len(ids)


def _deliveries_write(event: str, obj, change) -> list[int]:
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True, owner__is_active=True).select_related(
            "owner"
        )
        if event in e.events
    ]
    if not endpoints:
        return []
    event_id, now = uuid.uuid4(), timezone.now()
    readers: dict[int, frozenset] = {}  # each owner's permissions, read once
    documents: dict[frozenset, dict | None] = {}  # one document per set of permissions
    rows = []
    for endpoint in endpoints:
        if endpoint.owner_id not in readers:
            readers[endpoint.owner_id] = _reader(endpoint.owner)
        perms = readers[endpoint.owner_id]
        if perms not in documents:
            documents[perms] = _data(event, obj, change, perms)
        data = documents[perms]
        if data is None:  # the owner may not read this kind of object at all
            continue
        payload = {"id": str(event_id), "event": event, "created_at": _when(now), "data": data}
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                event_id=event_id,
                payload=payload,
                next_attempt_at=now,
            )
        )
    return [d.pk for d in WebhookDelivery.objects.bulk_create(rows)]


def _publish_all(ids: list[int]) -> None:
    for delivery_id in ids:
        webhook_delivery_publish(delivery_id=delivery_id)


# --- Payloads: what the owner may read -------------------------------------------------

_READS = (
    "claims.view_article",
    "claims.view_claim",
    "claims.view_statuschange",
    "claims.view_factcheck",
)


def _reader(user) -> frozenset:
    return frozenset(p for p in _READS if user.has_perm(p))


def _when(value) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _data(event: str, obj, change, perms: frozenset) -> dict | None:
    if event in (WebhookEvent.ARTICLE_ANALYSED, WebhookEvent.ARTICLE_FAILED):
        if "claims.view_article" not in perms:
            return None
        return {"article": _article_doc(obj)}
    if "claims.view_claim" not in perms:
        return None
    if event == WebhookEvent.CLAIM_MATCHED:
        return _match_doc(obj, perms)
    data = {"claim": _claim_doc(obj, perms)}
    if change is not None and "claims.view_statuschange" in perms:
        data["change"] = {
            "from": change.from_status,
            "to": change.to_status,
            "note": change.note,
            "by": change.user.get_username() if change.user_id else None,
            "at": _when(change.created_at),
        }
    return data


def _article_doc(article: Article) -> dict:
    # Never raw_text (the article itself) nor analysis_data: metadata and state only.
    return {
        "id": article.pk,
        "url": _link(f"/articles/{article.pk}/"),
        "title": article.title,
        "author": article.author,
        "publication": article.publication,
        "published_at": _when(article.published_at),
        "source_url": article.source_url or None,
        "state": article.state,
        "error": article.error,
        "times_analyzed": article.times_analyzed,
        "claims": article.claims.count(),
        "finished_at": _when(article.finished_at),
    }


def _claim_doc(claim: Claim, perms: frozenset) -> dict:
    doc = {
        "id": claim.pk,
        "url": _link(f"/claims/{claim.pk}/"),
        "article": claim.article_id,
        "text": claim.text,
        "kind": claim.kind,
        "source": {"text": claim.source_text, "type": claim.source_type},
        "sourcing_strength": claim.sourcing_strength,
        "confidence": {"score": claim.confidence_score, "level": claim.confidence_level or None},
        "checkworthiness": claim.checkworthiness,
        "status": claim.status,
        "verdict": claim.status if claim.status in VERDICTS else None,
        "dismiss_reason": claim.dismiss_reason,
        "assignee": claim.assignee.get_username() if claim.assignee_id else None,
        "due_at": _when(claim.due_at),
        "priority": claim.priority,
        "public_url": claim.public_url,
        "public_summary": claim.public_summary,
        "cluster_id": claim.cluster_id,
        "version": claim.version,
    }
    if "claims.view_article" in perms:
        doc["article_title"] = claim.article.title
    return doc


def _match_doc(match: ClaimMatch, perms: frozenset) -> dict:
    data = {
        "match": {"id": match.pk, "state": match.state, "score": match.score},
        "claim": _claim_doc(match.claim, perms),
    }
    if match.matched_claim_id:
        data["matched_claim"] = _claim_doc(match.matched_claim, perms)
    elif "claims.view_factcheck" in perms:
        fc = match.matched_factcheck
        data["matched_factcheck"] = {
            "id": fc.pk,
            "claim_text": fc.claim_text,
            "rating": fc.rating,
            "publisher": fc.publisher,
            "url": fc.url,
        }
    return data


# --- Events from the services ----------------------------------------------------------


def webhooks_article_finished(*, article_id: int) -> None:
    """The pipeline's call once an analysis is saved or has failed."""
    try:
        if not _any_active():
            return
        article = Article.objects.filter(pk=article_id).defer("raw_text", "analysis_data").first()
    except Exception:
        log.exception("webhooks: article %s not read for its event", article_id)
        return
    event = {"analyzed": WebhookEvent.ARTICLE_ANALYSED, "failed": WebhookEvent.ARTICLE_FAILED}
    if article is not None and article.state in event:
        webhooks_emit(event=event[article.state], obj=article)


def webhooks_status_changed(*, claim: Claim, change: StatusChange) -> None:
    """The workflow's call after a status change: claim.status_changed, and
    claim.verdict when the new status is a verdict."""
    webhooks_emit(event=WebhookEvent.CLAIM_STATUS_CHANGED, obj=claim, change=change)
    if change.to_status in VERDICTS:
        webhooks_emit(event=WebhookEvent.CLAIM_VERDICT, obj=claim, change=change)


def webhooks_matched(*, matches: list[ClaimMatch]) -> None:
    """Matching's call for an editor's confirmation (and the new suggestions)."""
    for match in matches:
        webhooks_emit(event=WebhookEvent.CLAIM_MATCHED, obj=match)


def webhooks_matches_found(*, claim_ids: list[int], since) -> None:
    """Matching's call after it suggested matches for ``claim_ids`` (written from
    ``since`` on): read back only when an endpoint is active."""
    try:
        if not _any_active():
            return
        matches = list(
            ClaimMatch.objects.filter(claim_id__in=claim_ids, created_at__gte=since).select_related(
                "claim__article", "claim__assignee", "matched_claim__article",
                "matched_claim__assignee", "matched_factcheck",
            )
        )  # fmt: skip
    except Exception:
        log.exception("webhooks: new matches not read for their events")
        return
    webhooks_matched(matches=matches)


def webhook_delivery_resend(*, delivery: WebhookDelivery, user) -> WebhookDelivery:
    """Try a delivery again now, with the same event id and payload (a new
    attempt on the same delivery; one more try is allowed past the limit)."""
    _may_manage(user)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, next_attempt_at=now, resends=F("resends") + 1
    )
    transaction.on_commit(partial(webhook_delivery_publish, delivery_id=delivery.pk))
    delivery.refresh_from_db()
    return delivery
