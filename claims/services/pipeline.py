"""The analysis pipeline of one article, as the Celery tasks run it: queueing a
run, the fetch of a URL article, the analysis (``analysis_run``: the engine's
four steps in one process, the claims written in bulk in one transaction) and
recording a failure.

The four separate steps (``analysis_extract``; ``analysis_tag_sourcing`` and
``analysis_tag_hedging``; ``analysis_score``), which hand the extraction over as
JSON in ``Article.analysis_data``, stay for the tasks an older deployment left on
the broker; they share the bulk writes below.

Each step is idempotent and belongs to one run (``Article.run_id``): a task of a
run that is no longer current raises StaleRun and does nothing. claims.tasks
imports this module and no other service, so nothing here imports the tasks: the
publisher is passed in.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from claims import analysis, ingest
from claims.domain import claim_confidence, content_hash, fingerprint
from claims.models import (
    AnalysisState,
    Article,
    ArticleVersion,
    Claim,
    ClaimChange,
    ClaimMatch,
    ClaimStatus,
    Comment,
    DismissReason,
    Evidence,
    HedgeCue,
    MatchState,
    StatusChange,
    VersionChange,
)
from claims.services import versions
from claims.services.inserts import rows_insert
from claims.services.matching import (
    claim_matches_find_safely,
    claim_repeat_neighbours,
    claim_repeats_update,
)
from claims.services.sources import sources_link, sources_rescore, sources_resolve
from claims.services.webhooks import webhooks_article_finished

log = logging.getLogger(__name__)

# publish(article_id, run_id) puts a run on the broker; False if it is unreachable.
Publish = Callable[[int, str], bool]
# publish(article_id, run_id, claim_ids) puts the matching of a run's claims on the
# broker; False if it did not (unreachable, or no broker): the caller matches them.
PublishMatching = Callable[[int, str, list[int]], bool]


# --- Runs: queueing an article's analysis ------------------------------------------


def run_queue(
    *, article: Article, publish: Publish, state: str = AnalysisState.QUEUED, fresh: bool = True
) -> dict:
    """Mark the article queued (or ``fetching``, for the fetch of a URL article)
    under a new run id and publish the run once the surrounding transaction
    commits. A ``fresh`` run (asked for by a person, or the analysis a fetch
    queues; not one sent again by requeue_stale) starts its count of attempts
    (fetches, analyses) again. Returns a dict that says, once the commit has
    happened, whether the broker took the work."""
    run = _run_fields(state)
    if fresh:
        run["fetch_attempts"] = run["analysis_attempts"] = 0
    Article.objects.filter(pk=article.pk).update(**run, error="", updated_at=run["queued_at"])
    article.state, article.run_id, article.queued_at = state, run["run_id"], run["queued_at"]
    return _publish_on_commit(article.pk, run["run_id"], publish)


def run_create(
    *, publish: Publish, state: str = AnalysisState.QUEUED, **fields
) -> tuple[Article, dict]:
    """Store a new article (``fields``) already queued under a new run, as
    run_queue leaves one, in its INSERT (not an INSERT then run_queue's UPDATE).
    Returns the article and run_queue's outcome."""
    run = _run_fields(state)
    article = Article.objects.create(**fields, **run)
    return article, _publish_on_commit(article.pk, run["run_id"], publish)


def _run_fields(state: str) -> dict:
    return {"state": state, "run_id": uuid.uuid4().hex, "queued_at": timezone.now()}


def _publish_on_commit(article_id: int, run_id: str, publish: Publish) -> dict:
    outcome: dict = {}

    def start() -> None:
        outcome["enqueued"] = publish(article_id, run_id)

    transaction.on_commit(start)
    return outcome


def run_enqueue(
    *, article: Article, publish: Publish, state: str = AnalysisState.QUEUED, fresh: bool = True
) -> bool | None:
    """Queue a run in its own transaction. True if the broker took it, False if it
    is unreachable (the article stays queued), None inside an outer transaction
    that has not committed yet."""
    with transaction.atomic():
        outcome = run_queue(article=article, publish=publish, state=state, fresh=fresh)
    return outcome.get("enqueued")


def runs_requeue_stale(
    *,
    publish: Publish,
    publish_fetch: Publish | None = None,
    older_than: timedelta | None = None,
) -> list[int]:
    """Queue again the articles stuck in queued or running (and, given
    ``publish_fetch``, in fetching); returns their ids. A fetch started
    INGEST_URL_MAX_ATTEMPTS times, or an analysis started ANALYSIS_MAX_ATTEMPTS
    times, and never finished is not sent again: its article fails with the
    reason (see fetch_give_up, analysis_give_up)."""
    # "is None", not "or": timedelta(0) (everything stuck, now) is falsy.
    if older_than is None:
        older_than = timedelta(seconds=settings.ANALYSIS_STALE_AFTER)
    cutoff = timezone.now() - older_than
    states = [AnalysisState.QUEUED, AnalysisState.RUNNING]
    if publish_fetch is not None:
        states.append(AnalysisState.FETCHING)
    stale = Article.objects.filter(state__in=states, updated_at__lt=cutoff).only(
        "pk", "state", "run_id", "fetch_attempts", "analysis_attempts"
    )
    requeued = []
    for article in stale:
        if article.state == AnalysisState.FETCHING:
            if article.fetch_attempts >= settings.INGEST_URL_MAX_ATTEMPTS:
                fetch_give_up(article=article)
                continue
            outcome = run_enqueue(
                article=article, publish=publish_fetch, state=AnalysisState.FETCHING, fresh=False
            )
        else:
            if article.analysis_attempts >= settings.ANALYSIS_MAX_ATTEMPTS:
                analysis_give_up(article=article)
                continue
            outcome = run_enqueue(article=article, publish=publish, fresh=False)
        if outcome is not False:
            requeued.append(article.pk)
    return requeued


def fetch_give_up(*, article: Article) -> None:
    """Fail a URL article whose fetches all started and none finished: each was
    killed by the task's hard time limit (a page that takes the parser past it)
    or lost with its worker. Sending it again would take a worker each time, for
    ever. The URL stays: "Analyse again" (article_reanalyze) fetches it afresh."""
    _give_up(
        article=article,
        attempts=article.fetch_attempts,
        what="The page could not be fetched and read",
        why="The page may be too large or too complex to read",
    )


def analysis_give_up(*, article: Article) -> None:
    """Fail an article whose analyses all started and none finished: each was
    killed by the task's hard time limit (a text that takes the engine past it),
    or its process was (out of memory, a crash in a native library), or lost with
    its worker. Sending it again would take an analysis worker each time, for
    ever. Its text, claims and history stay: "Analyse again" starts a fresh run."""
    _give_up(
        article=article,
        attempts=article.analysis_attempts,
        what="The article could not be analysed",
        why="The text may be too large or too complex to analyse",
    )


def _give_up(*, article: Article, attempts: int, what: str, why: str) -> None:
    error = (
        f"{what} within {attempts} attempts: each was stopped by the task's time limit "
        f"({settings.CELERY_TASK_TIME_LIMIT} s) or lost with its worker. {why}; "
        '"Analyse again" tries once more.'
    )
    analysis_fail(article_id=article.pk, run_id=article.run_id, error=error)
    log.warning("article %s: given up after %s attempts: %s", article.pk, attempts, what)


# --- Fetching a URL article (a task: never inside a web request) ------------------


# The first key of the URL locks (PostgreSQL's two-key advisory locks): "URL".
_URL_LOCK_SPACE = 0x55524C


def url_lock(url: str) -> None:
    """Hold, until the transaction ends, a lock on ``url`` (a hash of it: two URLs
    may share one, and only wait for each other): whoever looks for the URL's
    article and makes one if there is none (URL ingest, a feed's poll) holds it,
    so that two at once make one article. SQLite needs none: its transactions
    begin IMMEDIATE (settings), holding the write lock already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_URL_LOCK_SPACE, url])


def article_fetch_create(
    *, url: str, publish: Publish, user=None, title: str = "", published_at=None
) -> tuple[Article, dict]:
    """Store a URL article as ``fetching`` and queue the fetch of its page
    (``publish``) after the surrounding transaction commits; the caller has
    checked the URL (ingest.check_url) and holds the transaction. URL ingest and
    feeds both come here. ``title`` and ``published_at`` (a feed item's) stay
    where the page's own header has none (see article_fetch). Returns the article
    and run_queue's outcome."""
    # The text, and so its hash, is not known yet: a unique placeholder holds
    # the unique column until the fetch stores the real one.
    return run_create(
        publish=publish,
        state=AnalysisState.FETCHING,
        raw_text="",
        source_url=url,
        content_hash=f"fetching:{uuid.uuid4().hex}",
        created_by=user,
        title=title[:500],
        published_at=published_at,
    )


def article_fetch(*, article_id: int, run_id: str, publish: Publish) -> bool:
    """Fetch the page of a URL article, store its text and header, and queue its
    analysis (``publish``) under a new run. A page that cannot be fetched or read
    leaves the article failed with the reason; re-analysis fetches again.
    Returns whether the text was stored."""
    # The attempt is counted before the fetch, in the conditional update that
    # checks the run is current: a fetch the hard time limit kills (no Python runs
    # after it) is counted all the same, and requeue_stale can stop sending it.
    # A message past the cap (redelivered after its worker process was killed) is
    # not fetched once more: the article fails here, as requeue_stale would fail it.
    current = Article.objects.filter(pk=article_id, run_id=run_id, state=AnalysisState.FETCHING)
    counted = current.filter(fetch_attempts__lt=settings.INGEST_URL_MAX_ATTEMPTS).update(
        fetch_attempts=F("fetch_attempts") + 1, updated_at=timezone.now()
    )
    article = current.first()
    if article is None:
        raise StaleRun(f"article {article_id}: fetch run {run_id} is not current")
    if not counted:
        fetch_give_up(article=article)
        return False
    try:
        text = ingest.checked_text(ingest.text_from_url(article.source_url))
    except ingest.IngestError as exc:
        analysis_fail(article_id=article_id, run_id=run_id, error=str(exc))
        return False
    digest = content_hash(text)
    if article.raw_text:
        return _refetched(article, text, digest, publish)
    same = versions.article_of_text(digest=digest)
    if same is not None and same.pk != article_id:
        error = f"The page's text is already in the tracker, as article {same.pk}."
        analysis_fail(article_id=article_id, run_id=run_id, error=error)
        return False
    fields = ingest.article_fields(text)
    # What the article came with (a feed item's title and date) stays where the
    # page's header has nothing better.
    for name in ("title", "published_at"):
        if not fields[name] and getattr(article, name):
            del fields[name]
    try:
        with transaction.atomic():
            # Conditional: a redelivered fetch, or one superseded by a re-run, stores nothing.
            stored = Article.objects.filter(
                pk=article_id, run_id=run_id, state=AnalysisState.FETCHING
            ).update(raw_text=text, content_hash=digest, **fields)
            if not stored:
                raise StaleRun(f"article {article_id}: superseded during the fetch")
            run_queue(article=article, publish=publish)
    except IntegrityError:  # the same text came in meanwhile (content_hash is unique)
        error = "The page's text is already in the tracker."
        analysis_fail(article_id=article_id, run_id=run_id, error=error)
        return False
    return True


def _refetched(article: Article, text: str, digest: str, publish: Publish) -> bool:
    """The page of an article already in the tracker, fetched again (its URL was
    ingested again): a changed text is the article's next version. The same text,
    or an earlier version's, changes nothing: the article is analysed again as it
    is (which keeps every claim). Returns whether a new version was stored."""
    known = versions.article_of_text(digest=digest)
    try:
        with transaction.atomic():
            current = (
                Article.objects.select_for_update()
                .filter(pk=article.pk, run_id=article.run_id, state=AnalysisState.FETCHING)
                .first()
            )
            if current is None:
                raise StaleRun(f"article {article.pk}: superseded during the fetch")
            if known is None:
                fields = ingest.article_fields(text)
                versions.article_version_add(article=current, text=text, fields=fields)
            run_queue(article=current, publish=publish)
    except IntegrityError:  # the same text came in meanwhile: nothing new
        run_enqueue(article=article, publish=publish)
        return False
    return known is None


# --- Pipeline steps (called by claims.tasks) ---------------------------------------


class StaleRun(Exception):
    """The task belongs to a pipeline run that is no longer current."""


def _current(article_id: int, run_id: str) -> Article:
    article = Article.objects.filter(pk=article_id, run_id=run_id).first()
    if article is None:
        raise StaleRun(f"article {article_id}: run {run_id} is not current")
    return article


def engine_warm() -> None:
    """Load the spaCy pipeline and parse one sentence, so that a worker process pays
    for it when it starts, not on its first article (called on worker_process_init)."""
    analysis.extract("Officials said the bridge would reopen in May.", model=settings.SPACY_MODEL)


# The ORM's update() returns a row count, not columns: the text is read in the
# same statement that claims the run (UPDATE ... RETURNING; SQLite 3.35+ has it).
CLAIM_RUN_SQL = """
    UPDATE claims_article
    SET state = %s, started_at = %s, updated_at = %s, attempts = attempts + 1,
        analysis_attempts = analysis_attempts + 1
    WHERE id = %s AND run_id = %s AND state IN (%s, %s) AND analysis_attempts < %s
    RETURNING raw_text
"""


def _claim_run(article_id: int, run_id: str) -> str:
    """Move the run's article to running, counting the attempt, and return its
    text; StaleRun if the run is not current or already finished."""
    # Conditional update: only the run that holds the article moves it to running.
    # The attempt is counted in the same statement: a worker killed right after it
    # cannot leave an article running with the attempt uncounted. Only the text is
    # read: not the blob an earlier deployment's steps left (up to megabytes).
    # The run's own count (analysis_attempts) is checked and counted there too: an
    # analysis the hard time limit or an OOM kill ends (no Python runs after it) is
    # counted all the same. A message past the cap (redelivered after its worker
    # process was killed) is not analysed once more: the article fails here, as
    # requeue_stale would fail it.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [AnalysisState.RUNNING, now, now, article_id, run_id]
    states = [AnalysisState.QUEUED, AnalysisState.RUNNING]
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_RUN_SQL, [*params, *states, settings.ANALYSIS_MAX_ATTEMPTS])
        row = cursor.fetchone()
    if row is None:
        current = Article.objects.filter(pk=article_id, run_id=run_id, state__in=states)
        article = current.only("pk", "run_id", "analysis_attempts").first()
        if article is not None:
            analysis_give_up(article=article)
            raise StaleRun(f"article {article_id}: run {run_id} given up after its attempts")
        raise StaleRun(f"article {article_id}: run {run_id} is not current or already finished")
    return row[0]


# The article locked, and whether it has claims, in one statement (a new article
# has none: _save_claims need not read them). Written out: built by the ORM
# (select_for_update, only, an Exists annotation), it took ~0.7 ms of Python an
# article, three times what raw() takes.
LOCK_SQL = """
    SELECT id, run_id, state, version,
        EXISTS (SELECT 1 FROM claims_claim WHERE article_id = claims_article.id) AS has_claims
    FROM claims_article
    WHERE id = %s AND run_id = %s AND state = %s {for_update}
"""


def _lock_running(article_id: int, run_id: str) -> Article:
    """Inside a transaction: the article (its id, run, state and version), locked,
    if this run still holds it; ``has_claims`` says whether it has claims."""
    # SQLite has no row locks (nor the syntax): its writers are serialised anyway.
    features = connection.features
    sql = LOCK_SQL.format(
        for_update=connection.ops.for_update_sql() if features.has_select_for_update else ""
    )
    params = [article_id, run_id, AnalysisState.RUNNING]
    article = next(iter(Article.objects.raw(sql, params)), None)
    if article is None:
        raise StaleRun(f"article {article_id}: superseded during the analysis")
    article.has_claims = bool(article.has_claims)  # SQLite's EXISTS is 0 or 1
    return article


def analysis_run(
    *, article_id: int, run_id: str, publish_matching: PublishMatching | None = None
) -> int:
    """The whole analysis of one run, in this process: the engine's steps in memory
    (no JSON hand-over), then every claim, source, hedge and score written in bulk
    in one transaction, which also marks the article analyzed (so a run is saved
    entirely or not at all, and counted once). Returns the number of claims.

    Claim matching follows the commit: published (``publish_matching``: the task
    match_claims, on the light queue) or, without a publisher or when it fails,
    here (see matching_start)."""
    text = _claim_run(article_id, run_id)
    ex = analysis.extract(text, model=settings.SPACY_MODEL)
    analysis.attribute(ex)
    analysis.tag_hedges(ex)
    corrections = [
        {"text": text[s.start : s.end], "start": s.start, "end": s.end}
        for s in analysis.find_corrections(text)
    ]
    with transaction.atomic():
        article = _lock_running(article_id, run_id)
        saved = _save_claims(
            article, ex.claims, attributed=True, text=text, has_claims=article.has_claims
        )
        _write_hedges(saved.ids, ex.claims, saved.editable, fresh=saved.fresh)
        # The claims this run did not write (corrected by people, or kept though the
        # analysis no longer finds them) are scored again from their saved fields:
        # the policy may have changed (retag).
        if saved.kept:
            _write_scores(article.claims.filter(pk__in=saved.kept))
        # The claims written now were saved with their source (see _save_claims);
        # the others (corrected, or kept) are linked again, as their source may have
        # been resolved otherwise since.
        sources_resolve(
            claim_ids=[*(pk for pk in saved.ids if pk not in saved.editable), *saved.kept]
        )
        sources_rescore(claim_ids=[pk for pk in saved.ids if pk in saved.editable])
        _version_record(article, corrections, saved.changes)
        # The blob an older deployment's steps handed over is no longer read: emptied.
        _finish(article_id, run_id, analysis_data={}, corrections=corrections)
    # After the commit, outside the run's transaction: the claims are saved whatever
    # matching and the webhooks do (both log their own failures).
    webhooks_article_finished(article_id=article_id)
    matching_start(
        article_id=article_id, run_id=run_id, claim_ids=saved.ids, publish=publish_matching
    )
    return len(saved.ids)


def matching_start(
    *, article_id: int, run_id: str, claim_ids: list[int], publish: PublishMatching | None
) -> None:
    """After a run's commit: its claims' matching on the broker (``publish``), so
    that the analysis worker takes the next article (where an article's claims are
    repeated widely, matching it costs about as much as analysing it), or,
    without a publisher (the embedded mode, commands) or when the broker does not
    take it, here and now: a run's matching is never left undone.

    At most MATCHING_TASK_MAX_CLAIMS claims a task: a 1 MB article's thousands of
    claims took longer than the task time limit as one task, and failed; in parts,
    each finishes (and light workers share them). Each claim's matching is its own
    (other articles' claims), so the parts are the whole."""
    size = max(1, settings.MATCHING_TASK_MAX_CLAIMS)
    parts = [claim_ids[i : i + size] for i in range(0, len(claim_ids), size)] or [claim_ids]
    for part in parts:
        try:
            if publish is not None and publish(article_id, run_id, part):
                continue
        except Exception:  # whatever the publish raised, the saved claims are matched here
            log.exception("article %s: the matching could not be published", article_id)
        claim_matches_find_safely(claim_ids=part)


def matching_run(
    *,
    article_id: int,
    run_id: str,
    claim_ids: list[int],
    retry_on: tuple[type[Exception], ...] = (),
) -> int:
    """The matching task's work: the run's claims matched, unless the article has
    been analysed again since (StaleRun: the newer run matches its own claims,
    which are these where they survived). Matching is idempotent, so a redelivered
    task writes nothing twice; a claim deleted meanwhile is skipped. A failure is
    logged and never touches the saved analysis; ``retry_on``: errors raised
    instead, for the task to retry. Returns the number of new matches."""
    current = Article.objects.filter(pk=article_id, run_id=run_id, state=AnalysisState.ANALYZED)
    if not current.exists():
        raise StaleRun(f"article {article_id}: run {run_id} is no longer current, not matched")
    return claim_matches_find_safely(claim_ids=claim_ids, reraise=retry_on)


def articles_match(*, article_ids: list[int] | None = None, since: timedelta | None = None) -> int:
    """Match again, in this process, the claims of analysed articles: the given ones,
    or those analysed within ``since``. The way back for a matching that was lost (a
    worker killed between an analysis's commit and the publish of its match_claims,
    or a task out of retries); idempotent, so matching an article twice does no
    harm. Returns the number of new matches.

    The ids are read first, not through ``.iterator()``: its server-side cursor,
    held open across the matches' commits, is a FETCH per transaction behind
    pgbouncer in transaction mode, which may reach another server connection."""
    articles = Article.objects.filter(state=AnalysisState.ANALYZED)
    if article_ids is not None:
        articles = articles.filter(pk__in=article_ids)
    if since is not None:
        # A span reaching before year 1 (OverflowError): every article analysed.
        with contextlib.suppress(OverflowError):
            articles = articles.filter(finished_at__gte=timezone.now() - since)
    found = 0
    for article_id in list(articles.order_by("pk").values_list("pk", flat=True)):
        ids = list(Claim.objects.filter(article_id=article_id).values_list("pk", flat=True))
        found += claim_matches_find_safely(claim_ids=ids)
    return found


def _version_record(article: Article, corrections: list, changes: dict | None) -> None:
    """The analysed version's correction notices, and (for the run that carried
    the claims over to it) what it did to them, on its ArticleVersion row."""
    if article.version == 1:
        return  # no rows before a second version: the article holds them
    fields = {"corrections": corrections}
    if changes is not None:
        fields["changes"] = changes
    ArticleVersion.objects.filter(article_id=article.pk, number=article.version).update(**fields)


def analysis_extract(*, article_id: int, run_id: str) -> int:
    """Step 1 of the separate steps: split into claims, save them and the extraction
    (for steps 2a and 2b); returns the number of claims."""
    text = _claim_run(article_id, run_id)
    ex = analysis.extract(text, model=settings.SPACY_MODEL)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.run_id != run_id:
            raise StaleRun(f"article {article_id}: superseded during extraction")
        ids = _save_claims(article, ex.claims).ids
        data = analysis.extraction_to_dict(ex)
        data["claim_ids"] = ids
        Article.objects.filter(pk=article_id).update(analysis_data=data, updated_at=timezone.now())
    return len(ids)


def _worked_on() -> Q:
    """Claims people did something to. The system's own changes (a priority raised
    for repeats, a dismissal of a claim no longer found: user None) are not work:
    they bump the version, so the version says nothing about people; and a status
    only the system set (a claim it dismissed) is not either."""
    evidence = Evidence.objects.filter(claim=OuterRef("pk"))
    history = StatusChange.objects.filter(claim=OuterRef("pk"), user__isnull=False)
    by_system = StatusChange.objects.filter(claim=OuterRef("pk"), user__isnull=True)
    changed = ClaimChange.objects.filter(claim=OuterRef("pk"), user__isnull=False)
    # A discussed claim is worked on (and its comments hold it: PROTECT).
    comments = Comment.objects.filter(claim=OuterRef("pk"))
    # An editor's decision on a match is work too: the claim keeps its id, so the
    # rejection stays with it and is never suggested again.
    decided = ClaimMatch.objects.filter(
        Q(claim=OuterRef("pk")) | Q(matched_claim=OuterRef("pk"))
    ).exclude(state=MatchState.SUGGESTED)
    return (
        (~Q(status=ClaimStatus.UNSTARTED) & ~Q(Exists(by_system)))
        | Q(assignee__isnull=False)
        | ~Q(notes="")
        | Q(human_edited=True)
        | Q(human_added=True)
        | Q(Exists(evidence))
        | Q(Exists(history))
        | Q(Exists(changed))
        | Q(Exists(comments))
        | Q(Exists(decided))
        | Q(cluster_id__isnull=False)
    )


def _system_dismiss(ids: list[int]) -> set[int]:
    """Of the claims the analysis no longer finds and nobody worked on, those with
    history of the system's own (a priority raised for repeats): history is never
    deleted (ClaimChange protects its claim), so they are dismissed instead, as a
    recorded change by nobody, and leave the open queue. Returns their ids."""
    if not ids:
        return set()
    held = set(ClaimChange.objects.filter(claim_id__in=ids).values_list("claim_id", flat=True))
    # A claim the system dismissed, or reopened, holds its StatusChange rows too.
    held |= set(StatusChange.objects.filter(claim_id__in=ids).values_list("claim_id", flat=True))
    # One dismissed by an earlier run already: nothing to do or record again.
    _system_status(
        held,
        ClaimStatus.UNSTARTED,
        ClaimStatus.DISMISSED,
        "The analysis no longer finds this claim in the article, and nobody worked on "
        "it; its history (the system's) is kept, so it is dismissed, not deleted.",
    )
    return held


def _system_reopen(claims: list[Claim]) -> None:
    """Of the claims the analysis finds again, those the system dismissed (nobody
    worked on them: their status is the system's) are unstarted again, recorded
    as a change by nobody, like the dismissal."""
    dismissed = {c.pk for c in claims if c.status == ClaimStatus.DISMISSED}
    reopened = _system_status(
        dismissed,
        ClaimStatus.DISMISSED,
        ClaimStatus.UNSTARTED,
        "The analysis finds this claim in the article again; the system had dismissed it.",
    )
    for claim in claims:
        if claim.pk in reopened:
            claim.status, claim.dismiss_reason = ClaimStatus.UNSTARTED, ""


def _system_status(ids: set[int], from_status: str, to_status: str, note: str) -> list[int]:
    """Move those of ``ids`` still at ``from_status`` to ``to_status``, each with a
    StatusChange by nobody (the system's); returns their ids."""
    if not ids:
        return []
    moved = sorted(
        Claim.objects.select_for_update()
        .filter(pk__in=ids, status=from_status)
        .values_list("pk", flat=True)
    )
    reason = DismissReason.OTHER if to_status == ClaimStatus.DISMISSED else ""
    Claim.objects.filter(pk__in=moved).update(
        status=to_status,
        dismiss_reason=reason,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            claim_id=pk, user=None, from_status=from_status, to_status=to_status, note=note
        )
        for pk in moved
    )
    return moved


BATCH = 500  # rows per INSERT or UPDATE statement

MATCHED_FIELDS = [
    "position", "text", "start", "end", "sentence_start", "sentence_end", "kind", "origin",
    "checkworthiness", "fingerprint", "missing_from_analysis", "updated_at", "text_version",
]  # fmt: skip
# A claim people corrected keeps their fields: only its place in the article moves.
CORRECTED_FIELDS = [
    "position", "sentence_start", "sentence_end", "missing_from_analysis", "updated_at",
]  # fmt: skip
# What a run that carries the claims to a new version writes besides (see versions).
VERSION_FIELDS = ["text_version", "version_change", "change_version", "previous_text"]


class Saved(NamedTuple):
    ids: list[int]  # the claims, in the extraction's order
    editable: set[int]  # whose machine fields the pipeline writes (not corrected by people)
    fresh: set[int]  # created now
    kept: set[int]  # the article's other claims: corrected, or worked on and flagged
    # Claims unchanged, changed, new and removed by a new version; None for a plain run.
    changes: dict | None = None


def _save_claims(
    article: Article,
    new_claims: list,
    *,
    attributed: bool = False,
    text: str | None = None,
    has_claims: bool = True,
) -> Saved:
    """Save a new extraction, in bulk. Existing claims are matched to it (see
    _match): matched ones are updated in place, people's corrections kept;
    untouched leftovers are deleted; a worked-on claim the analysis no longer
    finds is flagged, never deleted. With ``attributed`` (sources and hedges
    found) each claim's source and confidence are written too, except on claims
    people corrected.

    When the article's text is a newer version than its claims' (``text``, the
    text analysed), the claims are carried over to it (claims.services.versions):
    each is marked unchanged, changed (with its previous text), new or removed.
    ``has_claims`` False: the caller knows the article has none (nothing to read)."""
    version = article.version
    current = list(article.claims.all()) if has_claims else []
    touched_ids = (
        set(article.claims.filter(_worked_on()).values_list("pk", flat=True)) if current else set()
    )
    carry = None
    if current:
        text = article.raw_text if text is None else text
        carry = versions.claims_carry(
            article_id=article.pk, version=version, text=text, claims=current
        )
    matches = _match(current, touched_ids, new_claims, version=version, carry=carry)
    now, policy = timezone.now(), settings.CONFIDENCE_POLICY
    counts = dict.fromkeys(VersionChange.values, 0)
    created: list[tuple[int, Claim]] = []
    updated: list[Claim] = []
    corrected: list[Claim] = []
    for position, (c, match) in enumerate(zip(new_claims, matches, strict=True)):
        fields = _machine_fields(c, fingerprint(c.text), position)
        fields["text_version"] = version
        if carry is not None:
            change, before = versions.version_mark(carry, match, c.text)
            counts[change] += 1
            fields.update(version_change=change, change_version=version, previous_text=before)
        if match is not None and match.human_edited:  # people's corrections win
            _move_corrected(match, c, carry, fields)
            match.position = position
            match.missing_from_analysis, match.updated_at = False, now
            corrected.append(match)
            continue
        if attributed:
            fields.update(_sourcing_fields(c))
        if match is None:
            claim = Claim(article=article, **fields)
            created.append((position, claim))
        else:
            claim = match
            for name, value in fields.items():
                setattr(claim, name, value)
            claim.missing_from_analysis, claim.updated_at = False, now
            updated.append(claim)
        if attributed:
            _score(claim, c, policy)
    # No statement collides with claim_unique_machine_span whatever the order: a
    # claim matched by fingerprint moves only to a span no existing claim holds
    # (see _match), and a new claim's span is held by no existing machine claim.
    # Carried to a new version, every claim moves to that version's text, where
    # no other machine claim is yet (the span is unique per version).
    columns = MATCHED_FIELDS + (SOURCING_FIELDS + ["source"] + SCORE_FIELDS if attributed else [])
    if attributed:
        # Each claim written with its source (in the order sources_resolve reads
        # them, which names a new source after its first claim).
        written = sorted([*updated, *(claim for _, claim in created)], key=lambda c: c.position)
        sources_link(claims=written)
    corrected_columns = CORRECTED_FIELDS
    if carry is not None:
        columns = columns + VERSION_FIELDS[1:]
        corrected_columns = corrected_columns + ["start", "end", *VERSION_FIELDS]
    Claim.objects.bulk_update(updated, columns, batch_size=BATCH)
    Claim.objects.bulk_update(corrected, corrected_columns, batch_size=BATCH)
    _system_reopen([c for c in updated if c.pk not in touched_ids])
    _claims_insert([claim for _, claim in created])
    ids = [m.pk if m is not None else None for m in matches]
    for position, claim in created:
        ids[position] = claim.pk
    seen = set(ids)
    leftovers = [c for c in current if c.pk not in seen]
    if leftovers:
        Claim.objects.filter(pk__in=[c.pk for c in leftovers if c.pk in touched_ids]).exclude(
            human_added=True
        ).update(missing_from_analysis=True)
        gone = [c.pk for c in leftovers if c.pk not in touched_ids]
        held = _system_dismiss(gone)
        gone = [pk for pk in gone if pk not in held]
        # Their matches go with them: the claims that counted them as repeats recount.
        neighbours = claim_repeat_neighbours(claim_ids=gone) if gone else set()
        Claim.objects.filter(pk__in=gone).delete()
        if neighbours:
            claim_repeats_update(claim_ids=neighbours)
        if carry is not None:
            counts[VersionChange.REMOVED] = _version_leftovers(carry, leftovers, touched_ids, text)
    fresh = {claim.pk for _, claim in created}
    editable = fresh | {m.pk for m in updated}
    kept = {c.pk for c in current if c.pk not in editable} - {
        c.pk for c in leftovers if c.pk not in touched_ids
    }
    return Saved(ids, editable, fresh, kept, counts if carry is not None else None)


# What a claim the analysis creates holds at its defaults: people's fields and the
# counters (each with its db_default, equal to its default), and the search document
# (NULL: the trigger fills it). The analysis's insert leaves them to the database.
DEFAULTED_FIELDS = {
    "status", "assignee", "notes", "due_at", "priority", "dismiss_reason", "public_url",
    "public_summary", "human_edited", "human_added", "missing_from_analysis", "version",
    "cluster_id", "repeats", "updated_by", "search_vector",
}  # fmt: skip


def _claims_insert(claims: list[Claim]) -> None:
    """Insert new claims without the columns they hold at their defaults
    (DEFAULTED_FIELDS): bulk_create sends every column, and the ~20 of ~50 a row
    that the database fills anyway cost a third of the statement, to prepare in
    Python and to unpack on the server. Sets the claims' ids (and generated
    columns) as bulk_create does. A defaulted field that some claim holds at
    another value is sent after all: nothing set on a new claim is dropped."""
    rows_insert(Claim, claims, _inserted_fields(Claim, DEFAULTED_FIELDS - _set(claims)))


def _set(claims: list[Claim]) -> set[str]:
    """The DEFAULTED_FIELDS that one of ``claims`` holds at other than its default."""
    fields = [Claim._meta.get_field(name) for name in DEFAULTED_FIELDS]
    defaults = [(f.name, f.attname, f.get_default()) for f in fields]
    return {
        name
        for name, attname, default in defaults
        if any(getattr(claim, attname) != default for claim in claims)
    }


def _inserted_fields(model, defaulted=frozenset()) -> list:
    opts = model._meta
    return [
        f
        for f in opts.concrete_fields
        if not f.generated and not f.primary_key and f.name not in defaulted
    ]


def _move_corrected(match: Claim, c, carry, fields: dict) -> None:
    """A claim people corrected keeps its text and span; only its place moves:
    its sentence, and, carried to a new version, its span into that version's
    text (shifted where its text is unchanged, else the new claim's span)."""
    start, end = match.start, match.end
    if carry is not None:
        if carry.stale(match):
            start, end = carry.exact.get(match.pk, (c.start, c.end))
        elif match.text_version != fields["text_version"]:  # removed once, back now
            start, end = c.start, c.end
        for name in VERSION_FIELDS:
            setattr(match, name, fields[name])
    match.start, match.end = start, end
    match.sentence_start = min(c.sentence.start, start)
    match.sentence_end = max(c.sentence.end, end)


def _version_leftovers(carry, leftovers: list[Claim], touched_ids: set[int], text: str) -> int:
    """The claims of the old text the new version no longer has: kept and marked
    removed if people worked on them (the untouched ones were deleted). A claim
    people added moves with its text where that text is unchanged. Returns how
    many the version removed."""
    removed, moved = [], []
    for claim in leftovers:
        if not carry.stale(claim):
            continue  # removed by an earlier version, or added by people to this one
        span = carry.exact.get(claim.pk)
        if claim.human_added and span is not None:
            shift = span[0] - claim.start
            claim.start, claim.end = span
            claim.sentence_start = max(0, claim.sentence_start + shift)
            claim.sentence_end = min(len(text), claim.sentence_end + shift)
            claim.text_version, claim.change_version = carry.version, carry.version
            claim.version_change, claim.previous_text = VersionChange.UNCHANGED, ""
            moved.append(claim)
        elif claim.pk in touched_ids:
            removed.append(claim.pk)
    Claim.objects.bulk_update(
        moved, ["start", "end", "sentence_start", "sentence_end", *VERSION_FIELDS]
    )
    # The removed claim keeps its offsets, into the text of its own version.
    Claim.objects.filter(pk__in=removed).update(
        version_change=VersionChange.REMOVED, change_version=carry.version, previous_text=""
    )
    return sum(1 for c in leftovers if carry.stale(c)) - len(moved)


def _match(
    current: list[Claim],
    touched_ids: set[int],
    new_claims: list,
    *,
    version: int,
    carry: versions.Carry | None = None,
) -> list[Claim | None]:
    """The existing claim each new claim takes over, or None.

    First the machine claim at the same span, touched or not (same span, same
    text), for every new claim; then, for the rest, the nearest worked-on claim
    with the same fingerprint (the text moved). In this order a claim matched by
    fingerprint moves only to a span no existing claim holds, so no update or
    insert collides with claim_unique_machine_span, whatever the fingerprints say
    (a changed normalisation, an editor's corrected span the engine now finds).

    Carried to a new version (``carry``), a claim's span is where the new text
    has its old text unchanged; every claim is looked for by fingerprint, not only
    worked-on ones (else an untouched claim that moved would read as "new"); and
    last, the most alike claim whose text went to the same place (its text
    changed: "killed 12" became "killed 14")."""
    if not current:
        return [None] * len(new_claims)
    by_fp: dict[str, list[Claim]] = {}
    by_span: dict[tuple[int, int], Claim] = {}
    place: dict[int, int] = {}
    for claim in current:
        place[claim.pk] = carry.place.get(claim.pk, claim.start) if carry else claim.start
        # A claim an earlier version removed comes back only with a new version.
        current_text = claim.text_version == version
        if (claim.pk in touched_ids and current_text) or carry is not None:
            by_fp.setdefault(claim.fingerprint, []).append(claim)
        span = _span_now(claim, version, carry)
        if span is not None and not claim.human_added:
            by_span[span] = claim
    matches = [by_span.get((c.start, c.end)) for c in new_claims]
    seen = {m.pk for m in matches if m is not None}
    for i, c in enumerate(new_claims):
        if matches[i] is None:
            matches[i] = _closest(by_fp.get(fingerprint(c.text), []), c.start, seen, place)
            if matches[i] is not None:
                seen.add(matches[i].pk)
    if carry is not None:
        versions.claims_similar(
            carry, new_claims, matches, [c for c in current if c.pk not in seen]
        )
    return matches


def _span_now(claim: Claim, version: int, carry) -> tuple[int, int] | None:
    """The claim's span in the text being analysed; None if it has none there (a
    version changed its text, or removed it)."""
    if carry is not None and carry.stale(claim):
        return carry.exact.get(claim.pk)
    if claim.text_version != version:
        return None
    return claim.start, claim.end


def _closest(
    candidates: list[Claim], start: int, seen: set[int], place: dict[int, int]
) -> Claim | None:
    free = [c for c in candidates if c.pk not in seen]
    return min(free, key=lambda c: abs(place[c.pk] - start)) if free else None


def _machine_fields(c, fp: str, position: int) -> dict:
    return {
        "position": position,
        "text": c.text,
        "start": c.start,
        "end": c.end,
        "sentence_start": c.sentence.start,
        "sentence_end": c.sentence.end,
        "kind": c.kind,
        "origin": c.origin,
        "checkworthiness": c.checkworthiness,
        "fingerprint": fp,
    }


SOURCING_FIELDS = [
    "source_text", "source_type", "source_start", "source_end", "source_mention",
    "source_verb", "source_role", "source_via", "source_relayed", "sourcing_strength", "origin",
]  # fmt: skip


SOURCE_MAX = 500  # Claim.source_text and source_mention


def _sourcing_fields(c) -> dict:
    mention = (c.source.mention or "")[:SOURCE_MAX]
    start, end = c.source.start, c.source.end
    # The mention is the text at its span: a span the columns cannot hold (a
    # "source" of 1,290 characters, read from a paragraph with no full stop) is
    # cut with it, so that the stored span and the stored mention still agree.
    if start is not None and end is not None and end - start > SOURCE_MAX:
        end = start + SOURCE_MAX
    return {
        "source_text": (c.source.text or "")[:SOURCE_MAX],
        "source_type": c.source.type,
        "source_start": start,
        "source_end": end,
        "source_mention": mention,
        "source_verb": (c.source.verb or "")[:50],
        "source_role": (c.source.role or "")[:300],
        "source_via": (c.source.via or "")[:300],
        "source_relayed": c.source.relayed,
        "sourcing_strength": c.sourcing_strength,
        "origin": c.origin,
    }


SCORE_FIELDS = ["confidence_score", "confidence_level", "confidence_reasons"]


def _hedge_rows(c, claim_id: int | None = None) -> list[HedgeCue]:
    return [
        HedgeCue(
            claim_id=claim_id, text=h.text[:200], category=h.category, start=h.start, end=h.end
        )
        for h in c.hedges
    ]


def _score(claim: Claim, c, policy: dict) -> None:
    """Confidence of a claim about to be saved, from its fields and the hedges the
    engine found: what claim_confidence gives once it is saved."""
    conf = claim_confidence(claim, policy, hedges=_hedge_rows(c))
    claim.confidence_score, claim.confidence_level = conf.score, conf.level
    claim.confidence_reasons = conf.reasons


def _write_hedges(ids: list[int], claims: list, editable: set[int], *, fresh=frozenset()) -> None:
    """Replace the machine's hedge cues of the editable claims (a claim created in
    this run has none to delete)."""
    stale = editable - fresh
    if stale:
        HedgeCue.objects.filter(claim_id__in=stale).delete()
    hedges = [
        hedge
        for pk, c in zip(ids, claims, strict=True)
        if pk in editable
        for hedge in _hedge_rows(c, pk)
    ]
    rows_insert(HedgeCue, hedges, _inserted_fields(HedgeCue))


def _write_scores(claims) -> None:
    """Confidence of the claims from their saved sourcing and hedges (people's
    corrections included)."""
    policy = settings.CONFIDENCE_POLICY
    rows = []
    for claim in claims.prefetch_related("hedges"):
        conf = claim_confidence(claim, policy)
        claim.confidence_score, claim.confidence_level = conf.score, conf.level
        claim.confidence_reasons = conf.reasons
        rows.append(claim)
    Claim.objects.bulk_update(rows, SCORE_FIELDS, batch_size=BATCH)


def _finish(article_id: int, run_id: str, **fields) -> None:
    now = timezone.now()
    # Conditional: a repeated task does not count a second analysis.
    Article.objects.filter(pk=article_id, run_id=run_id, state=AnalysisState.RUNNING).update(
        state=AnalysisState.ANALYZED,
        finished_at=now,
        updated_at=now,
        error="",
        times_analyzed=F("times_analyzed") + 1,
        **fields,
    )


def _load(article_id: int, run_id: str):
    article = _current(article_id, run_id)
    data = article.analysis_data or {}
    if "claim_ids" not in data:
        raise StaleRun(f"article {article_id}: no extraction saved for run {run_id}")
    ex = analysis.extraction_from_dict(article.raw_text, data)
    return article, ex, data["claim_ids"]


def _editable(ids: list[int]) -> set[int]:
    """Claims whose machine fields the pipeline may write: not corrected by people."""
    return set(Claim.objects.filter(pk__in=ids, human_edited=False).values_list("pk", flat=True))


def analysis_tag_sourcing(*, article_id: int, run_id: str) -> None:
    """Step 2a of the separate steps: source, type and strength of every claim."""
    _, ex, ids = _load(article_id, run_id)
    analysis.attribute(ex)
    editable = _editable(ids)
    rows = [
        Claim(pk=pk, **_sourcing_fields(c))
        for pk, c in zip(ids, ex.claims, strict=True)
        if pk in editable
    ]
    Claim.objects.bulk_update(rows, SOURCING_FIELDS, batch_size=BATCH)


def analysis_tag_hedging(*, article_id: int, run_id: str) -> None:
    """Step 2b of the separate steps: hedge cues of every claim (replaces the
    machine's earlier cues)."""
    _, ex, ids = _load(article_id, run_id)
    # Hedge attachment looks at frames, which attribution fills from the parse
    # data already in the extraction: no source typing is needed here.
    analysis.tag_hedges(ex)
    with transaction.atomic():
        _write_hedges(ids, ex.claims, _editable(ids))


def analysis_score(*, article_id: int, run_id: str) -> None:
    """Step 3 of the separate steps: confidence from the saved sourcing and hedges;
    the article is done."""
    article = _current(article_id, run_id)
    with transaction.atomic():
        _write_scores(article.claims.all())
        sources_resolve(claim_ids=article.claims.values_list("pk", flat=True))
        _finish(article_id, run_id)
    webhooks_article_finished(article_id=article_id)
    claim_matches_find_safely(claim_ids=list(article.claims.values_list("pk", flat=True)))


def analysis_fail(*, article_id: int, run_id: str, error: str) -> None:
    """Record a failed analysis on the article, for people to see."""
    now = timezone.now()
    failed = (
        Article.objects.filter(pk=article_id, run_id=run_id)
        .exclude(state=AnalysisState.ANALYZED)
        .update(state=AnalysisState.FAILED, error=error[:2000], finished_at=now, updated_at=now)
    )
    if failed:
        webhooks_article_finished(article_id=article_id)
