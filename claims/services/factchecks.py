"""Writes to the library of published fact-checks (claims.models.FactCheck).

``factchecks_import`` stores imported ClaimReviews. It is all or nothing for the
whole call: every document is read and every review checked first; if anything
is wrong, nothing is written and the problems are reported (document, line or
item, reason), up to FACTCHECK_IMPORT_MAX_PROBLEMS, where reading stops. Otherwise
all the reviews are written in one transaction. A review is identified by its key
(URL and claim text): importing the same file again updates those rows and adds none.

``factcheck_sync_ours`` keeps our own verdicts in the library: a claim with a
verdict and a public fact-check URL is a FactCheck of origin "ours"; without
either, it has none. The workflow calls it after every status change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims import claimreview as reviews
from claims import ingest
from claims.models import VERDICTS, Claim, ClaimMatch, FactCheck, FactCheckOrigin, MatchState
from claims.services.factcheck_documents import (
    Document,
    Problem,
    Problems,
    Review,
    TooManyProblems,
    factcheck_key,
    read_document,
)

IMPORT = "claims.add_factcheck"
BATCH = 500  # rows per INSERT/UPDATE statement, and keys per look-up
FIELDS = [
    "claim_text", "claimant", "rating", "rating_value", "rating_best", "rating_worst",
    "publisher", "publisher_url", "url", "language", "reviewed_at", "document", "imported_by",
]  # fmt: skip

# progress(stage, done, total): stage "read" counts documents, "write" reviews.
Progress = Callable[[str, int, int], None]


class FactCheckImportError(Exception):
    """The import was refused: nothing was written. ``problems`` says what and where."""

    def __init__(self, problems: list[Problem], *, more: bool = False):
        self.problems = problems
        self.more = more  # reading stopped at the limit: there are more than these
        shown = settings.FACTCHECK_IMPORT_MAX_PROBLEMS
        lines = [str(p) for p in problems[:shown]]
        if more:
            lines.append("... and more problem(s), not read")
        elif len(problems) > shown:
            lines.append(f"... and {len(problems) - shown} more problem(s)")
        super().__init__(f"{self.count} problem(s); nothing was imported.\n" + "\n".join(lines))

    @property
    def count(self) -> str:
        """How many problems: "17", or "more than 200" where reading stopped."""
        return f"more than {len(self.problems)}" if self.more else str(len(self.problems))


class FactCheckNotPermitted(PermissionError):
    """The user's role may not import fact-checks."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped_ours: int  # reviews of our own verdicts: the workflow keeps those
    documents: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.skipped_ours


def documents_from_urls(urls: Iterable[str]) -> list[Document]:
    """Fetch each URL through the hardened fetch (public addresses only, one
    deadline, a size limit): FactCheckImportError naming each URL that failed."""
    documents, problems = [], []
    for url in urls:
        try:
            body, _ = ingest.bytes_from_url(url, max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES)
        except ingest.IngestError as exc:
            problems.append(Problem(url, "", str(exc)))
            continue
        documents.append(Document(url, body))
    if problems:
        raise FactCheckImportError(problems)
    return documents


def factchecks_import(
    *, documents: Iterable[Document], user, progress: Progress | None = None
) -> ImportResult:
    """Import ClaimReview documents into the library, all or nothing (see above).
    ``user`` needs claims.add_factcheck; None is the system (the command)."""
    if user is not None and not user.has_perm(IMPORT):
        raise FactCheckNotPermitted("Only editors can import fact-checks.")
    documents = list(documents)
    found: dict[str, Review] = {}  # by key: the last of duplicates wins, as a re-import would
    # Past the problems a report lists, reading stops: they are not kept.
    problems = Problems(limit=settings.FACTCHECK_IMPORT_MAX_PROBLEMS)
    try:
        for done, doc in enumerate(documents, 1):
            _read(doc, found, problems)
            if progress:
                progress("read", done, len(documents))
    except TooManyProblems:
        pass  # problems.more says so
    if problems:
        raise FactCheckImportError(problems, more=problems.more)
    with transaction.atomic():
        created, updated, skipped = _write(list(found.values()), user, progress)
    return ImportResult(created, updated, skipped, len(documents))


def _read(doc: Document, found: dict[str, Review], problems: Problems) -> None:
    size = len(doc.content) if isinstance(doc.content, str | bytes) else 0
    if size > settings.FACTCHECK_IMPORT_MAX_BYTES:
        limit = settings.FACTCHECK_IMPORT_MAX_BYTES
        problems.append(Problem(doc.name, "", f"larger than the limit of {limit:,} bytes"))
        return
    for review in read_document(doc, problems):
        found[review.key] = review


def _write(items: list[Review], user, progress: Progress | None) -> tuple[int, int, int]:
    """Upsert by key in batches: INSERT ... ON CONFLICT (key) DO UPDATE, one
    statement per batch, so a re-import keeps each row's id (matches point at it)
    and costs what the first import did. Rows of our own verdicts are left alone."""
    created = updated = skipped = 0
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        origins = dict(
            FactCheck.objects.filter(key__in=[r.key for r in batch]).values_list("key", "origin")
        )
        rows = []
        for review in batch:
            if origins.get(review.key) == FactCheckOrigin.OURS:
                skipped += 1
                continue
            rows.append(
                FactCheck(
                    key=review.key,
                    origin=FactCheckOrigin.IMPORTED,
                    document=review.document,
                    imported_by=user,
                    **review.fields,
                )
            )
        FactCheck.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=[*FIELDS, "updated_at"],
        )
        known = sum(1 for row in rows if row.key in origins)
        created, updated = created + len(rows) - known, updated + known
        if progress:
            progress("write", start + len(batch), len(items))
    return created, updated, skipped


# --- Our own verdicts -----------------------------------------------------------------


def factcheck_sync_ours(*, claim: Claim) -> FactCheck | None:
    """Make the library agree with the claim: a FactCheck of origin "ours" while it
    has a verdict and its published fact-check (public URL and summary: what a
    ClaimReview export needs), none otherwise (reopened, or not published yet).
    Idempotent: call it after any change to the verdict or the public fields.

    A row that leaves the library is withdrawn, not deleted: deleting it took the
    matches people confirmed or rejected against it (CASCADE), and a verdict given
    again made a new row with none of them. Withdrawn, it is hidden and lets its key
    go; published again, the same row comes back with its matches."""
    with transaction.atomic():
        existing = FactCheck.objects.select_for_update().filter(claim_id=claim.pk).first()
        held = (existing.url, existing.claim_text, existing.key) if existing else None
        current = reviews.verdict_claims().filter(pk=claim.pk).first()
        published = current is not None and current.public_url and current.public_summary
        if not published or current.status not in VERDICTS:
            if existing is not None and existing.withdrawn_at is None:
                existing.withdrawn_at = timezone.now()
                existing.key = _withdrawn_key(claim.pk)
                existing.save(update_fields=["withdrawn_at", "key", "updated_at"])
                _hand_over_key(*held)
            return None
        if reviews.text_changed_since_verdict(current):
            # A new version changed the claim after its verdict: the review is of the
            # text as it was, and stays in the library as it was published until the
            # claim is checked again (no ClaimReview can be made of it now). A
            # reopen undone brings it back so, if the reopen withdrew it.
            if existing is not None and existing.withdrawn_at is not None:
                existing = _republish(current, existing, existing.url, existing.claim_text)
            return existing
        row = _republish(current, existing, current.public_url, current.text)
        for name, value in _ours(current, row.key).items():
            setattr(row, name, value)
        row.save()
        if held is not None and held[2] != row.key:
            # Moved to another URL (or text): the review it was at is still another
            # claim's, which takes its key as when this one is reopened.
            _hand_over_key(*held)
    return row


def _republish(claim: Claim, existing: FactCheck | None, url: str, text: str) -> FactCheck:
    """The claim's row in the library (``existing``, perhaps withdrawn; or an
    imported copy of the review at ``url`` of ``text``, adopted; or a new row),
    back in the library under the review's key, or a key of its own when another
    claim's row holds that one. Saved only if it was withdrawn."""
    key = factcheck_key(url, text)
    # An imported copy of our own review (same URL and text) becomes this row,
    # keeping its id and so the matches people decided on it (deleted, it took
    # them with it); with a row of our own already, the copy's matches move to it.
    copy = (
        FactCheck.objects.select_for_update()
        .filter(key=key)
        .exclude(claim_id=claim.pk)
        .exclude(origin=FactCheckOrigin.OURS)
        .first()
    )
    if copy is not None and existing is None:
        existing, copy.claim = copy, claim
    elif copy is not None:
        _move_matches(copy, existing)
        copy.delete()
    others = FactCheck.objects.filter(key=key).exclude(claim_id=claim.pk)
    if existing is not None:
        # The adopted import has no claim in the database yet: not another's.
        others = others.exclude(pk=existing.pk)
    if others.exists():
        # Another claim of ours (a copy of this one in another article) has the
        # same review, published at the same URL: it keeps the key, this claim a
        # key of its own. Before, this claim's row deleted the other's.
        key = _own_key(key, claim.pk)
    row = existing or FactCheck(claim=claim)
    row.key = key
    if row.withdrawn_at is not None:
        row.withdrawn_at = None
        row.save(update_fields=["withdrawn_at", "key", "updated_at"])
    return row


def _move_matches(source: FactCheck, target: FactCheck) -> None:
    """The matches to ``source`` (an imported copy of our review, going) moved to
    ``target`` (our row of it), but for the claims matched to ``target`` already:
    of two matches of one claim, a person's decision on the copy is kept over a
    bare suggestion on our row (which goes), and our row's own otherwise."""
    theirs = ClaimMatch.objects.filter(matched_factcheck=source)
    decided = theirs.exclude(state=MatchState.SUGGESTED).values("claim_id")
    ClaimMatch.objects.filter(
        matched_factcheck=target, state=MatchState.SUGGESTED, claim_id__in=decided
    ).delete()
    taken = ClaimMatch.objects.filter(matched_factcheck=target).values("claim_id")
    theirs.exclude(claim_id__in=taken).update(matched_factcheck=target)


def _withdrawn_key(claim_id: int) -> str:
    """The key of a withdrawn row of ours: the review's key is free for an import
    (the page may still be online) or another claim's row of the same review."""
    return hashlib.sha256(f"withdrawn\nclaim {claim_id}".encode()).hexdigest()


def _own_key(key: str, claim_id: int) -> str:
    """The key of our review of a claim whose URL and text another claim's review
    holds already (the review's own key, ``key``, stays with that one)."""
    return hashlib.sha256(f"{key}\nclaim {claim_id}".encode()).hexdigest()


def _hand_over_key(url: str, claim_text: str, held: str) -> None:
    """A row of ours that held ``held`` for the review at ``url`` of ``claim_text``
    (just deleted, or moved to another review) let it go: if that was the review's
    own key, another claim's row of the same review (under a key of its own) takes
    it, so an import of that review is still known as ours."""
    key = factcheck_key(url, claim_text)
    if held != key:
        return
    heir = (
        FactCheck.objects.select_for_update()
        .filter(origin=FactCheckOrigin.OURS, url=url, claim_text=claim_text)
        .filter(withdrawn_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if heir is not None:
        heir.key = key
        heir.save(update_fields=["key"])


def _ours(claim: Claim, key: str) -> dict:
    document = reviews.claim_review_document(claim, build_url=lambda path: path)
    document["url"] = claim.public_url
    if claim.public_summary:
        document["reviewBody"] = claim.public_summary
    rating = document["reviewRating"]
    publisher = settings.CLAIMREVIEW_PUBLISHER
    author = document["itemReviewed"].get("author") or {}
    verdict = reviews.latest_verdict(claim)
    return {
        "key": key,
        "origin": FactCheckOrigin.OURS,
        "claim_text": " ".join(claim.text.split()),
        "claimant": (author.get("name") or "")[:500],
        "rating": rating["alternateName"][:200],
        "rating_value": rating["ratingValue"],
        "rating_best": rating["bestRating"],
        "rating_worst": rating["worstRating"],
        "publisher": publisher["name"][:300],
        "publisher_url": publisher.get("url") or "",
        "url": claim.public_url,
        "language": settings.LANGUAGE_CODE[:20],
        "reviewed_at": verdict.given.created_at if verdict is not None else claim.updated_at,
        "document": document,
    }
