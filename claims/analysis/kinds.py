"""What kind of claim it is, and how worth checking.

Kinds (contract): statement, quantity, event, prediction, opinion.
Check-worthiness follows the features ClaimBuster (Hassan et al. 2017) found to
mark claims worth checking: numbers, named entities, concrete past events; and
against it, opinions and forecasts, which no record can settle yet.
"""

from __future__ import annotations

import re

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


def checkworthiness(text: str, kind: str, labels: list[str]) -> float:
    score = 0.35
    score += {"quantity": 0.3, "event": 0.2, "statement": 0.1, "prediction": -0.05,
              "opinion": -0.15}.get(kind, 0.0)  # fmt: skip
    names = sum(1 for label in labels if label in NAME_LABELS)
    score += min(names, 3) * 0.07
    if any(label in {"DATE", "TIME"} for label in labels):
        score += 0.05
    words = len(text.split())
    if words < 6:
        score -= 0.1
    return round(min(1.0, max(0.0, score)), 2)
