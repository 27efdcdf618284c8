"""What kind of claim it is, and how worth checking.

Kinds (contract): statement, quantity, event, prediction, opinion.

Check-worthiness is a logistic regression over features of the whole sentence,
frame included ("X said 30 percent ..." keeps its number), fitted on the CLEF
2019 CheckThat! Task 1 training debates (``lexicons/checkworthiness.json`` says
how; ``bench/fit_checkworthiness.py`` refits it). The features are those
ClaimBuster (Hassan et al. 2017) found to mark claims worth checking: numbers,
named entities by type, tense, comparatives; and against them first-person
promises, opinions, questions. A rule layer then holds the lines that are no
claim at all (questions, instructions, greetings, headlines) near zero,
whatever the model says.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

QUANTITY_LABELS = {"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "LAW"}
_VAGUE_NUMBER = re.compile(
    r"\b(hundreds|thousands|millions|dozens|scores|tens of|percent|per cent)\b|%|\d", re.I
)
_FUTURE = re.compile(
    r"\b(will|'ll|shall|is expected to|are expected to|was expected to|is likely to|"
    r"are likely to|is set to|are set to|is forecast to|plans to|would)\b",
    re.I,
)
_POSSIBLE_FUTURE = re.compile(r"\b(could|may|might)\b(?!\s+(not\s+)?have\b)", re.I)
_OPINION = re.compile(
    r"\b(should|must|ought to|too|genuine|good|bad|better|worse|best|worst|"
    r"important|wrong|right|unacceptable|optimistic|pessimistic|definitive|"
    r"disgrace|shameful|excellent|terrible|great|failure|success|step forward|"
    r"believe|think|feel)\b",
    re.I,
)
PAST_TAGS = {"VBD", "VBN"}
STATIVE = {"be", "have", "seem", "appear", "remain", "know", "own", "contain", "include"}


def kind_of(text: str, head_lemma: str, head_tag: str, labels: set[str]) -> str:
    if labels & QUANTITY_LABELS or _VAGUE_NUMBER.search(text):
        return "quantity"
    if _FUTURE.search(text) or (_POSSIBLE_FUTURE.search(text) and head_tag == "VB"):
        return "prediction"
    if _OPINION.search(text):
        return "opinion"
    if head_tag in PAST_TAGS and head_lemma not in STATIVE:
        return "event"
    return "statement"


# --- Check-worthiness: features --------------------------------------------------

WEIGHTS_PATH = Path(__file__).parent / "lexicons" / "checkworthiness.json"
# Check-worthiness of a non-claim (question, instruction, greeting, headline):
# low enough to sink below every claim, above "no claim at all".
NON_CLAIM_SCORE = 0.02
Word = tuple[int, int, str, str]  # (start, end, lower text, POS tag), as the parse gives

_ENTITY_FEATURES = {
    "PERSON": "ent_person",
    "ORG": "ent_org",
    "GPE": "ent_place",
    "LOC": "ent_place",
    "FAC": "ent_place",
    "NORP": "ent_group",
    "EVENT": "ent_event",
    "LAW": "ent_law",
    "DATE": "ent_date",
    "TIME": "ent_time",
    "MONEY": "ent_money",
    "PERCENT": "ent_percent",
    "CARDINAL": "ent_cardinal",
    "QUANTITY": "ent_quantity",
    "ORDINAL": "ent_ordinal",
}
_TAG_FEATURES = {
    "VBD": "past",
    "VBZ": "present",
    "VBP": "present",
    "JJR": "comparative",
    "RBR": "comparative",
    "JJS": "superlative",
    "RBS": "superlative",
    "MD": "modal",
    "UH": "interjection",
}
_WORD_FEATURES = {
    **dict.fromkeys(["i", "me", "my", "myself", "mine"], "first_singular"),
    **dict.fromkeys(["we", "us", "our", "ours", "ourselves"], "first_plural"),
    **dict.fromkeys(["you", "your", "yours", "yourself"], "second_person"),
    # Claims about a third party ("she voted for the war") are the ones checked.
    **dict.fromkeys(["he", "she", "him", "his", "her", "they", "them", "their"], "third_person"),
    **dict.fromkeys(["not", "n't", "never", "no", "nobody", "nothing"], "negation"),
    # Records and firsts: "the highest ever", "for the first time in history".
    **dict.fromkeys(["record", "ever", "history", "first", "only", "since"], "record"),
    **dict.fromkeys(["will", "'ll", "wo", "shall", "gon"], "future"),
    **dict.fromkeys(["have", "has", "had", "'ve"], "have"),
    # Stance and wish: "I think", "we want" open opinions and programmes, not facts.
    **dict.fromkeys(
        ["think", "believe", "feel", "hope", "want", "wants", "wish", "guess", "love"],
        "stance_verb",
    ),
}


def _forms(bases: str, irregular: str = "") -> frozenset[str]:
    """Inflected forms of regular verbs; the odd non-word it makes ("cuted") is harmless."""
    out = set(irregular.split())
    for b in bases.split():
        stem = b[:-1] if b.endswith("e") else b
        doubled = b + b[-1]  # "dropped", "cutting"
        out |= {
            b,
            b + "s",
            b + "es",
            stem + "ed",
            b + "d",
            stem + "ing",
            doubled + "ed",
            doubled + "ing",
        }
    return frozenset(out)


# Verbs whose claims a record can settle: amounts that changed hands or moved,
# votes and laws, deaths and jobs ("spending doubled", "she voted for the war").
_CLAIM_VERBS = _forms(
    "increase decrease double triple drop raise cut lose create spend cost pay owe borrow "
    "vote sign pass ban kill die approve fund invest earn hire fire build close import "
    "export add reduce shrink collapse soar jump decline surge climb rank total average",
    "rose risen fell fallen grew grown lost spent paid built shrank won dying",
)
# What public records count: money, jobs, people, votes ("the deficit",
# "unemployment", "wages"). Topic words of public affairs, not of one debate.
_CLAIM_NOUN_TEXT = """
    tax taxes deficit deficits debt budget spending cost costs price prices wage wages
    income incomes salary salaries job jobs unemployment employment economy gdp growth
    trade tariff tariffs export exports import imports rate rates inflation revenue
    revenues profit profits crime crimes murder murders death deaths population poll polls
    vote votes voters law laws bill bills program programs insurance premiums emissions
    immigrants refugees troops soldiers families people workers companies factories
    percent million millions billion billions trillion trillions dollars
"""
_CLAIM_NOUNS = frozenset(_CLAIM_NOUN_TEXT.split())
_OPEN_SKIP = {"please", "now", "then", "first", "next", "so", "and", "just", "also", "finally"}
_GREETINGS = [
    ("thank",),
    ("thanks",),
    ("welcome",),
    ("hello",),
    ("hi",),
    ("congratulations",),
    ("good", "evening"),
    ("good", "morning"),
    ("good", "afternoon"),
    ("good", "night"),
    ("good", "luck"),
    ("goodbye",),
    ("ladies", "and", "gentlemen"),
    ("god", "bless"),
]
_FINITE = {"VBD", "VBZ", "VBP", "MD"}
_CEREMONIAL_VERBS = {"thank", "welcome", "is", "'s", "are", "'re", "am", "'m", "bless", "join"}
_WORD_TAGS = re.compile(r"[A-Z]")  # a POS tag, not punctuation ("," ".", "``")
_SHARES = {"NN": "noun_share", "VB": "verb_share", "JJ": "adjective_share",
           "RB": "adverb_share", "PR": "pronoun_share"}  # fmt: skip
# Words a title may leave in lower case.
_SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "to", "for", "and", "or", "but", "at", "by",
                "as", "with", "from", "vs"}  # fmt: skip
_NOT_WORDS = {"SP", "_SP", "$"}
RULES = ("rule_question", "rule_instruction", "rule_ceremonial", "rule_headline")


def _is_word(tag: str) -> bool:
    return bool(_WORD_TAGS.match(tag)) and tag not in _NOT_WORDS


def sentence_features(
    words: list[Word], entities: list[tuple[int, int, str]], text: str, start: int, end: int
) -> dict[str, float]:
    """Features of the whole sentence, frame included; computed once per sentence."""
    tokens = [w for w in words if _is_word(w[3])]
    feats = _word_features(tokens)
    n = len(tokens)
    feats["_words"] = float(n)
    feats["length"] = math.log1p(n)
    if n < 6:
        feats["short"] = 1.0
    if n > 30:
        feats["long"] = 1.0
    for _, _, label in entities:
        if label in _ENTITY_FEATURES:
            feats[_ENTITY_FEATURES[label]] = 1.0
    feats.update(_non_claim_rules(tokens, words, text, start, end))
    return feats


def _word_features(tokens: list[Word]) -> dict[str, float]:
    """One pass over the words: tense, person, degree, numbers, claim verbs."""
    feats: dict[str, float] = {}
    numbers = proper = 0
    for i, (_, _, lower, tag) in enumerate(tokens):
        for name in (_TAG_FEATURES.get(tag), _WORD_FEATURES.get(lower)):
            if name:
                feats[name] = 1.0
        numbers += tag == "CD"
        proper += tag in ("NNP", "NNPS")
        if tag.startswith("VB") and lower in _CLAIM_VERBS:
            feats["claim_verb"] = 1.0
        elif tag.startswith("NN") and lower in _CLAIM_NOUNS:
            feats["claim_noun"] = 1.0
        if lower in ("i", "we") and _future_follows(tokens, i):
            feats["promise"] = 1.0  # "I will cut taxes", "we're going to build"
    if numbers:
        feats["number"] = 1.0
        feats["numbers"] = math.log1p(numbers)
    if feats.pop("have", 0.0) and any(t[3] == "VBN" for t in tokens):
        feats["perfect"] = 1.0  # "has doubled": a completed fact, like the past
    feats["proper_share"] = proper / len(tokens) if tokens else 0.0
    feats.update(_tag_shares(tokens))
    return feats


def _tag_shares(tokens: list[Word]) -> dict[str, float]:
    """Share of nouns, verbs, adjectives, adverbs and pronouns: facts are noun-heavy,
    talk about talk is pronoun- and adverb-heavy (ClaimBuster's POS features)."""
    counts = dict.fromkeys(_SHARES.values(), 0)
    for t in tokens:
        share = _SHARES.get(t[3][:2])
        if share:
            counts[share] += 1
    n = max(1, len(tokens))
    return {name: c / n for name, c in counts.items()}


def _future_follows(tokens: list[Word], i: int) -> bool:
    return any(t[2] in ("will", "'ll", "wo", "gon", "going") for t in tokens[i + 1 : i + 4])


def claim_features(
    sentence: dict[str, float],
    words: list[Word],
    text: str,
    span: tuple[int, int],
    kind: str,
    framed: bool,
) -> dict[str, float]:
    """The sentence's features plus those of the claim span inside it."""
    start, end = span
    feats = dict(sentence)
    if kind != "statement":
        feats["kind_" + kind] = 1.0
    if framed:
        feats["reported"] = 1.0
    inside = [w for w in words if start <= w[0] and w[1] <= end and _is_word(w[3])]
    feats["claim_share"] = len(inside) / max(1.0, sentence["_words"])
    if any(w[3] == "CD" for w in inside):
        feats["claim_number"] = 1.0
    if _asks(text, start, end):
        feats["rule_question"] = 1.0
    return feats


# --- Check-worthiness: non-claims -------------------------------------------------

_CLOSERS = "\"'\u201d\u2019)] \t\n"


def _non_claim_rules(
    tokens: list[Word], words: list[Word], text: str, start: int, end: int
) -> dict[str, float]:
    rules = {
        "rule_question": text[start:end].rstrip(_CLOSERS).endswith("?"),
        "rule_instruction": _instruction(tokens, words),
        "rule_ceremonial": _ceremonial(tokens),
        "rule_headline": _headline(tokens, text, start, end),
    }
    return {name: 1.0 for name, hit in rules.items() if hit}


def _asks(text: str, start: int, end: int) -> bool:
    """The claim is a question of its own, in a sentence that is not one:
    '"Why now?" she asked.' (its "?" inside the claim or just after it)."""
    inside = text[start:end].rstrip(_CLOSERS)
    return inside.endswith("?") or text[end : end + 3].lstrip(_CLOSERS).startswith("?")


def _opening(tokens: list[Word]) -> list[Word]:
    i = 0
    while i < len(tokens) and tokens[i][2] in _OPEN_SKIP:
        i += 1
    return tokens[i:]


def _instruction(tokens: list[Word], words: list[Word]) -> bool:
    """An imperative: "Preheat the oven to 200C.", "Please stir gently." The base
    form opens the sentence. Not an order: a preamble before a comma ("Look, the
    plan failed", "Believe me, ..."), "Let me ...", and a compound ("Stop-and-frisk")."""
    rest = _opening(tokens)
    if not rest or rest[0][3] != "VB":
        return False
    after = [w[2] for w in words if w[0] >= rest[0][1]][:2]
    if after[:1] in (["-"], [","]) or after == ["me", ","]:
        return False
    return not (rest[0][2] == "let" and after[:1] == ["me"])


def _ceremonial(tokens: list[Word]) -> bool:
    """Thanks, greetings, welcomes ("Thank you all", "Good evening, and welcome"):
    only when nothing else is asserted, so "Thanks to the tax cut, jobs grew 3
    percent." stays a claim."""
    lowers = tuple(t[2] for t in tokens)
    if not any(lowers[: len(g)] == g for g in _GREETINGS):
        return False
    return not any(
        t[3] == "CD" or (t[3] in _FINITE and t[2] not in _CEREMONIAL_VERBS) for t in tokens
    )


def _headline(tokens: list[Word], text: str, start: int, end: int) -> bool:
    """A title line that ends with a full stop: a paragraph of its own, short, and
    its common words capitalised too ("Flood Defences Fail Across the Valley."),
    which names alone do not make ("Merkel met Macron in Berlin.")."""
    if not 3 <= len(tokens) <= 14 or not _own_line(text, start, end):
        return False
    common = [
        text[s]
        for s, _, lower, tag in tokens[1:]
        if tag not in ("NNP", "NNPS") and lower not in _SMALL_WORDS and text[s].isalpha()
    ]
    return len(common) >= 2 and all(c.isupper() for c in common)


def _own_line(text: str, start: int, end: int) -> bool:
    # Bounded windows: a huge text without newlines must not make this quadratic.
    before = text[max(0, start - 200) : start].rsplit("\n", 1)[-1]
    after = text[end : end + 200].split("\n", 1)[0]
    return not before.strip() and not after.strip()


# --- Check-worthiness: the model ---------------------------------------------------


@cache
def model() -> dict:
    """The fitted weights; read once per process."""
    return json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))


def checkworthiness(features: dict[str, float], weights: dict | None = None) -> float:
    """Probability that a fact-checker would check the claim, in [0, 1].

    Non-claims get NON_CLAIM_SCORE; the model's scores start just above it, so
    every claim ranks above every non-claim.
    """
    if any(features.get(rule) for rule in RULES):
        return NON_CLAIM_SCORE
    weights = weights or model()
    z = weights["intercept"] + sum(
        w * features.get(name, 0.0) for name, w in weights["weights"].items()
    )
    p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return round(max(NON_CLAIM_SCORE + 0.01, p), 3)
