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


# A number or quantity word right after a cue: "about 200", "some $5 million",
# "nearly two"; not "talked about the plan".
NUMBER_AHEAD = (
    r"\s+(?:a\s+|an\s+)?(?:[$\u00a3\u20ac]\s?\d|(?:\d[\d,.]*|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|"
    r"dozens|half|twice|double|third|quarter)(?![\w]))"
)


@dataclass(frozen=True)
class HedgeCue:
    category: str
    phrase: str
    needs_verb: bool
    lowercase_only: bool
    # The whole test, context conditions included: "indicates" only before "that".
    pattern: re.Pattern
    # The same without the word boundary in front, which the scanner checks once.
    rest: str


_FLAG = re.compile(r"\s*\{(NUM|VB|lc|<-[^}]+|[+-][^}]+)\}")


def _next_word(words: str) -> str:
    alternatives = "|".join(re.escape(w.strip()) for w in words.split("|"))
    return rf"\s+(?:{alternatives})(?![\w-])"


def _not_after(words: str, phrase: str) -> str:
    """A lookbehind placed after the cue ("say whether"), so that it runs only where
    the cue matched, not at every position of the sentence. Python's lookbehinds are
    fixed-width: one per word, the word and the cue one whitespace apart."""
    if not re.fullmatch(r"[\w']+", phrase):
        raise ValueError(f"{{<-...}} needs a one-word cue, not {phrase!r}")
    return "".join(
        rf"(?<!(?i:(?<![\w-]){re.escape(w.strip())}\s{re.escape(phrase)}))"
        for w in words.split("|")
    )


def _condition(flag: str) -> str:
    """A flag as a lookahead, so that a cue whose context does not fit leaves the
    place to another entry for the same words ("estimated {NUM}", "estimated {+that}")."""
    if flag == "NUM":
        return f"(?=(?i:{NUMBER_AHEAD}))"
    if flag[0] == "+":
        return f"(?=(?i:{_next_word(flag[1:])}))"
    if flag[0] == "-":
        return f"(?!(?i:{_next_word(flag[1:])}))"
    return ""


@cache
def hedge_cues() -> tuple[HedgeCue, ...]:
    cues = []
    for line in _lines("hedges.txt"):
        category, _, rest = line.partition("\t")
        flags = _FLAG.findall(rest)
        phrase = _FLAG.sub("", rest).strip()
        # Words separated by any run of whitespace; hyphen and space interchangeable
        # in "peer reviewed" / "peer-reviewed".
        body = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", phrase))
        before = "".join(_not_after(f[2:], phrase) for f in flags if f.startswith("<-"))
        after = "".join(_condition(f) for f in flags if not f.startswith("<-"))
        rest = rf"{body}(?![\w-]){before}{after}"
        pattern = re.compile(rf"(?<![\w-]){rest}", 0 if "lc" in flags else re.IGNORECASE)
        cues.append(
            HedgeCue(
                category=category.strip(),
                phrase=phrase,
                needs_verb="VB" in flags,
                lowercase_only="lc" in flags,
                pattern=pattern,
                rest=rest,
            )
        )
    # Longest first, so "could not be independently verified" wins over "could".
    cues.sort(key=lambda c: -len(c.phrase))
    return tuple(cues)


@cache
def hedge_first_words() -> frozenset[str]:
    """The leading letters of every cue's first word, lower-cased ("could",
    "it" of "it's"): a place in a sentence whose word is none of these holds no cue,
    so hedging.find_cues runs the scanner only where one is."""
    words = set()
    for cue in hedge_cues():
        lead = re.match(r"[A-Za-z]+", cue.phrase)
        if lead is None:
            raise ValueError(f"a hedge cue must start with a letter: {cue.phrase!r}")
        words.add(lead.group(0).lower())
    return frozenset(words)


@cache
def hedge_scanner() -> re.Pattern:
    """All cues in one alternation, longest first: one pass over a sentence
    instead of one per cue. Group n (1-based) is hedge_cues()[n - 1]."""
    # The word boundary comes first and once: most positions in a sentence are
    # inside a word and fail there, before any of the alternatives is tried.
    parts = []
    for cue in hedge_cues():
        parts.append(f"({cue.rest})" if cue.lowercase_only else f"((?i:{cue.rest}))")
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})")
