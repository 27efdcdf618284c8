"""The hedge lexicon built from the speculation cues of SFU and BioScope full papers.

Each cue family added from the corpora is found, its context rules keep the news
uses that are no hedge out ("the best possible outcome", "potential buyers",
"declined to say whether"), and "could" counts as doubt, not as ability. Sentences
are written for these tests, not taken from the corpora. The last group runs whole
articles, so a cue the lexicon finds must also reach a claim.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.analysis import analyze
from claims.analysis.hedging import cue_matches, find_cues
from claims.analysis.lexicon import hedge_scanner


def cues(sentence):
    return [(h.text.lower(), h.category) for h in find_cues(sentence, 0, len(sentence))]


def cue_texts(sentence):
    return [text for text, _ in cues(sentence)]


# fmt: off
FOUND = [
    ("Early tallies suggest that turnout fell.", "suggest"),
    ("Turnout fell, suggesting that the campaign had stalled.", "suggesting"),
    ("Inspectors indicated that the dam had held.", "indicated"),
    ("The filing indicates that the firm owed taxes.", "indicates"),
    ("Investigators are examining whether the blaze was set.", "whether"),
    ("It is possible that the virus spread in the clinic.", "possible that"),
    ("A delay is possible, the agency said.", "is possible"),
    ("The spill has the potential to reach the coast.", "potential"),
    ("The putative leader of the group was arrested.", "putative"),
    ("The cause of the outage is unclear.", "unclear"),
    ("It is not clear why the talks collapsed.", "not clear"),
    ("The number of victims is not known.", "not known"),
    ("The audit raises the possibility that funds were diverted.", "raises the possibility"),
    ("The council seems divided on the plan.", "seems"),
    ("The tower seemed to lean after the quake.", "seemed to"),
    ("It appears that the pipe burst overnight.", "appears"),
    ("Maybe the ferry left early.", "maybe"),
    ("Whether the reactor was damaged remains to be determined.", "remains to be"),
    ("Police have not ruled out arson.", "have not ruled out"),
    ("Officials cannot exclude a second leak.", "cannot exclude"),
    ("The scheme assumed that rates would stay low.", "assumed"),
    ("An estimated 4,000 people fled the town.", "estimated"),
    ("Experts estimated that the repairs would cost more.", "estimated"),
    ("Such a tax could reach small firms.", "could"),
    ("The vote could be delayed until June.", "could"),
]

NOT_HEDGED = [
    "The team played for the best possible outcome.",
    "The museum stayed open as long as possible.",
    "It is possible to file the form online.",
    "Potential buyers toured the plant on Monday.",
    "The mayor declined to say whether the contract was signed.",
    "The trial was too short to show whether the benefit lasts.",
    "The board will decide whether to sell the stadium.",
    "The red line indicates the flood level.",
    "She appeared in court on Tuesday.",
    "The senator is not known for patience.",
    "The gunman was not known to police.",
    "He assumed office in January.",
    "The cost was estimated by the auditors.",
    "Binding of the two proteins could be demonstrated in the lab.",
    "Smoke could be seen for miles.",
    "The tremor could clearly be felt downtown.",
    "The minister could not press the rebels to talk.",
    "Neither could say who locked the doors.",
]
# fmt: on


@pytest.mark.parametrize(("sentence", "cue"), FOUND)
def test_corpus_cue_family_is_found(sentence, cue):
    assert cue in cue_texts(sentence)


@pytest.mark.parametrize("sentence", NOT_HEDGED)
def test_news_use_is_no_hedge(sentence):
    assert cues(sentence) == []


def test_new_cues_are_epistemic():
    # The contract's doubt category: not an evidential gap, which would make a
    # short "It is unclear ..." sentence a hedge of the sentence before it.
    for sentence, cue in FOUND:
        categories = {cat for text, cat in cues(sentence) if text == cue}
        assert categories == {"epistemic"}, sentence


def test_estimated_keeps_the_approximators_around_it():
    assert cues("Officials estimated that about 300 homes flooded.") == [
        ("estimated", "epistemic"),
        ("about", "approximator"),
    ]


def test_could_be_with_an_adverb_before_a_participle_of_observing():
    assert cues("The effect could be almost fully reproduced in mice.") == []
    assert cue_texts("The effect could be almost fully reversed by the drug.") == ["could"]


def test_a_refusal_does_not_hide_a_later_open_question():
    sentence = "She did not say whether the mine reopened, or whether anyone knew."
    assert cue_texts(sentence) == ["whether"]


# --- whole articles: the cue reaches a claim ------------------------------------


def hedges_in(body):
    text = f"News in brief\n\n{body}\n"
    result = analyze(text).to_dict()
    return [h["text"].lower() for c in result["claims"] for h in c["hedges"]]


# fmt: off
ARTICLE_CASES = [
    ("The ministry said the early figures suggested that exports had slowed.", "suggested"),
    ("Satellite images indicated that the runway had been repaired.", "indicated"),
    ("It is unclear whether the ceasefire will hold.", "unclear"),
    ("The cause of the crash is not known.", "not known"),
    ("The new findings raise the possibility that the well was poisoned.", "raise the possibility"),
    ("The drought seems to be easing in the north.", "seems to"),
]
# fmt: on


@pytest.mark.parametrize(("body", "cue"), ARTICLE_CASES)
def test_cue_is_attached_to_a_claim(body, cue):
    assert cue in hedges_in(body)


def test_could_be_demonstrated_is_not_a_hedge_of_the_claim():
    assert hedges_in("Researchers said the leak could be detected from orbit.") == []


# --- cue_matches: the scanner tried only at words that start a cue ------------------


def _finditer(text):
    return [(m.span(), m.lastindex) for m in hedge_scanner().finditer(text, 0, len(text))]


def _cue_matches(text):
    return [(m.span(), m.lastindex) for m in cue_matches(text, 0, len(text))]


# Where a cue may hide from a word-by-word look: folded letters (the Kelvin sign
# and the long s match "k" and "s" under IGNORECASE, the dotted capital I matches
# "i"), an apostrophe or digit right after the first word, hyphens and underscores
# before it, and a match that runs over the next word's start.
ODD = [
    "It\u212a could be \u017fome 20 people.",
    "\u0130t's possible that it rained.",
    "could've been, couldn't say, it's likely, as-many-as 50, _reportedly, 9allegedly",
    "As Many As five; AS MUCH AS $5; approximately\u00a0ten; about-10; roughly\n20",
    "un-confirmed reports, so-called experts, reportedly-reported, allegedly",
    "could not be independently verified could not be confirmed whether",
    "according to unconfirmed reports",  # one cue, not "unconfirmed" again inside it
    "",
    "   ",
]


@pytest.mark.parametrize("text", ODD)
def test_cue_matches_are_the_scanners_own(text):
    assert _cue_matches(text) == _finditer(text)


def test_cue_matches_on_every_article_here():
    """Every shipped and gold article, sentence by sentence as the engine asks and
    whole: the same matches as the scanner's own finditer, and some found."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    paths = [*root.glob("seeds/*.txt"), *(root / "tests/analysis/dev_articles").glob("*.txt")]
    found = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _cue_matches(text) == _finditer(text)
        found += len(_finditer(text))
        for sentence in text.split(". "):
            assert _cue_matches(sentence) == _finditer(sentence)
    assert found > 20


CUE_WORDS = ["could", "not", "be", "as", "many", "much", "it's", "reportedly", "about", "K",
             "\u212a", "\u017f", "some", "-", "'", "ve", "20", "likely", "may", "May"]  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.sampled_from(CUE_WORDS), st.text(max_size=4)),
        max_size=12,
    ),
    st.sampled_from([" ", "", "-", "\n", "  "]),
)
def test_cue_matches_on_random_text(words, sep):
    text = sep.join(words)
    assert _cue_matches(text) == _finditer(text)
