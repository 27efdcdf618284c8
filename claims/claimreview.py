"""schema.org ClaimReview (https://schema.org/ClaimReview) for claims with a verdict.

What Google's fact-check markup reads: claimReviewed, itemReviewed (a Claim with
its author and where it appeared), reviewRating (set explicitly from the
CLAIMREVIEW_RATINGS setting, never derived), author (our newsroom), datePublished,
and from the published fact-check an editor records on the claim: url
(Claim.public_url) and reviewBody / ratingExplanation (Claim.public_summary).
The desk's internal notes and verdict rationales are never published; a claim
without its public URL and summary is refused (ClaimReviewIncomplete).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from claims.models import (
    VERDICTS,
    Article,
    ArticleVersion,
    Claim,
    ClaimStatus,
    SourceType,
    StatusChange,
    VersionChange,
)

CONTEXT = "https://schema.org"
CLAIM_REVIEWED_MAX = 74  # Google: keep claimReviewed under 75 characters
ELLIPSIS = "\u2026"

# itemReviewed.author from the source type: a named person is a Person; an
# organisation or a government body speaking as one ("the health ministry said")
# an Organization; an unnamed source ("another opposition group", "officials")
# or a document has no author schema.org could name, so none is given.
AUTHOR_TYPES = {
    SourceType.NAMED_PERSON: "Person",
    SourceType.NAMED_ORGANIZATION: "Organization",
    SourceType.GOVERNMENT: "Organization",
}


class ClaimReviewIncomplete(ValueError):
    """A verdict without its published fact-check (URL and public summary)."""

    def __init__(self, claims: list[Claim]):
        self.claim_ids = [c.pk for c in claims]
        ids = ", ".join(f"#{pk}" for pk in self.claim_ids)
        which = f"claims {ids} need their" if len(self.claim_ids) > 1 else f"claim {ids} needs its"
        super().__init__(
            f"No ClaimReview without the published fact-check: {which} "
            "public URL and public summary (set by an editor) first."
        )


class ClaimReviewTextChanged(ClaimReviewIncomplete):
    """A verdict given before a new version of the article changed the claim's
    text: the review is of the text as it was ("killed 12"), and publishing it for
    the new text ("killed 14") would say what nobody checked. The claim is to be
    checked again (reopened and given its verdict again)."""

    def __init__(self, claims: list[Claim]):
        self.claim_ids = [c.pk for c in claims]
        ids = ", ".join(f"#{c.pk} (changed in version {c.change_version})" for c in claims)
        ValueError.__init__(
            self,
            f"No ClaimReview of a verdict given before the claim's text changed: claim "
            f"{ids} of the article says something else now; check it again and give "
            "its verdict again.",
        )


def text_changed_since_verdict(claim: Claim) -> bool:
    """Whether the latest version of the article changed the claim's text after its
    current verdict was given (the verdict is about the previous text)."""
    if claim.version_change != VersionChange.CHANGED or not claim.change_version:
        return False
    verdict = _latest_verdict(claim)
    if verdict is None:
        return False
    changed_at = (
        ArticleVersion.objects.filter(article_id=claim.article_id, number=claim.change_version)
        .values_list("created_at", flat=True)
        .first()
    )
    # An undone reopen put the verdict back: it is still the one given then.
    return changed_at is not None and verdict.given.created_at < changed_at


def missing_public(claim: Claim) -> bool:
    return not (claim.public_url.strip() and claim.public_summary.strip())


# The document is meant to be pasted into a <script type="application/ld+json"> of a
# public page. Titles, quotes and verdict notes are anyone's text: a raw "</script>"
# or "<!--" in them would end the script element there. JSON lets any character be
# written as \uXXXX, so these never appear raw (as Django's json_script does);
# U+2028/2029 because older JavaScript parsers end a line at them.
_SCRIPT_SAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def script_safe(json_text: str) -> str:
    """JSON text with <, >, & (and U+2028/2029) escaped: the same value, safe in a
    script element. Only valid on JSON text: these characters occur only in strings."""
    return json_text.translate(_SCRIPT_SAFE)


def dumps(document: dict, *, indent: int | None = None) -> str:
    """A ClaimReview document as script-safe JSON text."""
    return script_safe(json.dumps(document, indent=indent, ensure_ascii=False))


def verdict_claims() -> QuerySet[Claim]:
    """Claims with a verdict, with what a review shows, in a fixed number of queries."""
    verdict_changes = (
        StatusChange.objects.filter(to_status__in=VERDICTS)
        .select_related("restores")
        .order_by("created_at", "id")
    )
    return (
        Claim.objects.filter(status__in=VERDICTS)
        .select_related("article")
        .prefetch_related(Prefetch("status_changes", queryset=verdict_changes, to_attr="verdicts"))
        .order_by("position", "id")
    )


def has_verdict(claim: Claim) -> bool:
    return claim.status in VERDICTS


def shorten(text: str, limit: int = CLAIM_REVIEWED_MAX) -> str:
    """``text`` in at most ``limit`` characters, cut on a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    head, space, _ = cut.rpartition(" ")
    head = (head if space and head else cut[:-1]).rstrip(" ,;:.-\u2013\u2014\"'(")
    return head + ELLIPSIS


def claim_review(claim: Claim, *, build_url=None) -> dict:
    """One ClaimReview (without @context). ``claim`` comes from verdict_claims().
    Raises ClaimReviewIncomplete without the claim's public URL and summary.
    (``build_url`` is accepted for earlier callers; the url is the public one.)"""
    if missing_public(claim):
        raise ClaimReviewIncomplete([claim])
    if text_changed_since_verdict(claim):
        raise ClaimReviewTextChanged([claim])
    verdict = _latest_verdict(claim)
    summary = claim.public_summary.strip()
    review = {
        "@type": "ClaimReview",
        "url": claim.public_url.strip(),
        "claimReviewed": shorten(claim.text),
        "itemReviewed": _item_reviewed(claim),
        "author": _publisher(),
        "reviewRating": {**_rating(claim.status), "ratingExplanation": summary},
        "reviewBody": summary,
    }
    if verdict is not None:
        review["datePublished"] = timezone.localdate(verdict.given.created_at).isoformat()
    else:  # a verdict set outside the workflow (fixtures, imports): its last change
        review["datePublished"] = timezone.localdate(claim.updated_at).isoformat()
    return review


def claim_review_document(claim: Claim, *, build_url=None) -> dict:
    return {"@context": CONTEXT, **claim_review(claim, build_url=build_url)}


def article_review_document(article: Article, claims, *, build_url=None) -> dict:
    """All of an article's verdicts, as one JSON-LD graph; refused (naming them)
    while any of them lacks its published fact-check."""
    claims = list(claims)
    missing = [c for c in claims if missing_public(c)]
    if missing:
        raise ClaimReviewIncomplete(missing)
    changed = [c for c in claims if text_changed_since_verdict(c)]
    if changed:
        raise ClaimReviewTextChanged(changed)
    return {
        "@context": CONTEXT,
        "@graph": [claim_review(c, build_url=build_url) for c in claims],
    }


def latest_verdict(claim: Claim) -> StatusChange | None:
    """The status change that set the claim's current verdict, or None."""
    return _latest_verdict(claim)


def _latest_verdict(claim: Claim) -> StatusChange | None:
    """The status change that set the claim's current verdict (the latest one to it)."""
    changes = getattr(claim, "verdicts", None)
    if changes is None:
        changes = list(
            claim.status_changes.filter(to_status__in=VERDICTS).select_related("restores")
        )
    matching = [c for c in changes if c.to_status == claim.status]
    return matching[-1] if matching else None


def _rating(status: str) -> dict:
    rating = settings.CLAIMREVIEW_RATINGS[status]
    return {
        "@type": "Rating",
        "ratingValue": rating["ratingValue"],
        "bestRating": settings.CLAIMREVIEW_BEST_RATING,
        "worstRating": settings.CLAIMREVIEW_WORST_RATING,
        "alternateName": rating.get("alternateName") or ClaimStatus(status).label,
    }


def _publisher() -> dict:
    publisher = settings.CLAIMREVIEW_PUBLISHER
    result = {"@type": "Organization", "name": publisher["name"]}
    if publisher.get("url"):
        result["url"] = publisher["url"]
    return result


def _item_reviewed(claim: Claim) -> dict:
    article = claim.article
    item = {"@type": "Claim", "appearance": _appearance(article)}
    author = _claim_author(claim)
    if author:
        item["author"] = author
    if article.published_at:
        item["datePublished"] = timezone.localdate(article.published_at).isoformat()
    return item


def _claim_author(claim: Claim) -> dict | None:
    """The claim's source; for a claim the article makes itself, its publication."""
    name = claim.source_text.strip()
    if claim.source_type == SourceType.NONE or not name:
        article = claim.article
        if article.publication:
            return {"@type": "Organization", "name": article.publication}
        return _person(article.author)
    kind = AUTHOR_TYPES.get(claim.source_type)
    if kind is None:
        return None
    author = {"@type": kind, "name": name}
    if kind == "Person" and claim.source_role:
        author["jobTitle"] = claim.source_role
    return author


def _appearance(article: Article) -> dict:
    work = {"@type": "NewsArticle" if article.publication else "CreativeWork"}
    if article.title:
        work["headline"] = article.title
    if article.source_url:
        work["url"] = article.source_url
    if article.published_at:
        work["datePublished"] = timezone.localtime(article.published_at).isoformat()
    author = _person(article.author)
    if author:
        work["author"] = author
    if article.publication:
        work["publisher"] = {"@type": "Organization", "name": article.publication}
    return work


def _person(name: str) -> dict | None:
    name = (name or "").strip()
    return {"@type": "Person", "name": name} if name else None
