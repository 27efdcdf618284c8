"""Bulk import: many inputs ingested as one recorded batch (ImportBatch), by the
``ingest`` command and by ``POST /api/v1/articles/batch/``.

Every input goes through ``article_ingest``, the same door as one pasted article:
the same checks and limits, the same duplicate detection (the content hash), and
the analysis queued on the workers as each article is committed. So a batch
needs no queue of its own: its articles are analysed while the rest are still
being read, and its progress is read from the articles' own states.

A URL whose exact string is the ``source_url`` of an article already here counts
as a duplicate of that article without being fetched again: running the same
URL list twice creates nothing and costs no request (an article whose fetch
failed is fetched again by re-analysis, not by importing it again).

Each input's outcome is its own transaction (the item row, the batch's totals and
the article together), so an error in one input never stops or undoes the others,
and an interrupted import leaves a batch that says how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.domain import content_hash
from claims.ingest import IngestError, article_fields, check_url, checked_text, text_from_paste
from claims.models import Article, ImportBatch, ImportBatchItem, ImportBatchState, ImportOutcome
from claims.services.articles import article_ingest
from claims.services.batch_inputs import BatchInput
from claims.services.versions import article_of_url, article_version_target

COUNTERS = {
    ImportOutcome.CREATED: "created",
    ImportOutcome.DUPLICATE: "duplicates",
    ImportOutcome.VERSION: "versions",
    ImportOutcome.FAILED: "failed",
}


@dataclass(frozen=True)
class ItemResult:
    """What became (or, in a dry run, would become) of one input."""

    position: int
    name: str
    outcome: str  # an ImportOutcome value
    error: str = ""
    article_id: int | None = None
    fetching: bool = False  # a URL article: its page is fetched before the analysis
    # Whether the broker took the article's work: False when it was unreachable (the
    # article stays queued until requeue_stale); None when nothing was queued.
    enqueued: bool | None = None


OnItem = Callable[[ItemResult], None]


def batch_create(*, user=None, kind: str, source: str, total: int) -> ImportBatch:
    """A new, running batch; ``user`` owns it (None for the command without --user)."""
    owner = user if getattr(user, "is_authenticated", False) else None
    return ImportBatch.objects.create(
        created_by=owner, kind=kind, source=source[:2000], total=total
    )


def batch_items_ingest(
    *, batch: ImportBatch, inputs: Iterable[BatchInput], on_item: OnItem | None = None
) -> ImportBatch:
    """Ingest every input in order, recording each outcome; ``on_item`` is told
    after each one (the command's progress). The batch is marked done at the end,
    or interrupted if something unexpected (a lost database) stops the loop."""
    try:
        for position, item in enumerate(inputs, 1):
            result = batch_item_ingest(batch=batch, position=position, item=item)
            if on_item is not None:
                on_item(result)
    except BaseException:  # KeyboardInterrupt too: the batch says where it stopped
        batch_finish(batch=batch, interrupted=True)
        raise
    return batch_finish(batch=batch)


def batch_item_ingest(*, batch: ImportBatch, position: int, item: BatchInput) -> ItemResult:
    """Ingest one input and record its outcome; an unusable input is a failed item."""
    try:
        text, url = item.load()
        if url is not None:
            url = check_url(url.strip())
            existing = _article_with_url(url)
            if existing is not None:
                return _record(batch, position, item.name, ImportOutcome.DUPLICATE, existing)
        else:
            text = _item_text(text)
    except IngestError as exc:
        return _record(batch, position, item.name, ImportOutcome.FAILED, error=str(exc))
    with transaction.atomic():
        if url is not None:
            result = article_ingest(url=url, user=batch.created_by)
        else:
            result = article_ingest(text=text, user=batch.created_by, title=item.title)
        if result.created:
            outcome = ImportOutcome.CREATED
        elif result.version is not None:
            outcome = ImportOutcome.VERSION
        else:
            outcome = ImportOutcome.DUPLICATE
        recorded = _record(batch, position, item.name, outcome, result.article)
    # Committed: the run was published (or not) as the transaction ended. A broker
    # that refused it is recorded on the item (rare: no write otherwise).
    if result.enqueued is False:
        ImportBatchItem.objects.filter(batch=batch, position=position).update(
            queue_unreachable=True
        )
    return replace(recorded, fetching=result.fetching, enqueued=result.enqueued)


def _item_text(text: str) -> str:
    """An input's text as article_ingest will store it: a page's source read as
    a pasted one is (the check and the dry run's duplicate look-up read its tags)."""
    return checked_text(text_from_paste(text))


def batch_item_check(*, position: int, item: BatchInput, seen: set[str]) -> ItemResult:
    """What ingesting the input would do, writing nothing (``--dry-run``): every
    check a real run makes, and the duplicate look-ups. ``seen`` holds the hashes
    and URLs met earlier in the same run, so that a repeat within it shows as a
    duplicate, as it would be."""
    try:
        text, url = item.load()
        if url is None:
            text = _item_text(text)
        key = check_url(url.strip()) if url is not None else content_hash(text)
    except IngestError as exc:
        return ItemResult(position, item.name, ImportOutcome.FAILED, error=str(exc))
    if url is not None:
        existing = _article_with_url(key)
    else:
        existing = Article.objects.filter(content_hash=key).only("pk").first()
    if existing is not None or key in seen:
        found = existing.pk if existing is not None else None
        return ItemResult(position, item.name, ImportOutcome.DUPLICATE, article_id=found)
    seen.add(key)
    if url is None:
        target = article_version_target(text=text, fields=article_fields(text))
        if target is not None:
            return ItemResult(position, item.name, ImportOutcome.VERSION, article_id=target.pk)
    return ItemResult(position, item.name, ImportOutcome.CREATED, fetching=url is not None)


def batch_finish(*, batch: ImportBatch, interrupted: bool = False) -> ImportBatch:
    """Mark the batch done (or interrupted); its totals are already counted."""
    batch.state = ImportBatchState.INTERRUPTED if interrupted else ImportBatchState.DONE
    batch.finished_at = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(state=batch.state, finished_at=batch.finished_at)
    batch.refresh_from_db(fields=["created", "duplicates", "versions", "failed"])
    return batch


def _article_with_url(url: str) -> Article | None:
    # The oldest (later ones with the same URL were made before this rule existed),
    # found through the source_url prefix index.
    return article_of_url(url=url)


def _record(
    batch: ImportBatch,
    position: int,
    name: str,
    outcome: str,
    article: Article | None = None,
    *,
    error: str = "",
) -> ItemResult:
    counter = COUNTERS[outcome]
    # An item's name is its path or URL as given: a NUL in it (PostgreSQL refuses one
    # in text) is stored as U+FFFD, the character for one that cannot be kept.
    name, error = name.replace("\x00", "\ufffd"), error.replace("\x00", "\ufffd")
    with transaction.atomic():
        ImportBatchItem.objects.create(
            batch=batch, position=position, name=name[:2100], outcome=outcome, error=error,
            article=article,
        )  # fmt: skip
        ImportBatch.objects.filter(pk=batch.pk).update(**{counter: F(counter) + 1})
    setattr(batch, counter, getattr(batch, counter) + 1)
    return ItemResult(position, name, outcome, error, article.pk if article else None)
