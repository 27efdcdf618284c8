"""Articles: ingest (text, file or URL), queueing their fetch and analysis,
re-analysis and the seed articles.

The analysis is put on the broker only after the commit (see
claims.services.pipeline.run_queue), so a worker always finds the row and the run
id it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from claims.domain import content_hash
from claims.ingest import (
    IngestError,
    article_fields,
    check_url,
    checked_text,
    text_from_paste,
    text_from_upload,
)
from claims.models import AnalysisState, Article
from claims.services import pipeline, versions


@dataclass
class IngestResult:
    article: Article
    created: bool
    # run_queue's outcome: filled in when the transaction commits and the run is
    # published (empty when nothing was queued). Read through ``enqueued``.
    outcome: dict = field(default_factory=dict, repr=False)
    # A URL: the page is fetched by a task, then analysed.
    fetching: bool = False
    # The number of the new version this ingest made of an existing article.
    version: int | None = None

    @property
    def enqueued(self) -> bool | None:
        """True if the broker took the work; False when it could not be reached
        (the article is stored as queued and requeue_stale, or Celery beat, starts
        it later); None when nothing was queued, or while a surrounding transaction
        has not committed yet (read it again after the commit: a batch item does)."""
        return self.outcome.get("enqueued")

    @property
    def message(self) -> str:
        if self.version is not None:
            return (
                f"New version {self.version} of “{self.article}”: it is analysed again, "
                "and the claims people worked on are kept."
            )
        if not self.created and self.fetching:
            return (
                "This page was already in the tracker; it is being fetched again, and a "
                "changed text becomes the article's next version."
            )
        if not self.created:
            return "This article was already in the tracker."
        if self.enqueued is False:
            return "Article saved; the queue is unreachable, its work will start when it is back."
        if self.fetching:
            return "Article saved; the page is being fetched, then it will be analysed."
        # The embedded mode (tasks in-process) has analysed it by now, as its
        # transaction committed; a quick worker may have too.
        state = self._state_now() if self.enqueued else None
        if state == AnalysisState.ANALYZED:
            return "Article saved and analysed."
        if state == AnalysisState.FAILED:
            return "Article saved; its analysis failed (the article's page says why)."
        return "Article saved; analysis queued."

    def _state_now(self) -> str | None:
        """The article's state as stored now; ``article`` is read again with it, so
        that what shows it beside this message (the API's answer) says the same."""
        try:
            self.article.refresh_from_db()
        except Article.DoesNotExist:
            return None
        return self.article.state


# --- Ingest ------------------------------------------------------------------------


def article_ingest(
    *,
    text: str | None = None,
    upload=None,
    url: str | None = None,
    user=None,
    title: str = "",
) -> IngestResult:
    """Store an article from pasted text, an uploaded file or a URL, and queue
    its analysis after the commit. The same text twice returns the first article.
    ``title`` (text only) names a new article, or a new version, instead of the
    text's first line; a URL article keeps its page's, and a duplicate its own.

    A URL is checked here (its shape and a literal address: a bad one is an
    IngestError) and fetched by a task: the article is stored as ``fetching``
    and analysed once its page has come (see pipeline.article_fetch).

    Raises IngestError (nothing stored) for unusable input.
    """
    given = [x for x in (text, upload, url) if x not in (None, "")]
    if len(given) != 1:
        raise IngestError("Give exactly one of: pasted text, a file, or a URL.")
    if url:
        return _ingest_url(check_url(url), user)
    if upload is not None:
        text = text_from_upload(upload, max_bytes=settings.INGEST_MAX_BYTES)
    else:
        text = text_from_paste(text)
    text = checked_text(text)
    digest = content_hash(text)
    # This text, as an article's current version or an earlier one.
    existing = versions.article_of_text(digest=digest)
    if existing is not None:
        return IngestResult(existing, created=False)
    fields = article_fields(text)
    named = {**fields, "title": title.strip()[:500]} if title.strip() else fields
    target = versions.article_version_target(text=text, fields=fields)
    if target is None and named is not fields:
        # An article its client named is stored under that name: its update, sent
        # with it, is found by it (the text's first line is not the stored title).
        target = versions.article_version_target(text=text, fields=named)
    if target is not None:
        return _ingest_version(target, text, named, user)
    fields = named
    # One INSERT, queued already (no get_or_create: its SELECT and savepoint cost
    # three more statements, for the race content_hash's unique index settles anyway).
    try:
        with transaction.atomic():
            article, outcome = pipeline.run_create(
                publish=_publish,
                content_hash=digest,
                raw_text=text,
                created_by=_creator(user),
                **fields,
            )
    except IntegrityError:
        article = Article.objects.filter(content_hash=digest).first()
        if article is None:  # not the race: some other constraint
            raise
        # A concurrent ingest of the same text won.
        return IngestResult(article, created=False)
    return IngestResult(article, created=True, outcome=outcome)


def _ingest_version(article: Article, text: str, fields: dict, user) -> IngestResult:
    """``text`` as the next version of ``article``, analysed again after the commit."""
    try:
        with transaction.atomic():
            version = versions.article_version_add(
                article=article, text=text, fields=fields, user=_creator(user)
            )
            outcome = _queue(article)
    except IntegrityError:  # a concurrent ingest stored this text first
        existing = versions.article_of_text(digest=content_hash(text))
        return IngestResult(existing or article, created=False)
    article.refresh_from_db()
    return IngestResult(article, created=False, outcome=outcome, version=version.number)


# While an article is being fetched or analysed, its URL ingested again waits for it.
BUSY = (AnalysisState.FETCHING, AnalysisState.QUEUED, AnalysisState.RUNNING)


def _ingest_known_url(article: Article) -> IngestResult:
    """The URL of an article already here: its page is fetched again by a task, and
    a changed text becomes the article's next version (pipeline.article_fetch)."""
    if article.state in BUSY:
        return IngestResult(article, created=False)
    with transaction.atomic():
        outcome = _queue_fetch(article)
    return IngestResult(article, created=False, outcome=outcome, fetching=True)


def _creator(user):
    return user if getattr(user, "is_authenticated", False) else None


def _ingest_url(url: str, user) -> IngestResult:
    """One article per URL: the look-up and the insert hold the URL's lock, so the
    same URL sent twice at once (a double click) finds the first one's article."""
    with transaction.atomic():
        pipeline.url_lock(url)
        known = versions.article_of_url(url=url)
        if known is None:
            article, outcome = pipeline.article_fetch_create(
                url=url, publish=_publish_fetch, user=_creator(user)
            )
    if known is not None:
        return _ingest_known_url(known)
    return IngestResult(article, created=True, outcome=outcome, fetching=True)


# --- Queueing the analysis ---------------------------------------------------------


def _publish(article_id: int, run_id: str) -> bool:
    # Looked up at call time, not imported at load: claims.tasks imports the
    # pipeline (a worker imports the tasks first, and would find this module
    # half-loaded), and tests replace claims.tasks.start_pipeline.
    from claims.tasks import start_pipeline

    return start_pipeline(article_id, run_id)


def _publish_fetch(article_id: int, run_id: str) -> bool:
    from claims.tasks import start_fetch  # at call time, as _publish

    return start_fetch(article_id, run_id)


def _queue_fetch(article: Article) -> dict:
    """Queue the fetch of a URL article; the broker gets it after the commit."""
    return pipeline.run_queue(article=article, publish=_publish_fetch, state=AnalysisState.FETCHING)


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
    return pipeline.runs_requeue_stale(
        publish=_publish, publish_fetch=_publish_fetch, older_than=older_than
    )


# --- Re-analysis and seeds ---------------------------------------------------------


def article_reanalyze(*, article: Article) -> bool | None:
    """Analyse again (after a lexicon or policy change, or on request). Claims
    people worked on are kept; see pipeline._save_claims. A URL article whose
    fetch failed (it has no text) is fetched again."""
    if not article.raw_text and article.source_url:
        with transaction.atomic():
            outcome = _queue_fetch(article)
        return outcome.get("enqueued")
    return article_enqueue(article=article)


def seeds_load(*, directory: Path, user=None) -> list[IngestResult]:
    """Ingest every .txt article in ``directory`` (idempotent: known texts are skipped)."""
    results = []
    for path in sorted(Path(directory).glob("*.txt")):
        results.append(article_ingest(text=path.read_text(encoding="utf-8"), user=user))
    return results
