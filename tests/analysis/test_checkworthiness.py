"""Check-worthiness: the learned model over whole-sentence features, and the rule
layer that holds non-claims near zero. Every sentence here is written for the test."""

import pytest

from claims.analysis import analyze, kinds

NEAR_ZERO = 0.05


def claims_of(body: str, title: str = "Local news") -> tuple[str, list[dict]]:
    text = f"{title}\n\n{body}\n"
    return text, analyze(text).to_dict()["claims"]


def score_of(body: str, phrase: str) -> float:
    _, claims = claims_of(body)
    found = [c for c in claims if phrase in c["text"]]
    assert len(found) == 1, [c["text"] for c in claims]
    return found[0]["checkworthiness"]


def line_scores(body: str, line: str) -> list[float]:
    """Scores of the claims overlapping ``line``; at least one must exist."""
    text, claims = claims_of(body)
    start = text.index(line)
    end = start + len(line)
    scores = [c["checkworthiness"] for c in claims if c["start"] < end and start < c["end"]]
    assert scores, f"no claim on {line!r}"
    return scores


# --- the whole sentence counts, frame included -------------------------------------


def test_a_number_in_the_frame_raises_the_claim():
    plain = score_of("The agency said the harvest was poor.", "harvest was poor")
    counted = score_of(
        "The agency, which surveyed 12,000 farms, said the harvest was poor.", "harvest was poor"
    )
    assert counted > plain


def test_a_statistic_outranks_an_opinion():
    fact = score_of("Unemployment in the county fell to 4.2 percent last year.", "Unemployment")
    opinion = score_of("The new library is a wonderful place to spend an afternoon.", "library")
    assert fact > opinion


def test_a_past_record_outranks_a_first_person_promise():
    record = score_of("Property taxes in the district rose 8 percent in 2019.", "Property taxes")
    promise = score_of("I will cut property taxes for every family.", "cut property taxes")
    assert record > promise


# --- non-claims: near zero, whatever the model says ---------------------------------

# fmt: off
NON_CLAIMS = [
    pytest.param("Did the council approve the new budget last year?", id="question"),
    pytest.param("Preheat the oven to 200C and grease a large tin.", id="instruction"),
    pytest.param("Please stir the sauce for ten minutes.", id="please-instruction"),
    pytest.param("Thank you all for coming tonight.", id="thanks"),
    pytest.param("Good evening, and welcome to the town hall.", id="greeting"),
]
# fmt: on


@pytest.mark.parametrize("line", NON_CLAIMS)
def test_non_claims_are_near_zero(line):
    body = f"{line} The bridge reopened on Monday after 14 months of repairs."
    assert max(line_scores(body, line)) <= NEAR_ZERO
    assert max(line_scores(body, "bridge reopened")) > NEAR_ZERO


def test_a_quoted_question_is_near_zero():
    body = '"Why did the council spend 2 million pounds on a fountain?" a resident asked.'
    assert max(line_scores(body, "Why did the council")) <= NEAR_ZERO


def test_a_headline_line_is_near_zero():
    body = (
        "Flood Defences Fail Across the Valley.\n\n"
        "The river rose two metres overnight, the agency said."
    )
    assert max(line_scores(body, "Flood Defences")) <= NEAR_ZERO


# --- ... and the rules leave claims alone ----------------------------------------------

# fmt: off
CLAIMS = [
    pytest.param("Thanks to the new levy, council revenue grew 5 percent.", id="thanks-to"),
    pytest.param("Look, the county deficit doubled in four years.", id="look-preamble"),
    pytest.param("Chancellor Weber met President Lindqvist in Oslo.", id="names-not-headline"),
]
# fmt: on


@pytest.mark.parametrize("line", CLAIMS)
def test_claims_that_look_like_non_claims_are_scored(line):
    assert max(line_scores(f"{line}\n\nThe talks ended at noon.", line)) > NEAR_ZERO


# --- the model and its data file ------------------------------------------------------


def test_the_weights_file_says_where_it_comes_from():
    model = kinds.model()
    about = model["about"]
    for field in ("corpus", "repository", "commit", "split", "fitted", "script", "cv"):
        assert about[field], field
    assert about["split"] == "data/training"
    assert about["cv"]["map"] > about["cv"]["map_old_heuristic"]
    assert isinstance(model["intercept"], float)
    assert model["weights"] and all(isinstance(w, float) for w in model["weights"].values())
    assert not set(model["weights"]) & set(kinds.RULES)


def test_every_weight_is_a_feature_the_engine_computes():
    words = [(0, 4, "jobs", "NNS"), (5, 9, "rose", "VBD"), (10, 11, "3", "CD")]
    feats = kinds.claim_features(
        kinds.sentence_features(words, [], "jobs rose 3", 0, 11),
        words,
        "jobs rose 3",
        (0, 11),
        "quantity",
        False,
    )
    known = set(feats) | set(kinds._ENTITY_FEATURES.values()) | {"kind_" + k for k in KINDS}
    known |= {"short", "long", "reported", "promise", "perfect", "record", "modal"}
    known |= set(kinds._TAG_FEATURES.values()) | set(kinds._WORD_FEATURES.values())
    assert set(kinds.model()["weights"]) <= known


KINDS = ("quantity", "event", "prediction", "opinion")


def test_scores_are_floats_in_range():
    _, claims = claims_of(
        "Revenue fell 3 percent. Will it recover? Mix the flour. The mayor said it was fine."
    )
    assert claims
    for c in claims:
        assert isinstance(c["checkworthiness"], float)
        assert 0.0 <= c["checkworthiness"] <= 1.0
