"""Articles: ingest (text, file or URL), queueing their analysis, re-analysis and
the seed articles.

The analysis is put on the broker only after the commit (see
claims.services.pipeline.run_queue), so a worker always finds the row and the run
id it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims import analysis
from claims.domain import content_hash
from claims.ingest import IngestError, text_from_upload, text_from_url
from claims.models import Article
from claims.services import pipeline


@dataclass
class IngestResult:
    article: Article
    created: bool
    # False when the broker could not be reached: the article is stored as
    # queued and requeue_stale (or Celery beat) starts it later.
    enqueued: bool | None

    @property
    def message(self) -> str:
        if not self.created:
            return "This article was already in the tracker."
        if self.enqueued is False:
            return (
                "Article saved; the analysis queue is unreachable, it will start when it is back."
            )
        return "Article saved; analysis queued."


# --- Ingest ------------------------------------------------------------------------


def article_ingest(
    *,
    text: str | None = None,
    upload=None,
    url: str | None = None,
    user=None,
) -> IngestResult:
    """Store an article from pasted text, an uploaded file or a URL, and queue
    its analysis after the commit. The same text twice returns the first article.

    Raises IngestError (nothing stored) for unusable input.
    """
    given = [x for x in (text, upload, url) if x not in (None, "")]
    if len(given) != 1:
        raise IngestError("Give exactly one of: pasted text, a file, or a URL.")
    source_url = ""
    if upload is not None:
        text = text_from_upload(upload, max_bytes=settings.INGEST_MAX_BYTES)
    elif url:
        text, source_url = text_from_url(url), url
    text = _checked_text(text)
    digest = content_hash(text)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is not None:
        return IngestResult(existing, created=False, enqueued=None)
    meta = analysis.parse_header(text)
    with transaction.atomic():
        article, created = Article.objects.get_or_create(
            content_hash=digest,
            defaults=dict(
                raw_text=text,
                source_url=source_url,
                created_by=user if getattr(user, "is_authenticated", False) else None,
                **_meta_fields(meta),
            ),
        )
        if not created:  # a concurrent ingest of the same text won
            return IngestResult(article, created=False, enqueued=None)
        outcome = _queue(article)
    return IngestResult(article, created=True, enqueued=outcome.get("enqueued"))


def _checked_text(text: str | None) -> str:
    if text is None:
        raise IngestError("The article is empty.")
    text = analysis.normalise_newlines(text)
    size = len(text.encode("utf-8"))
    if size > settings.INGEST_MAX_BYTES:
        raise IngestError(
            f"The article is {size:,} bytes; the limit is {settings.INGEST_MAX_BYTES:,} bytes."
        )
    try:
        return analysis.check_text(text)
    except analysis.InputError as exc:
        raise IngestError(f"The article cannot be analysed: {exc}.") from None


def _meta_fields(meta) -> dict:
    return {
        "title": (meta.title or "")[:500],
        "author": (meta.author or "")[:300],
        "publication": (meta.publication or "")[:300],
        "dateline": (meta.dateline or "")[:200],
        "published_at": _published_at(meta.published),
        "body_offset": meta.body_start,
    }


def _published_at(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


# --- Queueing the analysis ---------------------------------------------------------


def _publish(article_id: int, run_id: str) -> bool:
    # Looked up at call time, not imported at load: claims.tasks imports the
    # pipeline (a worker imports the tasks first, and would find this module
    # half-loaded), and tests replace claims.tasks.start_pipeline.
    from claims.tasks import start_pipeline

    return start_pipeline(article_id, run_id)


def _queue(article: Article) -> dict:
    """Queue the article under a new run id; the broker gets it after the commit."""
    return pipeline.run_queue(article=article, publish=_publish)


def article_enqueue(*, article: Article) -> bool | None:
    """Queue (again) the analysis of an article. True if the broker took it,
    False if it is unreachable (the article stays queued), None inside an
    outer transaction that has not committed yet."""
    with transaction.atomic():
        outcome = _queue(article)
    return outcome.get("enqueued")


def articles_requeue_stale(*, older_than: timedelta | None = None) -> list[int]:
    """Re-enqueue articles stuck in queued or running: the broker was down at
    ingest, or a worker died and its task was lost."""
    return pipeline.runs_requeue_stale(publish=_publish, older_than=older_than)


# --- Re-analysis and seeds ---------------------------------------------------------


def article_reanalyze(*, article: Article) -> bool | None:
    """Analyse again (after a lexicon or policy change, or on request). Claims
    people worked on are kept; see pipeline._save_claims."""
    return article_enqueue(article=article)


def seeds_load(*, directory: Path, user=None) -> list[IngestResult]:
    """Ingest every .txt article in ``directory`` (idempotent: known texts are skipped)."""
    results = []
    for path in sorted(Path(directory).glob("*.txt")):
        results.append(article_ingest(text=path.read_text(encoding="utf-8"), user=user))
    return results
