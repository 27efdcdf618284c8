"""The engine's source-record prior: plain data in, the score moved toward the
smoothed share verified and a reason that says so; no record, no change."""

import pytest

from claims.analysis.confidence import score_claim
from claims.analysis.types import Claim, Hedge, Source, SourceRecord, Span


def claim(strength: str = "moderate", hedges=()) -> Claim:
    return Claim(
        text="12 civilians were killed",
        start=0,
        end=24,
        sentence=Span(0, 30),
        source=Source(text="Syrian Observatory", type="named_organization"),
        sourcing_strength=strength,
        hedges=list(hedges),
    )


def test_no_record_is_the_policy_alone():
    assert score_claim(claim()) == score_claim(claim(), record=None)
    assert score_claim(claim()).score == 0.7


def test_a_good_record_raises_and_a_bad_one_lowers_with_the_reason():
    good = score_claim(claim(), record=SourceRecord(verified=8, verdicts=9))
    assert good.score == pytest.approx(0.7 * 0.7 + 0.3 * 9 / 11, abs=1e-4)
    assert good.reasons[1] == "source's record: 8 of 9 verified"
    bad = score_claim(claim(), record=SourceRecord(verified=0, verdicts=9))
    assert bad.score < 0.7 < good.score
    assert bad.reasons[1] == "source's record: 0 of 9 verified"


def test_hedges_still_apply_after_the_prior_and_the_weight_is_policy():
    hedged = claim(hedges=[Hedge("about", "approximator", 0, 5)])
    conf = score_claim(hedged, record=SourceRecord(8, 9))
    assert conf.score == pytest.approx((0.7 * 0.7 + 0.3 * 9 / 11) * 0.85, abs=1e-4)
    off = score_claim(claim(), {"record": {"weight": 0.0}}, record=SourceRecord(8, 9))
    assert off.score == 0.7
