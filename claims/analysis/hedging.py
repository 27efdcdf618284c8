"""Hedge cues: the words that qualify how sure a claim is.

Cues come from the lexicon (``lexicons/hedges.txt``), matched over each
sentence once, then given to the claim they qualify: the claim that contains
them, the claims of the frame they sit in ("X reportedly said"), the claim just
before them ("..., but offered no supporting evidence") or, for a sentence that
only says the previous one is unverified ("His account could not be
independently verified."), the claims of that previous sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import ability_verbs, hedge_cues, hedge_first_words, hedge_scanner
from .types import Claim, Hedge

# Where a cue can start: a run of letters with no word character or hyphen before it.
_WORD = re.compile(r"(?<![\w-])[^\W\d_]+")
_NEXT_WORD = re.compile(r"\s+(n't|not|never)?\s*([A-Za-z]+)")
# The next word past any adverbs: "could (clearly) be (almost fully) demonstrated".
_PASSIVE = re.compile(r"\s+(?:[A-Za-z]+ly\s+|almost\s+|also\s+|still\s+|even\s+)*([A-Za-z]+)")
# "claimed responsibility", "claimed victory": claiming a thing, not asserting.
_CLAIMED_THING = re.compile(
    r"\s+(responsibility|victory|credit|the\s+title|lives|the\s+lives)", re.I
)
# A sentence that only says the previous one is unverified starts with a word
# pointing back: "His account ...", "The claim ...", "It could not be ...".
_POINTS_BACK = re.compile(
    r"[\"\u201c]?(his|her|their|its|the|this|that|these|those|it|they|neither|none|such)\b",
    re.IGNORECASE,
)
MAX_POINTING_BACK_WORDS = 25
_OBJECT_POINTS_BACK = re.compile(
    r"\s+(?:independently\s+)?(his|her|their|its|the|this|that|these|those|it|them|such)\b"
    r"(?:\s+\w+){0,4}\s*[.;]?\s*[\"\u201d]?\s*$",
    re.IGNORECASE,
)
_FREE_RELATIVE = re.compile(r"\b(what|whatever|all that)\s+(\w+\s+){0,3}$", re.I)
# Reporting verbs whose stance is itself a hedge (tags in reporting_verbs.txt):
# "the complaint alleges that ...", "analysts estimated that ...".
VERB_STANCE = {"distance": "reportative", "tentative": "epistemic"}


def find_cues(text: str, start: int, end: int) -> list[Hedge]:
    """Hedge cues in text[start:end]: at each place the longest cue that applies."""
    cues = hedge_cues()
    found: list[Hedge] = []
    for m in cue_matches(text, start, end):
        cue = cues[m.lastindex - 1]
        if _applies(cue, text, m.end(), end, m.group(0)):
            found.append(
                Hedge(text=m.group(0), category=cue.category, start=m.start(), end=m.end())
            )
    return _merge_quantities(text, found)


def cue_matches(text: str, start: int, end: int) -> Iterator[re.Match]:
    """The matches of hedge_scanner() in text[start:end], as its finditer gives them,
    found faster: the scanner is tried only at words that start a cue. As a plain
    finditer it tries every cue at every word, the engine's dearest pass of its own.
    A cue starts where a run of letters starts, and that run, in ASCII, is its first
    word's letters; a run with other letters (which IGNORECASE may fold onto ASCII
    ones: the Kelvin sign onto "k") is always tried."""
    firsts = hedge_first_words()
    scanner = hedge_scanner()
    resume = start
    for word in _WORD.finditer(text, start, end):
        if word.start() < resume:
            continue
        run = word.group()
        if run.isascii() and run.lower() not in firsts:
            continue
        m = scanner.match(text, word.start(), end)
        if m is not None:
            resume = m.end()
            yield m


def _applies(cue, text: str, e: int, end: int, matched: str) -> bool:
    if cue.needs_verb:
        nxt = _NEXT_WORD.match(text, e, end)
        if nxt is None:
            return False
        negated, word = nxt.group(1), nxt.group(2).lower()
        # "could not press Assad": inability, not doubt; "Neither could say":
        # past ability. Doubt needs "could" before another verb ("could reach").
        if negated or word in ability_verbs():
            return False
        # "binding could be demonstrated": what an experiment or an observer was
        # able to establish, not a possibility ("the vote could be delayed").
        verb = _PASSIVE.match(text, e, end)
        if verb and verb.group(1).lower() == "be":
            participle = _PASSIVE.match(text, verb.end(), end)
            if participle and f"be {participle.group(1).lower()}" in ability_verbs():
                return False
        if _FREE_RELATIVE.search(text, max(0, e - 40), e - len(matched)):
            return False  # "what the state could handle": a description, not a doubt
    return not (matched.lower() == "claimed" and _CLAIMED_THING.match(text, e, end))


def _merge_quantities(text: str, cues: list[Hedge]) -> list[Hedge]:
    """One quantity, one cue: "as many as hundreds of people" is an approximator
    on a vague quantity, counted once."""
    out: list[Hedge] = []
    for cue in cues:
        prev = out[-1] if out else None
        if (
            prev is not None
            and cue.category == "vague_quantity"
            and prev.category == "approximator"
            and not text[prev.end : cue.start].strip()
        ):
            continue
        out.append(cue)
    return out


def drop_pointing_back(claims: list[Claim], text: str, sentences) -> list[Claim]:
    """Claims of the sentences that only qualify the one before ("His account
    could not be independently verified.") are not claims of their own."""
    by_sentence = _by_sentence(claims)
    drop = set()
    for sent in sentences:
        group = by_sentence.get(sent.index, [])
        if group and by_sentence.get(sent.index - 1) and _points_back(text, sent, group):
            drop.add(sent.index)
    return [c for c in claims if c.sentence_index not in drop]


def tag_hedges(claims: list[Claim], text: str, sentences) -> None:
    """Attach hedge cues to the claims they qualify (fills ``claim.hedges``)."""
    by_sentence = _by_sentence(claims)
    for claim in claims:
        claim.hedges = []
    for sent in sentences:
        group = by_sentence.get(sent.index, [])
        for claim in group:
            _add(claim, _stance_cues(claim, text))
        cues = find_cues(text, sent.start, sent.end)
        if not cues:
            continue
        previous = by_sentence.get(sent.index - 1, [])
        if not group and previous and _points_back(text, sent, group, cues):
            for claim in previous:
                _add(claim, [c for c in cues if c.category == "evidential_gap"])
            continue
        for cue in cues:
            for claim in _owners(cue, group):
                _add(claim, [cue])


def _verb_spans(claim: Claim) -> list[tuple[int | None, int | None, list[str]]]:
    f = claim.frame
    if f is None or claim.origin == "quote_continuation":
        return []
    return [
        (f.verb_start, f.verb_end, f.verb_tags),
        (f.inner_verb_start, f.inner_verb_end, f.inner_verb_tags),
    ]


def _stance_cues(claim: Claim, text: str) -> list[Hedge]:
    cues = []
    for start, end, tags in _verb_spans(claim):
        for tag in tags:
            if tag in VERB_STANCE and start is not None:
                cues.append(Hedge(text[start:end], VERB_STANCE[tag], start, end))
    return cues


def _by_sentence(claims: list[Claim]) -> dict[int, list[Claim]]:
    by_sentence: dict[int, list[Claim]] = {}
    for claim in claims:
        by_sentence.setdefault(claim.sentence_index, []).append(claim)
    return by_sentence


def _points_back(text: str, sent, group: list[Claim], cues: list[Hedge] | None = None) -> bool:
    # The cheap tests first: most sentences fail one, and the cue scan is the
    # engine's dearest pass of its own (drop_pointing_back asks for every sentence).
    if any(c.frame is not None for c in group):
        return False
    words = len(text[sent.start : sent.end].split())
    if words > MAX_POINTING_BACK_WORDS:
        return False
    if cues is None:
        cues = find_cues(text, sent.start, sent.end)
    if not any(c.category == "evidential_gap" for c in cues):
        return False
    if _POINTS_BACK.match(text, sent.start):
        return True  # "His account could not be independently verified."
    # "Reuters could not immediately confirm the report.": whoever could not
    # confirm it, the object points back at what the last sentence said.
    return any(
        c.category == "evidential_gap" and _OBJECT_POINTS_BACK.match(text, c.end, sent.end)
        for c in cues
    )


def _owners(cue: Hedge, group: list[Claim]) -> list[Claim]:
    on_verb = [c for c in group if any(s == cue.start for s, _, _ in _verb_spans(c))]
    if on_verb:
        return on_verb  # "staff found X but estimated that Y": the verb of Y's frame
    inside = [c for c in group if c.start <= cue.start and cue.end <= c.end]
    if inside:
        return [min(inside, key=lambda c: c.end - c.start)]
    # Frames found in this sentence's parse; a continued quote's speaker (set by
    # attribution) sits in another sentence. Hedging must not depend on
    # attribution: a task queue runs the two side by side.
    own = [c for c in group if c.frame is not None and c.origin != "quote_continuation"]
    if any(c.frame.source_start <= cue.start < c.frame.source_end for c in own):
        return []  # part of who is speaking ("some 300 residents said"), not of the claim
    framed = [c for c in own if _in_frame(cue, c)]
    if framed:
        return framed
    before = [c for c in group if c.end <= cue.start]
    if before:
        nearest = max(before, key=lambda c: c.end)
        return [c for c in before if _same_frame(c, nearest)]
    after = [c for c in group if c.start >= cue.end]
    return [min(after, key=lambda c: c.start)] if after else []


def _in_frame(cue: Hedge, claim: Claim) -> bool:
    f = claim.frame
    lo = min(x for x in (f.source_start, f.verb_start) if x is not None)
    hi = max(x for x in (f.source_end, f.verb_end) if x is not None)
    return (
        lo <= cue.start
        and cue.end <= hi + 1
        or (f.verb_end is not None and 0 <= cue.start - f.verb_end <= 1)
    )


def _same_frame(a: Claim, b: Claim) -> bool:
    if a.frame is None or b.frame is None:
        return a is b
    return a.frame.verb_start == b.frame.verb_start


def _add(claim: Claim, cues: list[Hedge]) -> None:
    for cue in cues:
        if all((h.start, h.end) != (cue.start, cue.end) for h in claim.hedges):
            claim.hedges.append(Hedge(cue.text, cue.category, cue.start, cue.end))
    claim.hedges.sort(key=lambda h: h.start)
