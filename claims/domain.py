"""Small helpers on articles and claims that the services, the workflow and the
tests all use: content hashes, claim fingerprints, the confidence of a saved
claim, and the one validator of evidence links.

They sit below every service so that the workflow and the pipeline can share
them without importing each other: this module imports the engine and nothing
else of ours.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from claims.analysis.confidence import score_claim
from claims.analysis.types import Claim as EngineClaim
from claims.analysis.types import Confidence, Hedge, Source, SourceRecord, Span

if TYPE_CHECKING:
    from claims.models import Claim


EVIDENCE_URL_MAX = 2000
# Characters that change how a link reads without changing where it goes: every
# C0/C1 control (category Cc) and every format character (Cf): the bidirectional
# embeddings, overrides and isolates (a right-to-left override shows
# "moc.elgoog//:sptth" as something else), the direction marks, and the invisible
# ones (zero-width space U+200B, word joiner U+2060, U+FEFF, soft hyphen U+00AD:
# "goo\u200bgle.com" reads as google.com and is another host). And the letters
# that draw nothing though they are not Cf (Hangul fillers, the combining grapheme
# joiner).
_DISGUISING_CATEGORIES = ("Cc", "Cf")
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0")
_WEB_URL = URLValidator(schemes=["http", "https"])


def validate_evidence_url(url: str) -> None:
    """The one check of an evidence link, on every path (dashboard, API, admin and
    the workflow service): an http or https URL that reads as what it is."""
    hidden = _disguising(url)
    if hidden:
        raise ValidationError(
            "The link contains an invisible control, format or text-direction character "
            f"(U+{ord(hidden):04X}) that can disguise where it goes. "
            "Type the address again without it.",
            code="disguised_url",
        )
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in {"http", "https"}:
        raise ValidationError(
            "Links must be web addresses starting with http:// or https://"
            + (f" (not {scheme.lower()}://)." if sep and scheme else "."),
            code="url_scheme",
        )
    if len(url) > EVIDENCE_URL_MAX:
        raise ValidationError(
            f"The link is longer than {EVIDENCE_URL_MAX} characters.", code="url_too_long"
        )
    _WEB_URL(url)


def _disguising(url: str) -> str | None:
    return next(
        (
            char
            for char in url
            if unicodedata.category(char) in _DISGUISING_CATEGORIES or char in _BLANK_LETTERS
        ),
        None,
    )


# The largest primary key the databases hold (a signed 64-bit integer).
PK_MAX = 2**63 - 1


def as_pk(value: str) -> int | None:
    """``value`` as a primary key the database can hold (ASCII digits below 2**63),
    else None: a bigger one was a 500 on SQLite, and past 4,300 digits int() itself
    raises. Every id a request names goes through here."""
    if value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        if number <= PK_MAX:
            return number
    return None


# Line breaks of every kind (CRLF, CR, NEL, the Unicode line and paragraph
# separators), then any other space (tab, no-break, thin, ideographic ...).
_LINE_BREAK = re.compile(r"\r\n|[\r\x85\u2028\u2029\v\f]")
_SPACE = re.compile(r"[^\S\n]")
_TRAILING_SPACES = re.compile(r" +$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def hash_form(text: str) -> str:
    """The form of a text its content hash is taken of, so that what a paste or
    an upload changes invisibly is the same text: Unicode NFC, every line break a
    \\n, every other space (no-break, tab, thin ...) a plain space, no trailing
    spaces on a line, at most one blank line in a row, nothing blank around the
    text. Only the hash sees this form; the stored text stays as given (the
    claims' offsets point into it)."""
    text = _LINE_BREAK.sub("\n", unicodedata.normalize("NFC", text))
    text = _TRAILING_SPACES.sub("", _SPACE.sub(" ", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def content_hash(text: str) -> str:
    """The digest duplicate detection compares: of hash_form(text), so a text
    pasted again with a trailing newline, indented or with a no-break space is
    the same article."""
    return hashlib.sha256(hash_form(text).encode("utf-8")).hexdigest()


def fingerprint(text: str) -> str:
    normal = re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip().lower()
    return hashlib.sha1(normal.encode("utf-8"), usedforsecurity=False).hexdigest()


def claim_confidence(
    claim: Claim, policy: dict, hedges: list | None = None, record: SourceRecord | None = None
) -> Confidence:
    """The engine's confidence policy applied to a saved claim (or to one about to
    be saved, with its ``hedges``: objects with text, category, start and end);
    ``record``, the source's track record, when the desk uses it as a prior."""
    if hedges is None:
        hedges = claim.hedges.all()
    engine_claim = EngineClaim(
        text=claim.text,
        start=claim.start,
        end=claim.end,
        sentence=Span(claim.sentence_start, claim.sentence_end),
        source=Source(
            text=claim.source_text or None, type=claim.source_type, relayed=claim.source_relayed
        ),
        sourcing_strength=claim.sourcing_strength,
        hedges=[Hedge(h.text, h.category, h.start, h.end) for h in hedges],
    )
    return score_claim(engine_claim, policy, record)
