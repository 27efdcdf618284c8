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

import functools
import math
import re
import struct
import sys
import unicodedata
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
    # Interned: the texts a process keeps prepared share their grams' strings.
    return Counter(sys.intern(flat[i : i + n]) for n in (3, 4) for i in range(len(flat) - n + 1))


def _norm(grams: Counter) -> float:
    return math.sqrt(sum(v * v for v in grams.values()))


def _dot(a: Counter, b: Counter) -> int:
    # Over the shared grams only (the key sets' intersection is made in C): two
    # claims share a few dozen of their hundreds of grams. Integer counts: the sum
    # is exact whatever the order.
    return sum(a[k] * b[k] for k in a.keys() & b.keys())


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    return _dot(a, b) / (_norm(a) * _norm(b))


def idf_table(documents: Sequence[Sequence[str]], size: int = 0) -> dict[str, float]:
    """IDF (BM25's, floored at a small positive value) of the terms of a collection.
    ``size``: the collection's size if larger than the documents given (the others
    holding none of the terms): a few documents cannot show that a word is common."""
    df: Counter = Counter()
    for doc in documents:
        df.update(set(doc))
    return idf_of_counts(df, len(documents), size)


def idf_of_counts(df: Mapping[str, int], count: int, size: int = 0) -> dict[str, float]:
    """idf_table of a collection of ``count`` documents given as its document
    frequencies ``df`` (term -> how many documents hold it): kept and added to."""
    n = max(count, size)
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

    # fsum: exact whatever the order, which is a set's (the process's hash seed):
    # the same two texts score to the bit alike in every worker.
    shared = math.fsum(w(t) ** 2 for t in qs & ds)
    return shared / math.sqrt(math.fsum(w(t) ** 2 for t in qs) * math.fsum(w(t) ** 2 for t in ds))


@dataclass(frozen=True)
class Prepared:
    """A text prepared once for many comparisons: its terms (and their set) and its
    gram counts (and their norm)."""

    text: str
    terms: tuple[str, ...]
    grams: Counter
    term_set: frozenset
    norm: float


# How many texts a process keeps prepared (and their trigrams made): stage 1 finds
# the same stored claims for claim after claim and article after article (on 40
# real articles, PolNeAR's, 18,210 candidate rows held 1,541 distinct texts). A
# text's entry is its own, whatever claim holds it: nothing to invalidate. About 10
# KB a prepared text, 4 KB a trigram set, for a claim of about 135 characters. A text
# longer than CACHED_CHARS is made anew each time: the caches' memory is then bounded
# by the count and that length together (a claim may run to the segmenter's 1,500
# characters, ten times a typical one's size).
TEXT_CACHE = 4096
CACHED_CHARS = 500


def prepare(text: str) -> Prepared:
    return _prepare_kept(text) if len(text) <= CACHED_CHARS else _prepare(text)


def _prepare(text: str) -> Prepared:
    found, grams = tuple(terms(text)), _grams(text)
    return Prepared(text, found, grams, frozenset(found), _norm(grams))


_prepare_kept = functools.lru_cache(maxsize=TEXT_CACHE)(_prepare)


def similarity(a: Prepared, b: Prepared, idf: Mapping[str, float] | None = None) -> float:
    """How surely two claims say the same thing, in [0, 1]."""
    if idf:
        words = word_overlap(a.term_set, b.term_set, idf)
    elif a.term_set and b.term_set:  # word_overlap without a table, on the kept sets
        words = len(a.term_set & b.term_set) / math.sqrt(len(a.term_set) * len(b.term_set))
    else:
        words = 0.0
    grams = _dot(a.grams, b.grams) / (a.norm * b.norm) if a.grams and b.grams else 0.0
    return 0.5 * words + 0.5 * grams


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


# --- pg_trgm's similarity(): the order of stage 1's candidates ---------------------
# The candidate query used to order its rows by pg_trgm's similarity(text, query) in
# PostgreSQL, which makes the query's trigrams again for every row (30 us a row, half
# of the statement's time on real news); the same figure is made here, each text's
# trigrams once. pg_trgm 1.6 (trgm_op.c, generate_trgm and cnt_sml): the words are
# the runs of alphanumeric characters (KEEPONLYALNUM), lower-cased by the C library
# (towlower: one character for one), each padded with two spaces before and one
# after ("  bridge "); a text's trigrams are the set of its words' 3-character
# windows; similarity = shared / (|a| + |b| - shared), a float4. (pg_trgm keeps a
# trigram of multibyte characters as a 24-bit CRC, whose rare collisions are not
# reproduced; nor are the combining vowel signs of Indic scripts, which the C library
# counts as letters and Python does not.) Python's alphanumerics include the "other
# numbers" (category No: "²", "½", the "₂" of "CO₂"), which the C library's
# iswalnum does not: they separate words, as in pg_trgm.
_TRGM_WORD = re.compile(r"[^\W_]+")
_FLOAT4 = struct.Struct("f")


def _towlower(char: str) -> str:
    # str.lower() of U+0130 (capital I with dot) is two characters; towlower's is "i".
    return "i" if char == "\u0130" else char.lower()


# A database whose LC_CTYPE is C (initdb without a locale, as in a bare container):
# pg_trgm's words are then the runs of ASCII letters and digits, lower-cased as ASCII
# ("caf" of "caf\u00e9"), every other character a separator.
_TRGM_WORD_C = re.compile(r"[A-Za-z0-9]+")


def trigrams(text: str, ctype_c: bool = False) -> frozenset[str]:
    """The trigrams pg_trgm's show_trgm() lists for a text (``ctype_c``: in a
    database whose LC_CTYPE is C); kept per process up to CACHED_CHARS."""
    if len(text) <= CACHED_CHARS:
        return _trigrams_kept(text, ctype_c)
    return _trigrams(text, ctype_c)


def _trigrams(text: str, ctype_c: bool = False) -> frozenset[str]:
    found: set[str] = set()
    if ctype_c:
        for word in _TRGM_WORD_C.findall(text):
            padded = f"  {word.lower()} "
            found.update(sys.intern(padded[i : i + 3]) for i in range(len(padded) - 2))
        return frozenset(found)
    for run in _TRGM_WORD.findall(text):
        if run.isascii():
            words = [run.lower()]
        else:
            words = "".join(" " if _other_number(c) else _towlower(c) for c in run).split()
        for word in words:
            padded = f"  {word} "
            found.update(sys.intern(padded[i : i + 3]) for i in range(len(padded) - 2))
    return frozenset(found)


_trigrams_kept = functools.lru_cache(maxsize=TEXT_CACHE)(_trigrams)


def _other_number(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char) == "No"


def trigram_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm's similarity() of two texts' trigrams, to the bit (a float4): the
    quotient of two integers rounded once to double then to float is the quotient
    rounded to float (53 >= 2 * 24 + 2 bits)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return _FLOAT4.unpack(_FLOAT4.pack(shared / (len(a) + len(b) - shared)))[0]
