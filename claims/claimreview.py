"""schema.org ClaimReview (https://schema.org/ClaimReview) for claims with a verdict.

What Google's fact-check markup reads: claimReviewed, itemReviewed (a Claim with
its author and where it appeared), reviewRating (set explicitly from the
CLAIMREVIEW_RATINGS setting, never derived), author (our newsroom), datePublished
and url (the claim's page on the dashboard).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from claims.models import VERDICTS, Article, Claim, ClaimStatus, SourceType, StatusChange

CONTEXT = "https://schema.org"
CLAIM_REVIEWED_MAX = 74  # Google: keep claimReviewed under 75 characters
ELLIPSIS = "\u2026"

PERSON_SOURCES = {SourceType.NAMED_PERSON, SourceType.UNNAMED}

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
    verdict_changes = StatusChange.objects.filter(to_status__in=VERDICTS).order_by(
        "created_at", "id"
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


def claim_review(claim: Claim, *, build_url) -> dict:
    """One ClaimReview (without @context). ``claim`` comes from verdict_claims();
    ``build_url`` makes a path absolute (request.build_absolute_uri)."""
    verdict = _latest_verdict(claim)
    review = {
        "@type": "ClaimReview",
        "url": build_url(settings.CLAIMREVIEW_CLAIM_PATH.format(id=claim.pk)),
        "claimReviewed": shorten(claim.text),
        "itemReviewed": _item_reviewed(claim),
        "author": _publisher(),
        "reviewRating": _rating(claim.status),
    }
    if verdict is not None:
        review["datePublished"] = verdict.created_at.date().isoformat()
        if verdict.note:
            review["reviewRating"]["ratingExplanation"] = verdict.note
    else:  # a verdict set outside the workflow (fixtures, imports): its last change
        review["datePublished"] = claim.updated_at.date().isoformat()
    return review


def claim_review_document(claim: Claim, *, build_url) -> dict:
    return {"@context": CONTEXT, **claim_review(claim, build_url=build_url)}


def article_review_document(article: Article, claims, *, build_url) -> dict:
    """All of an article's verdicts, as one JSON-LD graph."""
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
        changes = list(claim.status_changes.filter(to_status__in=VERDICTS))
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
        item["datePublished"] = article.published_at.date().isoformat()
    return item


def _claim_author(claim: Claim) -> dict | None:
    """The claim's source; for a claim the article makes itself, its publication."""
    name = claim.source_text.strip()
    if claim.source_type == SourceType.NONE or not name:
        article = claim.article
        if article.publication:
            return {"@type": "Organization", "name": article.publication}
        return _person(article.author)
    kind = "Person" if claim.source_type in PERSON_SOURCES else "Organization"
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
        work["datePublished"] = article.published_at.isoformat()
    author = _person(article.author)
    if author:
        work["author"] = author
    if article.publication:
        work["publisher"] = {"@type": "Organization", "name": article.publication}
    return work


def _person(name: str) -> dict | None:
    name = (name or "").strip()
    return {"@type": "Person", "name": name} if name else None
