"""Confidence: how well the article supports a claim, by the contract's policy.

    score = base[sourcing_strength] * product(penalty[c] for each hedge category present)

Given a source's track record (an option of the caller), the base is first moved
toward the share of its verdicts that were verified, smoothed as (verified + 1) /
(verdicts + 2), by the policy's record weight: a prior on the strength.

The numbers are a policy passed in (Django settings ``CONFIDENCE_POLICY``); the
defaults below are the contract's.
"""

from __future__ import annotations

from .types import Claim, Confidence, SourceRecord

DEFAULT_POLICY = {
    "base": {"strong": 0.9, "moderate": 0.7, "weak": 0.45, "none": 0.5},
    "penalty": {
        "approximator": 0.85,
        "vague_quantity": 0.9,
        "epistemic": 0.75,
        "reportative": 0.75,
        "evidential_gap": 0.5,
    },
    "levels": {"high": 0.8, "medium": 0.55, "low": 0.3},
    "record": {"weight": 0.3},
}
LEVELS = ("very_low", "low", "medium", "high")

_STRENGTH_WORDS = {
    "strong": "on the record",
    "moderate": "sourcing of moderate strength",
    "weak": "weak sourcing",
    "none": "no source given: the publication's own assertion",
}
_TYPE_WORDS = {
    "named_person": "named person",
    "named_organization": "named organization",
    "government": "government source",
    "document": "document",
    "unnamed": "unnamed source",
}
_HEDGE_WORDS = {
    "approximator": "approximate figure",
    "vague_quantity": "vague quantity",
    "epistemic": "stated as possible, not certain",
    "reportative": "passed on as a report",
    "evidential_gap": "not confirmed or no evidence offered",
}


def merge_policy(policy: dict | None) -> dict:
    merged = {k: dict(v) for k, v in DEFAULT_POLICY.items()}
    for key, values in (policy or {}).items():
        merged.setdefault(key, {}).update(values)
    return merged


def level_for(score: float, levels: dict) -> str:
    if score >= levels["high"]:
        return "high"
    if score >= levels["medium"]:
        return "medium"
    if score >= levels["low"]:
        return "low"
    return "very_low"


def score_claim(
    claim: Claim, policy: dict | None = None, record: SourceRecord | None = None
) -> Confidence:
    policy = merge_policy(policy)
    strength = claim.sourcing_strength
    score = policy["base"][strength]
    reasons = [_source_reason(claim)]
    if record is not None and record.verdicts > 0:
        weight = policy["record"]["weight"]
        share = (record.verified + 1) / (record.verdicts + 2)
        score = (1 - weight) * score + weight * share
        reasons.append(f"source's record: {record.verified} of {record.verdicts} verified")
    for category in sorted({h.category for h in claim.hedges}, key=_order):
        score *= policy["penalty"].get(category, 1.0)
        cues = ", ".join(f'"{h.text}"' for h in claim.hedges if h.category == category)
        reasons.append(f"{_HEDGE_WORDS.get(category, category)} ({cues})")
    score = round(score, 4)
    return Confidence(score=score, level=level_for(score, policy["levels"]), reasons=reasons)


def _order(category: str) -> int:
    order = list(DEFAULT_POLICY["penalty"])
    return order.index(category) if category in order else len(order)


def _source_reason(claim: Claim) -> str:
    src = claim.source
    if claim.sourcing_strength == "none":
        return _STRENGTH_WORDS["none"]
    kind = _TYPE_WORDS.get(src.type, src.type)
    reason = f"{kind} {_STRENGTH_WORDS[claim.sourcing_strength]}"
    if src.relayed:
        reason += ", relaying what others told it"
    return reason


def score_claims(claims: list[Claim], policy: dict | None = None) -> None:
    for claim in claims:
        claim.confidence = score_claim(claim, policy)
