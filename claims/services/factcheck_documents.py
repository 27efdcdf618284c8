"""Reading published fact-checks: schema.org ClaimReview documents in the shapes
fact-checkers publish them, checked item by item before anything is stored.

Accepted shapes, each as a file, a URL's body or an API request body:

* JSON-LD: one ClaimReview object, a list of them, or an ``@graph``;
* an HTML page with ``<script type="application/ld+json">`` blocks;
* a feed: a schema.org ``DataFeed`` whose ``dataFeedElement`` items hold the reviews
  (Google's ClaimReview feed and DataCommons' fact-check feeds), or the ``claims``
  list of Google's Fact Check Tools API (each claim with its ``claimReview`` list);
* JSON Lines (``.jsonl``/``.ndjson``, or a file that is one JSON value per line):
  each line any of the above.

Where a document says "these are the reviews" (a list, a feed, a line), an item of
another ``@type`` is an error. In an ``@graph`` or an HTML page other nodes are
normal (the page's Organization, WebSite...) and are passed over; such a document
with no ClaimReview at all is an error.

Every problem says where: the document, the line (JSON Lines, JSON syntax errors)
or the item number, and the reason.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import NamedTuple

import lxml.html
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from claims.ingest import IngestError, check_markup

URL_MAX = 2000
JSON_LINES = (".jsonl", ".ndjson")
_URL = URLValidator(schemes=["http", "https"])
TOO_DEEP = "the JSON is nested too deeply"
# What no text column takes: NUL (PostgreSQL's text and jsonb refuse it; every
# other write here refuses it with a 400) and a lone surrogate ("\ud800" without
# its pair: it cannot even be encoded). A review is stored whole (``document``),
# so one anywhere in it is a problem of that review.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Document(NamedTuple):
    """One input: ``content`` is its text (str or bytes) or an already parsed JSON
    value (an API request body)."""

    name: str
    content: str | bytes | dict | list


@dataclass(frozen=True)
class Problem:
    document: str
    where: str  # "line 3", "item 2", "graph item 4", "" for the whole document
    reason: str

    def __str__(self) -> str:
        place = f"{self.document}, {self.where}" if self.where else self.document
        return f"{place}: {self.reason}"

    def as_dict(self) -> dict:
        return {"document": self.document, "where": self.where, "reason": self.reason}


@dataclass(frozen=True)
class Review:
    """A checked ClaimReview: the FactCheck fields it gives, and the node as read."""

    where: str
    key: str
    fields: dict
    document: dict


def factcheck_key(url: str, claim_text: str) -> str:
    """The library's identity of a fact-check: the review's URL and the claim's text
    (whitespace-normalised), so that a re-import finds the row it made."""
    text = " ".join(claim_text.split())
    return hashlib.sha256(f"{url}\n{text}".encode()).hexdigest()


class TooManyProblems(Exception):
    """Problems.append past the limit: reading stops here."""


class Problems(list):
    """The problems found so far, at most ``limit`` of them: the next one sets
    ``more`` and raises TooManyProblems, which stops the reading. A 45 MB file of
    ``[{},{},...]`` is fifteen million problems; kept, they took 6 GB and a minute,
    for a report that lists the first few hundred."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = max(limit, 1)  # the first problem is kept: it is what refuses the import
        self.more = False

    def append(self, problem: Problem) -> None:
        if len(self) >= self.limit:
            self.more = True
            raise TooManyProblems
        super().append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)


def read_document(doc: Document, problems: Problems) -> list[Review]:
    """The reviews of one document; the problems found in it go to ``problems``
    (which raises TooManyProblems when full)."""
    reviews: list[Review] = []
    found_before = len(problems)
    lenient_nodes = 0
    try:
        for where, node, strict in _nodes(doc, problems):
            if not _is_claim_review(node):
                if strict:
                    problems.append(Problem(doc.name, where, _wrong_type(node)))
                else:
                    lenient_nodes += 1
                continue
            review, reasons = _review(where, node)
            problems.extend(Problem(doc.name, where, r) for r in reasons)
            if review is not None:
                reviews.append(review)
    except RecursionError:  # a value that parsed, nested too deeply to walk
        problems.append(Problem(doc.name, "", TOO_DEEP))
    if not reviews and len(problems) == found_before:
        problems.append(Problem(doc.name, "", "no ClaimReview was found in it"))
    return reviews


# --- Shapes ---------------------------------------------------------------------------


def _nodes(doc: Document, problems: list[Problem]) -> Iterator[tuple[str, dict, bool]]:
    """(where, node, strict) for every candidate review of the document."""
    if isinstance(doc.content, dict | list):
        yield from _walk(doc.content, "", True, doc.name, problems)
        return
    text = _text_of(doc, problems)
    if text is None:
        return
    body = text.lstrip()
    if not body:
        problems.append(Problem(doc.name, "", "the document is empty"))
    elif doc.name.lower().endswith(JSON_LINES):
        yield from _json_lines(text, doc.name, problems)
    elif body.startswith("<"):
        yield from _html(text, doc.name, problems)
    else:
        try:
            value = _loads(text)
        except Unreadable as exc:
            problems.append(Problem(doc.name, "", str(exc)))
            return
        except json.JSONDecodeError as exc:
            if _looks_like_json_lines(text):
                yield from _json_lines(text, doc.name, problems)
            else:
                where = f"line {exc.lineno}, column {exc.colno}"
                problems.append(Problem(doc.name, where, f"not valid JSON ({exc.msg})"))
            return
        yield from _walk(value, "", True, doc.name, problems)


def _text_of(doc: Document, problems: list[Problem]) -> str | None:
    content = doc.content
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(doc.name, "", f"not UTF-8 text (byte {exc.start + 1})"))
            return None
    return content.removeprefix("\ufeff")


class Unreadable(ValueError):
    """JSON whose values cannot be read or stored, though its syntax parses (the
    parser says not where): NaN or Infinity, which json.loads takes but JSON has
    not (PostgreSQL's jsonb and SQLite's JSON_VALID refuse them), or an integer
    past the 4,300 digits int() converts."""


def _refuse_constant(name: str):
    raise Unreadable(f"not valid JSON ({name} is not a JSON value)")


def _loads(text: str):
    """json.loads, with a document nested a few thousand levels deep (which makes
    the parser raise RecursionError) reported as the JSON error it is, and values
    it cannot hold refused (Unreadable)."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except (json.JSONDecodeError, Unreadable):
        raise
    except ValueError:  # int(): "Exceeds the limit (4300 digits) ..."
        raise Unreadable("a number of more than 4,300 digits, which cannot be read") from None


def _looks_like_json_lines(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        _loads(lines[0])
    except ValueError:  # json.JSONDecodeError, Unreadable
        return False
    return True


def _json_lines(text: str, name: str, problems: list[Problem]):
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = _loads(line)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON ({exc.msg}, column {exc.colno})"
            problems.append(Problem(name, f"line {number}", reason))
            continue
        except Unreadable as exc:
            problems.append(Problem(name, f"line {number}", str(exc)))
            continue
        yield from _walk(value, f"line {number}", True, name, problems)


def _html(text: str, name: str, problems: list[Problem]):
    try:
        check_markup(text)  # before the parser, whose time grows with a tag's attributes squared
        tree = lxml.html.document_fromstring(text)
    except IngestError as exc:
        problems.append(Problem(name, "", f"not a readable HTML page ({exc})"))
        return
    except (ValueError, lxml.etree.ParserError) as exc:
        problems.append(Problem(name, "", f"not a readable HTML page ({exc})"))
        return
    scripts = tree.xpath('//script[@type="application/ld+json"]')
    for number, script in enumerate(scripts, 1):
        where = f"script {number}"
        try:
            value = _loads(script.text or "")
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, where, f"not valid JSON ({exc.msg}, line {exc.lineno})"))
            continue
        except Unreadable as exc:
            problems.append(Problem(name, where, str(exc)))
            continue
        # A page's JSON-LD describes the page too: other nodes are not errors.
        yield from _walk(value, where, False, name, problems)


def _walk(value, where: str, strict: bool, name: str, problems: list[Problem]):
    if isinstance(value, list):
        for i, item in enumerate(value, 1):
            yield from _walk(item, _join(where, f"item {i}"), strict, name, problems)
    elif not isinstance(value, dict):
        problems.append(Problem(name, where, f"a {_json_type(value)}, not a JSON object"))
    elif "@graph" in value:
        graph = value["@graph"]
        graph = graph if isinstance(graph, list) else [graph]
        for i, item in enumerate(graph, 1):
            yield from _walk(item, _join(where, f"graph item {i}"), False, name, problems)
    elif "dataFeedElement" in value:
        yield from _feed(value["dataFeedElement"], where, name, problems)
    elif "@type" not in value and isinstance(value.get("claims"), list):
        yield from _fact_check_tools(value["claims"], where, name, problems)
    else:
        yield where, value, strict


def _feed(elements, where: str, name: str, problems: list[Problem]):
    """A DataFeed: each element a DataFeedItem whose ``item`` is the review (or a
    list of them), or the review itself."""
    for i, element in enumerate(elements if isinstance(elements, list) else [elements], 1):
        place = _join(where, f"feed item {i}")
        if isinstance(element, dict) and "item" in element:
            yield from _walk(element["item"], place, True, name, problems)
        else:
            yield from _walk(element, place, True, name, problems)


def _fact_check_tools(claims: list, where: str, name: str, problems: list[Problem]):
    """Google Fact Check Tools API results, each claim's reviews as ClaimReviews."""
    for i, claim in enumerate(claims, 1):
        place = _join(where, f"claim {i}")
        if not isinstance(claim, dict):
            problems.append(Problem(name, place, "a claim must be a JSON object"))
            continue
        for j, review in enumerate(claim.get("claimReview") or [], 1):
            if not isinstance(review, dict):
                problems.append(Problem(name, f"{place}, review {j}", "not a JSON object"))
                continue
            publisher = review.get("publisher") or {}
            node = {
                "@type": "ClaimReview",
                "claimReviewed": claim.get("text"),
                "itemReviewed": {"@type": "Claim", "author": {"name": claim.get("claimant")}},
                "url": review.get("url"),
                "reviewRating": {"alternateName": review.get("textualRating")},
                "author": {"name": publisher.get("name") if isinstance(publisher, dict) else ""},
                "inLanguage": review.get("languageCode"),
            }
            if review.get("reviewDate"):
                node["datePublished"] = review["reviewDate"]
            yield f"{place}, review {j}", node, True


def _join(where: str, part: str) -> str:
    return f"{where}, {part}" if where else part


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string" if isinstance(value, str) else type(value).__name__


def _types(node: dict) -> list[str]:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    # "ClaimReview", "schema:ClaimReview", "https://schema.org/ClaimReview"
    return [t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in types if isinstance(t, str)]


def _is_claim_review(node: dict) -> bool:
    return "ClaimReview" in _types(node)


def _wrong_type(node: dict) -> str:
    if "@type" not in node:
        return "no @type: expected a ClaimReview"
    return f"@type is {node['@type']!r}, not ClaimReview"


# --- One review -----------------------------------------------------------------------


def _review(where: str, node: dict) -> tuple[Review | None, list[str]]:
    reasons: list[str] = []
    unstorable = _unstorable(node)
    if unstorable:
        reasons.append(unstorable)
    claim_text = node.get("claimReviewed")
    if not isinstance(claim_text, str) or not claim_text.strip():
        reasons.append("claimReviewed is missing or empty")
    url = _url(node.get("url"), "url", reasons, required=True)
    rating = _first(node.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    publisher = _first(node.get("author")) or _first(node.get("publisher"))
    fields = {
        "claimant": _name(_first(_item_author(node)))[:500],
        "rating": _plain(rating.get("alternateName"))[:200],
        "rating_value": _number(rating, "ratingValue", reasons),
        "rating_best": _number(rating, "bestRating", reasons),
        "rating_worst": _number(rating, "worstRating", reasons),
        "publisher": _name(publisher)[:300],
        "publisher_url": _url(
            publisher.get("url") if isinstance(publisher, dict) else None,
            "author.url",
            reasons,
        ),
        "language": _language(node.get("inLanguage"))[:20],
        "reviewed_at": _date(node.get("datePublished"), reasons),
    }
    if reasons:
        return None, reasons
    claim_text = " ".join(claim_text.split())
    fields.update(claim_text=claim_text, url=url)
    return Review(where, factcheck_key(url, claim_text), fields, node), []


def _unstorable(node: dict) -> str | None:
    """Why the node cannot be stored (the field with a NUL or a lone surrogate, in
    a key or a value, or a number past a float's range: 1e400 reads as infinity,
    which no JSON column takes), or None. A loop, not a recursion: nodes can be deep."""
    stack: list[tuple[str, object]] = [("", node)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append((_join_field(path, key), item))
                stack.append((_join_field(path, "(a key)"), key))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, str) and (found := _UNSTORABLE.search(value)):
            char = found.group()
            what = "a NUL character" if char == "\x00" else "a lone surrogate"
            return f"{path} contains {what} (U+{ord(char):04X}), which cannot be stored"
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{path} is a number too large to be stored"
    return None


def _join_field(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _item_author(node: dict):
    item = _first(node.get("itemReviewed"))
    return item.get("author") if isinstance(item, dict) else None


def _plain(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _name(value) -> str:
    if isinstance(value, dict):
        return _plain(value.get("name"))
    return _plain(value)


def _language(value) -> str:
    if isinstance(value, dict):
        return _plain(value.get("alternateName") or value.get("name"))
    return _plain(value)


def _url(value, field: str, reasons: list[str], *, required: bool = False) -> str:
    if value in (None, ""):
        if required:
            reasons.append(f"{field} is missing")
        return ""
    if not isinstance(value, str):
        reasons.append(f"{field} must be a string, not a {_json_type(value)}")
        return ""
    value = value.strip()
    if len(value) > URL_MAX:
        reasons.append(f"{field} is longer than {URL_MAX} characters")
        return ""
    if not _web_url(value):
        reasons.append(f"{field} {value[:200]!r} is not an http:// or https:// URL")
        return ""
    return value


@lru_cache(maxsize=4096)  # a feed repeats its publishers' URLs thousands of times
def _web_url(value: str) -> bool:
    try:
        _URL(value)
    except ValidationError:
        return False
    return True


def _number(rating: dict, field: str, reasons: list[str]) -> float | None:
    value = rating.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        value = "true/false"
    try:
        number = float(value)
    except (TypeError, ValueError):
        reasons.append(f"reviewRating.{field} {value!r} is not a number")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        reasons.append(f"reviewRating.{field} {value!r} is not a number")
        return None
    return number


# A day from the calendar's ends: no time zone is a day or more from UTC.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)


def _date(value, reasons: list[str]) -> datetime | None:
    """datePublished: an ISO 8601 date or date-time (a date alone is midnight UTC;
    a date-time without an offset is read as UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                parsed = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
            else:
                parsed = datetime.fromisoformat(text)
                parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            # Stored in UTC and shown in the newsroom's zone (TIME_ZONE), so it must
            # be a date in every zone: 9999-12-31T23:00-05:00 is year 10000 in UTC,
            # 9999-12-31T23:00Z year 10000 in Tokyo, which no datetime reads back
            # (OverflowError: a 500 on every page that shows it).
            if not _EARLIEST <= parsed.astimezone(UTC) <= _LATEST:
                raise ValueError("past the calendar in some time zone")
            return parsed
        except (ValueError, OverflowError):
            pass
    reasons.append(f"datePublished {value!r} is not an ISO 8601 date (YYYY-MM-DD)")
    return None
