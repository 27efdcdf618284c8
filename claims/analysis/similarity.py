"""Whether two claims say the same thing: the lexical re-ranker of claim matching.

Pure Python, no Django: the matching service and bench/claim_matching_eval.py
both call it, so the CLEF figures in the README are the figures of this code.

Two measures, averaged (both in [0, 1]):

* word overlap weighted by rarity (cosine of binary IDF-weighted term sets, the
  caller gives the IDF of the collection it searched, or none: every term 1);
* character 3- and 4-gram cosine on the normalised text, which forgives
  inflection and spelling ("vaccinated" / "vaccines", "covid19" / "covid-19").

Why lexical and not a packaged embedding model: see the README, "Claim matching".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
# Function words carry no claim: "the bridge is closed" and "a bridge was closed".
_FUNCTION_WORDS = """a about above after again against all am an and any are as at be because
    been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours said says say told according also via amp
    rt"""
STOPWORDS = frozenset(_FUNCTION_WORDS.split())


def _stem(word: str) -> str:
    # Plural and third-person "s" only: "claims"/"claim", "cities"/"city"; not "news".
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The content words of a text, lower-cased and lightly stemmed, in order."""
    words = _WORD.findall(_URL.sub(" ", text).lower().replace("_", " "))
    return [_stem(w) for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def _grams(text: str) -> Counter:
    flat = " " + " ".join(_WORD.findall(_URL.sub(" ", text).lower())) + " "
    return Counter(flat[i : i + n] for n in (3, 4) for i in range(len(flat) - n + 1))


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(v * big[k] for k, v in small.items() if k in big)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm


def idf_table(documents: Sequence[Sequence[str]]) -> dict[str, float]:
    """IDF (BM25's, floored at a small positive value) of the terms of a collection."""
    df: Counter = Counter()
    for doc in documents:
        df.update(set(doc))
    n = len(documents)
    table = {t: max(math.log((n - f + 0.5) / (f + 0.5) + 1.0), 0.01) for t, f in df.items()}
    # Under "" (never a term): the weight of a term the collection lacks.
    table[""] = math.log((n + 0.5) / 0.5 + 1.0)
    return table


def word_overlap(
    q: Sequence[str], d: Sequence[str], idf: Mapping[str, float] | None = None
) -> float:
    """Cosine of the two term sets, each term weighted by its IDF (1 without a table)."""
    qs, ds = set(q), set(d)
    if not qs or not ds:
        return 0.0

    # A term the table does not know is as rare as can be.
    if not idf:
        return len(qs & ds) / math.sqrt(len(qs) * len(ds))
    unseen = idf.get("") or max(idf.values())

    def w(t: str) -> float:
        return idf.get(t, unseen)

    shared = sum(w(t) ** 2 for t in qs & ds)
    return shared / math.sqrt(sum(w(t) ** 2 for t in qs) * sum(w(t) ** 2 for t in ds))


@dataclass(frozen=True)
class Prepared:
    """A text prepared once for many comparisons."""

    text: str
    terms: tuple[str, ...]
    grams: Counter


def prepare(text: str) -> Prepared:
    return Prepared(text, tuple(terms(text)), _grams(text))


def similarity(a: Prepared, b: Prepared, idf: Mapping[str, float] | None = None) -> float:
    """How surely two claims say the same thing, in [0, 1]."""
    return 0.5 * word_overlap(a.terms, b.terms, idf) + 0.5 * _cosine(a.grams, b.grams)


def rerank(
    query: str, candidates: Sequence[str], idf: Mapping[str, float] | None = None
) -> list[float]:
    """The similarity of the query to each candidate, in the candidates' order."""
    q = prepare(query)
    return [similarity(q, prepare(c), idf) for c in candidates]


def matching_spans(a: str, b: str, *, min_words: int = 2) -> list[dict]:
    """The runs of words the two texts share (at least ``min_words`` long, or one
    content word), as character offsets in each: what the claim page highlights."""
    wa = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(a)]
    wb = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(b)]
    matcher = SequenceMatcher(None, [w for w, _, _ in wa], [w for w, _, _ in wb], autojunk=False)
    spans = []
    for i, j, size in matcher.get_matching_blocks():
        if size == 0:
            continue
        if size < min_words and wa[i][0] in STOPWORDS:
            continue
        spans.append(
            {
                "start": wa[i][1],
                "end": wa[i + size - 1][2],
                "other_start": wb[j][1],
                "other_end": wb[j + size - 1][2],
            }
        )
    return spans
