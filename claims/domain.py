"""Small helpers on articles and claims that the services, the workflow and the
tests all use: content hashes, claim fingerprints, and the confidence of a saved
claim.

They sit below every service so that the workflow and the pipeline can share
them without importing each other: this module imports the engine and nothing
else of ours.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from claims.analysis.confidence import score_claim
from claims.analysis.types import Claim as EngineClaim
from claims.analysis.types import Confidence, Hedge, Source, Span

if TYPE_CHECKING:
    from claims.models import Claim


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(text: str) -> str:
    normal = re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip().lower()
    return hashlib.sha1(normal.encode("utf-8"), usedforsecurity=False).hexdigest()


def claim_confidence(claim: Claim, policy: dict) -> Confidence:
    """The engine's confidence policy applied to a saved claim."""
    engine_claim = EngineClaim(
        text=claim.text,
        start=claim.start,
        end=claim.end,
        sentence=Span(claim.sentence_start, claim.sentence_end),
        source=Source(
            text=claim.source_text or None, type=claim.source_type, relayed=claim.source_relayed
        ),
        sourcing_strength=claim.sourcing_strength,
        hedges=[Hedge(h.text, h.category, h.start, h.end) for h in claim.hedges.all()],
    )
    return score_claim(engine_claim, policy)
