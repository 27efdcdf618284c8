"""Article versions: when an ingest is a new version of an article rather than a
new article, storing that version, and carrying claims from one version's text
to the next for the analysis (claims.services.pipeline._save_claims).

An article is one row whatever its versions: its text and header are the latest
version's, and its claims (with everything people did on them) stay its claims.
ArticleVersion keeps each version's text once there is a second one; version 1
is written then, from the article as it was (so a one-version article, nearly
all of them, costs nothing).

Deciding "the same story, updated" is conservative: a wrong "new version" would
mix two stories' claims, a wrong "new article" only duplicates work. The same
URL, or the same publication with a nearly equal title AND a body that mostly
contains the other's phrases (a paper's daily "Morning briefing" has one title
and a new text every day).
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.conf import settings
from django.db import connection
from django.db.models.functions import Left
from django.utils import timezone

from claims.analysis import versions as textversions
from claims.domain import content_hash
from claims.models import SOURCE_URL_KEY, Article, ArticleVersion, Claim, VersionChange

URL_KEY = SOURCE_URL_KEY  # the prefix of source_url its index holds
# Similar claims are looked for among this many unmatched claims of the old text
# nearest to where each new claim is: a rewritten article stays linear.
SIMILAR_CANDIDATES = 30
# Below this share of words in common (Dice over word sets) two claims are not
# compared further: "killed 12" and "killed 14" share 0.5, a changed sentence of
# twenty words 0.9; two different sentences of one story rarely 0.3.
WORDS_SHARED = 0.4
_WORD = re.compile(r"\w+")
# The candidate articles' texts read per statement by article_version_target.
TEXTS_AT_ONCE = 10


# --- Which article a text belongs to ------------------------------------------------


# The article whose current text, or an earlier version's, has this hash: both
# tables in one statement (every ingest of a text asks, and nearly always for
# nothing), its own text first; the article itself read only when there is one.
OF_TEXT_SQL = """
    SELECT id, 0 AS rank FROM claims_article WHERE content_hash = %s
    UNION ALL
    SELECT article_id, 1 AS rank FROM claims_articleversion WHERE content_hash = %s
    ORDER BY rank LIMIT 1
"""


def article_of_text(*, digest: str) -> Article | None:
    """The article whose current or earlier version is this text, if any."""
    with connection.cursor() as cursor:
        cursor.execute(OF_TEXT_SQL, [digest, digest])
        row = cursor.fetchone()
    return Article.objects.filter(pk=row[0]).first() if row is not None else None


def article_of_url(*, url: str) -> Article | None:
    """The (first) article ingested from this URL."""
    return (
        Article.objects.alias(url_key=Left("source_url", URL_KEY))
        .filter(url_key=url[:URL_KEY], source_url=url)
        .order_by("pk")
        .first()
    )


def article_version_target(*, text: str, fields: dict) -> Article | None:
    """The existing article that ``text`` (with its header ``fields``) is a new
    version of, or None: same publication, a title at least
    ARTICLE_VERSION_TITLE_SIMILARITY alike, and a body sharing at least
    ARTICLE_VERSION_BODY_SIMILARITY of the shorter one's three-word phrases.
    Only the publication's ARTICLE_VERSION_CANDIDATES newest articles are looked at."""
    title, publication = _norm(fields.get("title") or ""), fields.get("publication") or ""
    if not title or not publication:
        return None
    candidates = (
        Article.objects.filter(publication=publication)
        .exclude(raw_text="")
        .order_by("-created_at")
        .values_list("pk", "title", "content_hash")[: settings.ARTICLE_VERSION_CANDIDATES]
    )
    limit = settings.ARTICLE_VERSION_TITLE_SIMILARITY
    alike = [(pk, digest) for pk, other, digest in candidates if _alike(title, _norm(other), limit)]
    if not alike:
        return None
    phrases = _phrases(text)
    # Newest first; the texts not kept read a few at a time (one statement for the
    # usual handful, a bounded amount of memory for a long series of megabyte
    # articles), each split once per process (_PHRASES).
    for first in range(0, len(alike), TEXTS_AT_ONCE):
        chunk = alike[first : first + TEXTS_AT_ONCE]
        kept = {pk: _PHRASES.get((pk, digest)) for pk, digest in chunk}
        missing = [pk for pk, found in kept.items() if found is None]
        if missing:
            rows = Article.objects.filter(pk__in=missing).order_by()
            for pk, digest, old in rows.values_list("pk", "content_hash", "raw_text"):
                kept[pk] = _PHRASES.put((pk, digest), _phrases(old))
        for pk, _digest in chunk:
            old = kept.get(pk)  # None: deleted meanwhile
            if (
                old is not None
                and _overlap(phrases, old) >= settings.ARTICLE_VERSION_BODY_SIMILARITY
            ):
                found = Article.objects.filter(pk=pk).first()  # None: deleted just now
                if found is not None:
                    return found
    return None


def _alike(title: str, other: str, limit: float) -> bool:
    """SequenceMatcher(None, title, other).ratio() >= limit, its two cheap upper
    bounds asked first (exact: each is at least the ratio), so that the publication's
    other titles ("Flood kills 12 in Riverton" for "Council passes the budget") are
    set aside without the full comparison."""
    matcher = SequenceMatcher(None, title, other)
    return (
        matcher.real_quick_ratio() >= limit
        and matcher.quick_ratio() >= limit
        and matcher.ratio() >= limit
    )


class _PhraseSets:
    """The three-word phrases of candidate articles' texts, by (id, content hash):
    a batch of texts compares each with the same articles, whose texts were read
    and split again for every item (a 100-item batch against 100 articles with
    alike titles: 10,000 texts, 25 s, near gunicorn's 30 s). The hash changes with
    the text (a new version), so a kept set is never an older text's. Bounded by
    the phrases kept, least recently used out first; thread-safe."""

    def __init__(self, limit: int):
        self.limit = limit
        self._sets: OrderedDict[tuple, set] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> set | None:
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
            return found

    def put(self, key: tuple, phrases: set) -> set:
        """Keep ``phrases`` (unless they alone pass the bound); returns them."""
        if len(phrases) > self.limit:
            return phrases
        with self._lock:
            old = self._sets.pop(key, None)
            self._size += len(phrases) - (len(old) if old is not None else 0)
            self._sets[key] = phrases
            while self._size > self.limit:
                _, dropped = self._sets.popitem(last=False)
                self._size -= len(dropped)
        return phrases

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()
            self._size = 0


# About 150 bytes a phrase (a tuple and its words): at most ~30 MB a process, the
# phrases of 200 articles of 4,000 words (ARTICLE_VERSION_CANDIDATES of them).
PHRASES_KEPT = 200_000
_PHRASES = _PhraseSets(PHRASES_KEPT)


def _norm(title: str) -> str:
    return " ".join(_WORD.findall(title.lower()))


def _phrases(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 3]) for i in range(max(0, len(words) - 2))}


def _overlap(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


# --- Storing a new version -----------------------------------------------------------


def article_version_add(*, article: Article, text: str, fields: dict, user=None) -> ArticleVersion:
    """Make ``text`` the article's next version, inside the caller's transaction
    (which queues its analysis): version 1 is recorded first if this is the
    second, then the article's text and header become the new version's. Its
    claims are left as they are; the analysis carries them over. An IntegrityError
    (the same text stored meanwhile) leaves nothing."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.versions.exists():
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            raw_text=article.raw_text,
            content_hash=article.content_hash,
            title=article.title,
            corrections=article.corrections,
            created_by=article.created_by,
            created_at=article.created_at,
        )
    number = article.version + 1
    digest = content_hash(text)
    version = ArticleVersion.objects.create(
        article=article,
        number=number,
        raw_text=text,
        content_hash=digest,
        title=fields.get("title", ""),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    Article.objects.filter(pk=article.pk).update(
        raw_text=text, content_hash=digest, version=number, corrections=[], **fields
    )
    return version


# --- Carrying claims to a new version's text ------------------------------------------


@dataclass
class Carry:
    """The claims whose offsets point into an earlier version's text, and where
    that text went in the current one."""

    version: int
    exact: dict[int, tuple[int, int]] = field(default_factory=dict)  # unchanged: its new span
    region: dict[int, tuple[int, int]] = field(default_factory=dict)  # where its text went
    place: dict[int, int] = field(default_factory=dict)  # where its start went, about
    old_text: dict[int, str] = field(default_factory=dict)  # its span in its own version

    def stale(self, claim: Claim) -> bool:
        return claim.pk in self.old_text


def claims_carry(*, article_id: int, version: int, text: str, claims: list[Claim]) -> Carry | None:
    """None when every claim is in the current version's text (a plain
    re-analysis); else each older claim's place in ``text``. A claim a version
    already removed is not placed again (only its fingerprint can bring it back)."""
    stale = [
        c for c in claims if c.text_version != version and c.version_change != VersionChange.REMOVED
    ]
    if not stale:
        return None
    numbers = {c.text_version for c in stale}
    texts = dict(
        ArticleVersion.objects.filter(article_id=article_id, number__in=numbers).values_list(
            "number", "raw_text"
        )
    )
    return carry_build(version=version, text=text, claims=stale, texts=texts)


def carry_build(*, version: int, text: str, claims: list[Claim], texts: dict[int, str]) -> Carry:
    """Where each of ``claims`` (offsets into ``texts[claim.text_version]``) is
    in ``text``, version ``version``."""
    alignments = {n: textversions.align(t, text) for n, t in texts.items()}
    stale = claims
    carry = Carry(version)
    for claim in stale:
        old = texts.get(claim.text_version, "")
        carry.old_text[claim.pk] = old[claim.start : claim.end] if old else claim.text
        alignment = alignments.get(claim.text_version)
        if alignment is None:
            continue
        exact = alignment.exact(claim.start, claim.end)
        if exact is not None:
            carry.exact[claim.pk] = exact
        carry.region[claim.pk] = alignment.region(claim.start, claim.end)
        carry.place[claim.pk] = alignment.estimate(claim.start)
    return carry


def claims_similar(carry: Carry, new_claims: list, matches: list, candidates: list[Claim]) -> None:
    """Fill ``matches`` (the existing claim each new claim takes over, or None)
    for the new claims still without one: the most alike unmatched old claim
    whose text went where the new claim is, if at least
    ARTICLE_VERSION_CLAIM_SIMILARITY alike. Best pairs first."""
    threshold = settings.ARTICLE_VERSION_CLAIM_SIMILARITY
    free = sorted(
        (c for c in candidates if c.pk in carry.region and not c.human_added),
        key=lambda c: carry.place[c.pk],
    )
    if not free:
        return
    places = [carry.place[c.pk] for c in free]
    words = {c.pk: _words(carry.old_text[c.pk]) for c in free}
    pairs = []
    for i, c in enumerate(new_claims):
        if matches[i] is not None:
            continue
        mine = _words(c.text)
        for old in _near(free, places, c.start, c.end, carry):
            # Sharing few words rules a pair out cheaply: the character ratio below
            # costs a millisecond a pair, and a rewritten article has thousands.
            if _dice(mine, words[old.pk]) < WORDS_SHARED:
                continue
            score = textversions.similarity(carry.old_text[old.pk], c.text)
            if score >= threshold:
                pairs.append((score, i, old))
    taken: set[int] = set()
    for _, i, old in sorted(pairs, key=lambda p: (-p[0], p[1], p[2].pk)):
        if matches[i] is None and old.pk not in taken:
            matches[i] = old
            taken.add(old.pk)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _dice(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def _near(free: list[Claim], places: list[int], start: int, end: int, carry: Carry) -> list[Claim]:
    """Old claims whose text went where [start, end) is (their region overlaps
    it), at most SIMILAR_CANDIDATES of those placed nearest."""
    at = bisect.bisect_left(places, start)
    window = free[max(0, at - SIMILAR_CANDIDATES) : at + SIMILAR_CANDIDATES]
    near = [c for c in window if carry.region[c.pk][0] <= end and carry.region[c.pk][1] >= start]
    near.sort(key=lambda c: abs(carry.place[c.pk] - start))
    return near[:SIMILAR_CANDIDATES]


def version_mark(carry: Carry, claim: Claim | None, text: str) -> tuple[str, str]:
    """(change, previous text) of a claim of the new version that took over
    ``claim`` (None: nothing did)."""
    if claim is None or not carry.stale(claim):
        return VersionChange.NEW, ""
    before = carry.old_text[claim.pk]
    if textversions.normalised(before) == textversions.normalised(text):
        return VersionChange.UNCHANGED, ""
    return VersionChange.CHANGED, before
