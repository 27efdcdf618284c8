"""Word lists the engine uses, read once from the data files in ``lexicons/``.

Each file says where its list comes from. Keeping them as data lets a desk
extend a list without touching code (then ``manage.py retag`` re-scores).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).parent / "lexicons"


def _lines(name: str) -> list[str]:
    path = LEXICON_DIR / name
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            rows.append(line)
    return rows


@cache
def reporting_verbs() -> dict[str, frozenset[str]]:
    """Lemma -> tags (np, distance, tentative, evidence, relay)."""
    verbs: dict[str, frozenset[str]] = {}
    for line in _lines("reporting_verbs.txt"):
        lemma, *tags = line.split()
        verbs[lemma.lower()] = frozenset(tags)
    return verbs


@cache
def content_nouns() -> dict[str, frozenset[str]]:
    """Noun lemma -> tags, for "X's claim that ...", "a report that ..."."""
    nouns: dict[str, frozenset[str]] = {}
    for line in _lines("content_nouns.txt"):
        lemma, *tags = line.split()
        nouns[lemma.lower()] = frozenset(tags)
    return nouns


@cache
def source_nouns() -> dict[str, frozenset[str]]:
    """Kind (unnamed, government, agency, document, ...) -> lemmas or phrases."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for line in _lines("sources.txt"):
        kind, _, word = line.partition("\t")
        kinds[kind.strip()].add(word.strip().lower())
    return {k: frozenset(v) for k, v in kinds.items()}


@cache
def abbreviations() -> frozenset[str]:
    return frozenset(line.lower() for line in _lines("abbreviations.txt"))


@cache
def no_comment() -> re.Pattern:
    """One pattern for the no-comment formulas ("declined to comment")."""
    phrases = sorted(_lines("no_comment.txt"), key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


@cache
def ability_verbs() -> frozenset[str]:
    return frozenset(line.lower() for line in _lines("ability_verbs.txt"))


@dataclass(frozen=True)
class HedgeCue:
    category: str
    phrase: str
    needs_number: bool
    needs_verb: bool
    lowercase_only: bool
    pattern: re.Pattern


_FLAG = re.compile(r"\s*\{(NUM|VB|lc)\}")


@cache
def hedge_cues() -> tuple[HedgeCue, ...]:
    cues = []
    for line in _lines("hedges.txt"):
        category, _, rest = line.partition("\t")
        flags = set(_FLAG.findall(rest))
        phrase = _FLAG.sub("", rest).strip()
        # Words separated by any run of whitespace; hyphen and space interchangeable
        # in "peer reviewed" / "peer-reviewed".
        body = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", phrase))
        pattern = re.compile(rf"(?<![\w-]){body}(?![\w-])", 0 if "lc" in flags else re.IGNORECASE)
        cues.append(
            HedgeCue(
                category=category.strip(),
                phrase=phrase,
                needs_number="NUM" in flags,
                needs_verb="VB" in flags,
                lowercase_only="lc" in flags,
                pattern=pattern,
            )
        )
    # Longest first, so "could not be independently verified" wins over "could".
    cues.sort(key=lambda c: -len(c.phrase))
    return tuple(cues)


@cache
def hedge_scanner() -> re.Pattern:
    """All cues in one alternation, longest first: one pass over a sentence
    instead of one per cue. Group n (1-based) is hedge_cues()[n - 1]."""
    parts = []
    for cue in hedge_cues():
        flags = "" if cue.lowercase_only else "i"
        inner = cue.pattern.pattern
        parts.append(f"((?{flags}:{inner}))" if flags else f"({inner})")
    return re.compile("|".join(parts))
