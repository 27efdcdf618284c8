"""Sources as entities across articles, and what editors do with them.

A claim's source name (``Claim.source_text``) is normalised (case, accents,
punctuation and "the" do not count: "The U.S. Army" and "US army" are one name)
and looked up among the aliases of the sources; a name seen for the first time
makes a new source. Only named sources become entities: an unnamed source
("officials said", "a witness") or a claim the publication makes itself is no one
in particular, and linking every "officials" of every article to one source would
give "officials" a track record that means nothing. So a name is resolved only if
its type is not unnamed/none, it has a capitalised word after any leading
determiner, and it is not made only of generic nouns ("Officials", "Police
sources", "A spokesman").

Editors merge two sources (one name for one body: "Ana Ruiz" and "Ruiz") and split
names out of one (two people with one surname); both are recorded (SourceChange).

With SOURCE_RECORD_PRIOR on, a source's record on its other claims is a prior on
the strength of each of its claims (claims.analysis.confidence), rescored here
whenever claims are linked, merged, split or get a verdict.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count

from claims.analysis.lexicon import source_nouns
from claims.analysis.types import SourceRecord
from claims.domain import claim_confidence
from claims.models import (
    VERDICTS,
    Claim,
    ClaimStatus,
    Source,
    SourceAlias,
    SourceChange,
    SourceType,
)

UNRESOLVED_TYPES = {SourceType.UNNAMED, SourceType.NONE}
DETERMINERS = {"the", "a", "an", "some", "several", "two", "three", "many", "other"}
# Words that name no one in particular, beside the engine's source nouns.
GENERIC_WORDS = {
    "senior", "local", "county", "state", "federal", "city", "national", "regional",
    "government", "authorities", "authority", "police", "ministry", "department", "army",
    "military", "spokesman", "spokeswoman", "spokesperson", "sources", "officials",
}  # fmt: skip
BATCH = 500
MANAGE = "claims.manage_source"


class SourceError(Exception):
    """A refused merge or split; the message is for people."""

    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SourceNotPermitted(SourceError):
    code = "permission_denied"


# --- Names ----------------------------------------------------------------------------


def source_key(name: str) -> str:
    """The normalised name: lower case, no accents, no punctuation, no "the"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['\u2019.]", "", text)  # "U.S." is "us", "Reuters'" is "reuters"
    words = re.sub(r"[\W_]+", " ", text).split()
    return " ".join(w for w in words if w != "the")[:300]


def resolvable_key(name: str, source_type: str) -> str | None:
    """The key a claim's source resolves by, or None for no one in particular."""
    if source_type in UNRESOLVED_TYPES or not name or not name.strip():
        return None
    words = name.split()
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    if not any(w[:1].isupper() for w in words):
        return None  # "the department", "county officials"
    key = source_key(" ".join(words))
    if not key or all(_generic(w) for w in key.split()):
        return None
    return key


def _generic(word: str) -> bool:
    nouns = source_nouns()
    kinds = ("unnamed", "spokesperson", "group")
    singular = word[:-1] if word.endswith("s") else word
    return (
        word in GENERIC_WORDS
        or word in DETERMINERS
        or any(word in nouns.get(k, ()) or singular in nouns.get(k, ()) for k in kinds)
    )


def display_name(name: str) -> str:
    name = " ".join(name.split())
    # "The Syrian Observatory said" and "the Syrian Observatory said" are one name.
    return name[4:] if name[:4].lower() == "the " and len(name) > 4 else name


# --- Resolution -----------------------------------------------------------------------


def sources_resolve(*, claim_ids: Iterable[int]) -> int:
    """Link each claim to the source its name resolves to (a new one for a new
    name); unlink claims whose source is no one in particular. Returns how many
    claims are linked. Idempotent."""
    claim_ids = list(claim_ids)
    if not claim_ids:  # a run whose claims were all written with their source (sources_link)
        return 0
    claims = list(Claim.objects.filter(pk__in=claim_ids).only("pk", "source_text", "source_type"))
    linked: dict[int | None, list[int]] = defaultdict(list)
    for claim, source_id in zip(claims, _source_ids(claims), strict=True):
        linked[source_id].append(claim.pk)
    for source_id, ids in linked.items():
        for start in range(0, len(ids), BATCH):
            # Only the rows that change: PostgreSQL writes a new version of every row
            # an UPDATE matches, with an entry in each of the claim's indexes, even
            # where the value is the same (a new claim's NULL; a re-analysis's source).
            Claim.objects.filter(pk__in=ids[start : start + BATCH]).exclude(
                source_id=source_id
            ).update(source_id=source_id)
    sources_rescore(claim_ids=[c.pk for c in claims])
    return sum(len(ids) for sid, ids in linked.items() if sid is not None)


def sources_link(*, claims: list[Claim]) -> None:
    """Set the source of claims about to be saved (in memory, as sources_resolve
    would link them once saved; a new name's source is created now), so that the
    analysis writes each claim once, its source with it: an UPDATE of source_id
    after the insert rewrote the row and each of its index entries. The caller
    rescores them (sources_rescore) once they are saved."""
    for claim, source_id in zip(claims, _source_ids(claims), strict=True):
        claim.source_id = source_id


def _source_ids(claims: list[Claim]) -> list[int | None]:
    """The source each claim's name resolves to, in order; None for no one."""
    keys = [resolvable_key(c.source_text, c.source_type) for c in claims]
    wanted = {k for k in keys if k}
    if not wanted:
        return [None] * len(keys)
    found = dict(SourceAlias.objects.filter(key__in=wanted).values_list("key", "source_id"))
    first_seen = {}
    for claim, key in zip(claims, keys, strict=True):
        first_seen.setdefault(key, claim)
    for key in sorted(wanted - set(found)):
        claim = first_seen[key]
        found[key] = _create(key, display_name(claim.source_text), claim.source_type)
    return [found[k] if k else None for k in keys]


def _create(key: str, name: str, source_type: str) -> int:
    """A new source for a new name. Two analyses may meet the same new name at once:
    the alias key is unique, so the second one's insert fails and it takes the
    first one's source."""
    try:
        with transaction.atomic():
            source = Source.objects.create(key=key, name=name[:500], type=source_type)
            SourceAlias.objects.create(source=source, key=key, name=name[:500])
            return source.pk
    except IntegrityError:
        return SourceAlias.objects.get(key=key).source_id


# --- Merge and split --------------------------------------------------------------------


def source_merge(*, source: Source, into: Source, user) -> SourceChange:
    """Merge ``source`` into ``into``: its names and claims move; it stays as a
    pointer (merged_into) so that links to it still lead somewhere."""
    _check(user)
    if source.pk == into.pk:
        raise SourceError("A source cannot be merged into itself.")
    with transaction.atomic():
        # Both as they are now, locked: two merges of the same pair in opposite
        # directions must not both pass the check (a cycle, merged into each other).
        merged = dict(
            Source.objects.select_for_update()
            .filter(pk__in=[source.pk, into.pk])
            .order_by("pk")
            .values_list("pk", "merged_into_id")
        )
        if len(merged) < 2:
            raise SourceError("That source does not exist any more.")
        if merged[source.pk] or merged[into.pk]:
            raise SourceError("That source was already merged; use the one it was merged into.")
        names = list(SourceAlias.objects.filter(source=source).values_list("name", flat=True))
        SourceAlias.objects.filter(source=source).update(source=into)
        moved = list(Claim.objects.filter(source=source).values_list("pk", flat=True))
        Claim.objects.filter(pk__in=moved).update(source=into)
        Source.objects.filter(merged_into=source).update(merged_into=into)
        Source.objects.filter(pk=source.pk).update(merged_into=into)
        source.merged_into = into
        change = SourceChange.objects.create(
            source=source, other=into, user=user, action="merged", aliases=names, claims=len(moved)
        )
        sources_rescore(claim_ids=Claim.objects.filter(source=into).values_list("pk", flat=True))
    return change


def source_split(*, source: Source, aliases: list[str], user) -> Source:
    """Move some of a source's names (alias keys or names as shown) to a new
    source, with the claims that carry them; returns the new source. Splitting off
    the source's own name: the new source has that name, and this one is renamed
    after one of the names it keeps."""
    _check(user)
    if source.merged_into_id:
        raise SourceError("That source was merged; split the one it was merged into.")
    own = {a.key: a for a in SourceAlias.objects.filter(source=source)}
    wanted = {source_key(a) for a in aliases if a and a.strip()}
    unknown = wanted - set(own)
    if not wanted or unknown:
        raise SourceError(
            "Name the aliases of this source to split off"
            + (f"; not its aliases: {', '.join(sorted(unknown))}." if unknown else ".")
        )
    if wanted == set(own):
        raise SourceError("A split must leave this source at least one of its names.")
    first = own[source.key] if source.key in wanted else own[sorted(wanted)[0]]
    with transaction.atomic():
        new = Source.objects.create(key=first.key, name=first.name, type=source.type)
        SourceAlias.objects.filter(source=source, key__in=wanted).update(source=new)
        if source.key in wanted:
            # Its own name went with the split: it is named after a name it keeps,
            # or two sources would bear one name (and its page the other's).
            kept = own[sorted(set(own) - wanted)[0]]
            Source.objects.filter(pk=source.pk).update(key=kept.key, name=kept.name)
            source.key, source.name = kept.key, kept.name
        moved = [
            c.pk
            for c in Claim.objects.filter(source=source).only("pk", "source_text", "source_type")
            if resolvable_key(c.source_text, c.source_type) in wanted
        ]
        Claim.objects.filter(pk__in=moved).update(source=new)
        SourceChange.objects.create(
            source=source,
            other=new,
            user=user,
            action="split",
            aliases=sorted(own[k].name for k in wanted),
            claims=len(moved),
        )
        ids = Claim.objects.filter(source__in=[source, new]).values_list("pk", flat=True)
        sources_rescore(claim_ids=ids)
    return new


def _check(user) -> None:
    if not user.has_perm(MANAGE):
        raise SourceNotPermitted("Only editors can merge and split sources.")


# --- The record as a prior ---------------------------------------------------------------


def source_counts(source_ids: Iterable[int]) -> dict[int, Counter]:
    """Claims per status of each source."""
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = (
        Claim.objects.filter(source_id__in=list(source_ids))
        .values("source_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["source_id"]][row["status"]] = row["n"]
    return counts


def claim_records(claims: list[Claim]) -> dict[int, SourceRecord]:
    """Each claim's source record on its other claims, where it has at least
    SOURCE_RECORD_MIN_VERDICTS verdicts (the claim's own verdict never counts)."""
    counts = source_counts({c.source_id for c in claims if c.source_id})
    records = {}
    for claim in claims:
        if not claim.source_id:
            continue
        count = counts[claim.source_id].copy()
        if claim.status in VERDICTS:
            count[claim.status] -= 1
        verdicts = sum(count[v] for v in VERDICTS)
        if verdicts >= settings.SOURCE_RECORD_MIN_VERDICTS:
            records[claim.pk] = SourceRecord(count[ClaimStatus.VERIFIED], verdicts)
    return records


def confidence_policy() -> dict:
    return {**settings.CONFIDENCE_POLICY, "record": {"weight": settings.SOURCE_RECORD_WEIGHT}}


def sources_rescore(*, claim_ids: Iterable[int]) -> None:
    """With SOURCE_RECORD_PRIOR on, score the claims again with their sources'
    records (a claim whose source has too few verdicts is scored without)."""
    if not settings.SOURCE_RECORD_PRIOR:
        return
    ids = list(claim_ids)
    policy = confidence_policy()
    for start in range(0, len(ids), BATCH):
        claims = list(
            Claim.objects.filter(pk__in=ids[start : start + BATCH]).prefetch_related("hedges")
        )
        records = claim_records(claims)
        for claim in claims:
            conf = claim_confidence(claim, policy, record=records.get(claim.pk))
            claim.confidence_score, claim.confidence_level = conf.score, conf.level
            claim.confidence_reasons = conf.reasons
        Claim.objects.bulk_update(
            claims, ["confidence_score", "confidence_level", "confidence_reasons"]
        )


def source_record_changed(*, claim: Claim) -> None:
    """A claim's verdict changed: its source's other claims are scored again."""
    if settings.SOURCE_RECORD_PRIOR and claim.source_id:
        ids = Claim.objects.filter(source_id=claim.source_id).values_list("pk", flat=True)
        sources_rescore(claim_ids=ids)
