"""What the engine must do with the constructions a newsroom produces.

Each test feeds a real-looking news sentence (or a short paragraph) to
``analyze`` and checks one behaviour from ../shared/docs/analysis-contract.md.
Snippets are wrapped in a title-only article (the layout of the gold dev2) so the
header parser never takes the body for a headline. The last group runs over the
dev articles in ``dev_articles/`` against their gold in ``dev_gold/``.

The case tables are kept one case per two lines (``fmt: off``) so they read as tables.
"""

import json
import re
from pathlib import Path

import pytest

from claims.analysis import analyze

HERE = Path(__file__).parent
DEV_GOLD = sorted((HERE / "dev_gold").glob("*.json"))
LEVELS = ["very_low", "low", "medium", "high"]


# --- helpers -----------------------------------------------------------------


def article(body, title="News in brief"):
    return f"{title}\n\n{body}\n"


def run(body):
    """Analyse ``body`` as an article; return (full text, contract dict)."""
    text = article(body)
    return text, analyze(text).to_dict()


def claim_containing(result, phrase):
    found = [c for c in result["claims"] if phrase in c["text"]]
    if len(found) != 1:
        texts = "\n  ".join(repr(c["text"]) for c in result["claims"]) or "(no claims)"
        pytest.fail(f"want one claim containing {phrase!r}, got {len(found)}; claims:\n  {texts}")
    return found[0]


def bare(claim_text):
    """The proposition without the closing punctuation the engine may keep."""
    return claim_text.strip().rstrip('.,;"\u201d').strip()


def cues(claim, category=None):
    return [h["text"] for h in claim["hedges"] if category in (None, h["category"])]


def source_text(claim):
    return (claim["source"] or {}).get("text") or ""


def norm(s):
    return re.sub(r"\s+", " ", s or "").strip().lower()


# --- sentence segmentation ------------------------------------------------------
# Initials, abbreviations and decimals must not end a sentence: the claim after the
# dot sits in the same sentence as the words before it.

# fmt: off
SEGMENTATION = [
    pytest.param("Russia's foreign minister, Sergei V. Lavrov, said Saturday that there was no "
                 "possibility of persuading President Bashar Assad to leave Syria.",
                 "Russia's foreign minister", "persuading President Bashar Assad", id="initial"),
    pytest.param("Lakhdar Brahimi, the U.N. and Arab League envoy on Syria, said the talks had "
                 "made no progress.", "Lakhdar Brahimi", "made no progress", id="U.N."),
    pytest.param("Dr. Sofia Marchetti, the lead author, said the cells kept 80 percent of their "
                 "capacity.", "Dr. Sofia", "cells kept 80 percent", id="Dr."),
    pytest.param("Gov. Tomas Reyes said the state had requested federal disaster assistance.",
                 "Gov. Tomas", "requested federal disaster assistance", id="Gov."),
    pytest.param("State Sen. Laura Whitcombe said the county had counted 3,112 mail ballots twice.",
                 "State Sen.", "counted 3,112 mail ballots twice", id="Sen."),
    pytest.param("The elections director said on Jan. 5 that the results had been certified.",
                 "The elections director", "results had been certified", id="Jan. 5"),
    pytest.param("Revenue fell 3.5 percent to $4.1 billion in the second quarter.",
                 "Revenue fell", "$4.1 billion", id="3.5 percent"),
    pytest.param("The first explosion was heard at 6:40 a.m. near the market, witnesses said.",
                 "The first explosion", "near the market", id="a.m."),
]
# fmt: on


@pytest.mark.parametrize("body, before, after", SEGMENTATION)
def test_abbreviations_do_not_split_the_sentence(body, before, after):
    text, result = run(body)
    sentence = claim_containing(result, after)["sentence"]
    assert sentence["start"] <= text.index(before)
    assert text.index(after) + len(after) <= sentence["end"]


# --- the "X said" frame goes to the source, not into the claim --------------------


def test_said_that_frame_and_complementizer_are_not_in_the_claim():
    _, result = run("The mayor, Ruth Adeyemi, said that the bridge would reopen in March.")
    claim = claim_containing(result, "bridge would reopen")
    assert bare(claim["text"]) == "the bridge would reopen in March"
    assert "Adeyemi" in source_text(claim)


def test_said_without_that():
    _, result = run(
        "Fire inspector Halvard Moe said investigators found traces of accelerant in three rooms."
    )
    claim = claim_containing(result, "traces of accelerant")
    assert bare(claim["text"]) == "investigators found traces of accelerant in three rooms"


def test_trailing_attribution_a_comma_x_said():
    _, result = run("The levee failed shortly after midnight, the agency said.")
    claim = claim_containing(result, "levee failed")
    assert bare(claim["text"]) == "The levee failed shortly after midnight"
    assert "agency" in source_text(claim)


def test_inverted_said_x():
    _, result = run(
        "The margin is likely to shrink in a recount, "
        "said Prof. Ana Lindqvist of Harlow University."
    )
    claim = claim_containing(result, "margin is likely to shrink")
    assert bare(claim["text"]) == "The margin is likely to shrink in a recount"
    assert "Lindqvist" in source_text(claim)
    assert claim["source"]["type"] == "named_person"


def test_inverted_said_x_after_a_quote():
    _, result = run(
        '"This is a genuine step forward, but it is not yet a product," '
        "said Professor Kenji Arata of Osaka Metropolitan University."
    )
    claim = claim_containing(result, "genuine step forward")
    assert "said" not in claim["text"]
    assert "Arata" in source_text(claim)


# --- "according to X", before and after the proposition ------------------------


def test_according_to_before():
    _, result = run(
        "According to two people familiar with the review, "
        "investigators found no evidence of fraud."
    )
    claim = claim_containing(result, "found no evidence of fraud")
    assert "According" not in claim["text"]
    assert "people familiar" in source_text(claim)
    assert (claim["source"]["type"], claim["sourcing_strength"]) == ("unnamed", "weak")


def test_according_to_after():
    _, result = run(
        "Lithium-sulfur cells have historically degraded quickly, "
        "according to the U.S. Department of Energy."
    )
    claim = claim_containing(result, "degraded quickly")
    assert "according" not in claim["text"].lower()
    assert "Department of Energy" in source_text(claim)
    assert claim["source"]["type"] in {"government", "named_organization"}


# --- a named person with a role ------------------------------------------------


def test_role_appositive_gives_the_name_as_source_and_the_role_apart():
    _, result = run("The city's police chief, Maria Lopez, said the officer was placed on leave.")
    claim = claim_containing(result, "placed on leave")
    assert "Maria Lopez" in source_text(claim)
    assert "chief" not in source_text(claim)
    assert "police chief" in (claim["source"]["role"] or "")
    assert (claim["source"]["type"], claim["sourcing_strength"]) == ("named_person", "strong")


# --- pronouns resolve to the name; offsets stay on the pronoun -----------------

# fmt: off
PRONOUNS = [
    pytest.param("Russia's foreign minister, Sergei V. Lavrov, said Russia would not press Assad "
                 "to step down. He also said that the opposition's demands would cost more lives.",
                 "opposition's demands", "Lavrov", "He", id="he"),
    pytest.param("The agency's director, Elena Marsh, said crews had pulled people from rooftops "
                 "overnight. She said two pumping stations were under water.",
                 "pumping stations", "Marsh", "She", id="she"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase, name, pronoun", PRONOUNS)
def test_pronoun_source_is_resolved_to_the_name(body, phrase, name, pronoun):
    text, result = run(body)
    claim = claim_containing(result, phrase)
    src = claim["source"]
    assert name in src["text"]
    assert text[src["start"] : src["end"]] == pronoun
    assert src["mention"] == pronoun
    assert claim["sentence"]["start"] <= src["start"] < claim["sentence"]["end"]


def test_pronoun_takes_the_latest_speaker_not_the_last_named_one():
    # "she" is the anonymous neighbour, not the police chief named earlier.
    _, result = run(
        "Police Chief Maria Lopez said the officer fired in self-defense. "
        "A neighbor who asked not to be named said the man had his hands raised. "
        '"I heard at least four shots," she said.'
    )
    claim = claim_containing(result, "four shots")
    assert "neighbor" in source_text(claim)
    assert claim["sourcing_strength"] == "weak"


# --- quotes: several sentences, and a quote that continues ---------------------


def test_quote_continuing_in_the_next_sentence_keeps_the_speaker():
    _, result = run(
        "The agency's director, Elena Marsh, said crews worked through the night. "
        '"We have never seen the river move this fast," Marsh said. '
        '"Two of our four pumping stations are already under water."'
    )
    claim = claim_containing(result, "pumping stations")
    assert "Marsh" in source_text(claim)
    assert claim["sourcing_strength"] == "strong"


def test_first_sentence_of_a_multi_sentence_quote_gets_the_trailing_speaker():
    _, result = run(
        '"We have never seen the river move this fast. The levees were built for a '
        "once-in-a-century flood,\" said Elena Marsh, the agency's director."
    )
    assert "Marsh" in source_text(claim_containing(result, "never seen the river"))
    assert "Marsh" in source_text(claim_containing(result, "once-in-a-century"))


# --- coordinated reported clauses give one claim each --------------------------

# fmt: off
COORDINATION = [
    pytest.param("The county's elections director, Raymond Ostrowski, denied that any ballots had "
                 "been counted twice and said the memo described a test run.",
                 "counted twice", "test run", "Ostrowski", id="denied-A-and-said-B"),
    pytest.param("The regional governor, Oksana Hrytsenko, said that 40 others were wounded and "
                 "that rescuers were still searching the rubble.",
                 "40 others", "searching the rubble", "Hrytsenko", id="said-that-A-and-that-B"),
    pytest.param("The national weather service said more rain was likely over the weekend, and "
                 "that the river might not crest until Monday.",
                 "more rain", "crest until Monday", "weather service", id="said-A-and-that-B"),
]
# fmt: on


@pytest.mark.parametrize("body, first, second, name", COORDINATION)
def test_coordinated_reported_clauses_are_two_claims(body, first, second, name):
    _, result = run(body)
    a, b = claim_containing(result, first), claim_containing(result, second)
    assert second not in a["text"] and first not in b["text"]
    assert name in source_text(a) and name in source_text(b)


def test_each_coordinated_claim_keeps_its_own_hedge():
    _, result = run(
        "The national weather service said more rain was likely over the weekend, "
        "and that the river might not crest until Monday."
    )
    assert cues(claim_containing(result, "more rain")) == ["likely"]
    assert cues(claim_containing(result, "crest until Monday")) == ["might"]


# --- nested speech and second-hand relays --------------------------------------


def test_nested_speech_keeps_the_reporter_and_records_the_original_speaker():
    _, result = run(
        "Russia's foreign minister, Sergei V. Lavrov, said that Assad had repeatedly told him "
        "that he had no plans to go anywhere."
    )
    claim = claim_containing(result, "no plans to go anywhere")
    assert "Lavrov" in source_text(claim)
    assert "Assad" in (claim["source"]["via"] or "")


def test_named_lawyer_relaying_a_detective_is_moderate():
    _, result = run(
        "A lawyer for the family, Jerome Whitfield, said relatives had been told by a detective "
        "that the officer did not turn on his body camera until after the shooting."
    )
    claim = claim_containing(result, "body camera")
    assert "Whitfield" in source_text(claim)
    assert claim["source"]["relayed"] or "detective" in (claim["source"]["via"] or "")
    assert claim["sourcing_strength"] == "moderate"


def test_relay_lowers_a_named_organization_from_strong_to_moderate():
    _, result = run(
        "The Tessel Valley Red Cross said its volunteers had evacuated 300 people. "
        "The Tessel Valley Red Cross said it had received reports of a dam failure upstream."
    )
    direct = claim_containing(result, "evacuated 300")
    relayed = claim_containing(result, "dam failure")
    assert (direct["sourcing_strength"], direct["source"]["relayed"]) == ("strong", False)
    assert (relayed["sourcing_strength"], relayed["source"]["relayed"]) == ("moderate", True)
    assert relayed["source"]["type"] == "named_organization"


def test_citing_residents_is_a_relay():
    _, result = run(
        "The Tessel Valley Red Cross, citing residents, "
        "said a highway bridge near Caldon had collapsed."
    )
    claim = claim_containing(result, "bridge near Caldon")
    assert claim["source"]["relayed"] is True
    assert claim["sourcing_strength"] == "moderate"


def test_local_media_reports_are_never_strong():
    _, result = run("A highway bridge near Caldon has collapsed, according to local media reports.")
    claim = claim_containing(result, "bridge near Caldon")
    assert claim["sourcing_strength"] in {"weak", "moderate"}


# --- source types and sourcing strength ----------------------------------------
# Governments speaking collectively (a state, the Kremlin, state media, a ministry,
# police) are moderate; named people and organizations on the record are strong.

GOV, ORG, DOC, UNNAMED = {"government"}, {"named_organization"}, {"document"}, {"unnamed"}

# fmt: off
SOURCES = [
    pytest.param("Russia acknowledged that government forces were losing territory.",
                 "losing territory", GOV, {"moderate"}, id="state"),
    pytest.param("The Kremlin said on Wednesday that the strike had hit a legitimate target.",
                 "legitimate target", GOV, {"moderate"}, id="kremlin"),
    pytest.param("Russian state television said the fuel depot had been completely destroyed.",
                 "completely destroyed", GOV, {"moderate"}, id="state-media"),
    pytest.param("Russia's Defense Ministry said its forces had struck a fuel depot.",
                 "fuel depot", GOV, {"moderate"}, id="ministry"),
    pytest.param("Police said the driver had been taken to a hospital with minor injuries.",
                 "taken to a hospital", GOV, {"moderate"}, id="police"),
    pytest.param("A department spokesman said the footage would be released within 45 days.",
                 "footage", GOV | UNNAMED, {"moderate"}, id="spokesperson"),
    pytest.param("Analysts at Greyline Research said that timeline was probably too optimistic.",
                 "too optimistic", ORG, {"strong"}, id="named-organization"),
    pytest.param("Insurance records seen by the Courier show the building was insured for "
                 "$4.5 million.", "insured for", DOC, {"strong", "moderate"}, id="records"),
    pytest.param("A video posted online on Tuesday shows smoke rising from the market square.",
                 "smoke rising", DOC, {"moderate"}, id="video-online"),
    pytest.param("Two former employees told the court that fire exits had been locked for months.",
                 "fire exits", UNNAMED, {"weak"}, id="former-employees"),
    pytest.param("Officials in neighboring Vara province said 40 people were missing.",
                 "40 people", UNNAMED, {"weak"}, id="officials"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase, types, strengths", SOURCES)
def test_source_type_and_strength(body, phrase, types, strengths):
    _, result = run(body)
    claim = claim_containing(result, phrase)
    assert claim["source"]["type"] in types
    assert claim["sourcing_strength"] in strengths


def test_reporters_own_background_assertion_has_no_source():
    _, result = run("The Tessel has flooded four times since 2010.")
    claim = claim_containing(result, "flooded four times")
    assert not source_text(claim)
    assert (claim["source"]["type"], claim["sourcing_strength"]) == ("none", "none")


# --- hedge cues: exact text and category ---------------------------------------
# The cue column is the exact cue text; "a|b" accepts either span.

# fmt: off
HEDGES = [
    # approximators
    ("Another opposition group said that as many as 300 people had been killed.",
     "been killed", "as many as", "approximator"),
    ("A missile strike killed at least 22 people on Tuesday, officials said.",
     "22 people", "at least", "approximator"),
    ("The governor said a second missile hit the same street about 20 minutes later.",
     "second missile", "about", "approximator"),
    ("Elena Marsh said the river had risen nearly two meters in 12 hours.",
     "two meters", "nearly", "approximator"),
    ("Officials said up to 40 people were missing in mountain villages.",
     "40 people", "up to", "approximator"),
    ("Corvane said a larger trial involving some 1,500 patients would begin in the spring.",
     "1,500 patients", "some", "approximator"),
    # epistemic
    ("The Kremlin said Ukrainian air defenses may have caused some of the damage.",
     "air defenses", "may", "epistemic"),
    ("The weather service said the river might not crest until Monday.",
     "crest until Monday", "might", "epistemic"),
    ("The chief executive, Caroline Dufresne, said the cost of the fire could reach $2.3 billion.",
     "cost of the fire", "could", "epistemic"),
    ("The weather service said more rain was likely over the weekend.",
     "more rain", "likely", "epistemic"),
    ("Analysts at Greyline Research said that timeline was probably too optimistic.",
     "too optimistic", "probably", "epistemic"),
    ("A video posted online on Sunday appears to show the officer approaching the car.",
     "approaching the car", "appears to", "epistemic"),
    ("An estimated 6.9 million Americans are living with Alzheimer's, according to the "
     "Alzheimer's Association.", "6.9 million", "estimated", "epistemic"),
    ("The utility is believed to face 1,200 lawsuits from fire victims.",
     "lawsuits", "believed|believed to", "epistemic"),
    # reportative
    ("The company is reportedly in talks to sell its gas storage business.",
     "gas storage", "reportedly", "reportative"),
    ("Prosecutors said they had identified the unit that allegedly launched the missile.",
     "identified the unit", "allegedly", "reportative"),
    # evidential gaps in the same sentence
    ("The Syrian Observatory for Human Rights said it had received reports of deaths in Homs "
     "but could not confirm them.", "deaths in Homs", "could not confirm", "evidential_gap"),
    ("A shareholder group said executives had sold stock early but did not provide evidence.",
     "sold stock", "did not provide evidence", "evidential_gap"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase, cue, category", HEDGES, ids=[h[2] for h in HEDGES])
def test_hedge_cue_and_category(body, phrase, cue, category):
    text, result = run(body)
    claim = claim_containing(result, phrase)
    assert set(cue.split("|")) & set(cues(claim, category)), f"hedges: {claim['hedges']}"
    for h in claim["hedges"]:
        assert text[h["start"] : h["end"]] == h["text"]


def test_vague_quantity_is_at_most_a_vague_quantity():
    _, result = run(
        "The agency's director, Elena Marsh, said crews had pulled dozens of people from rooftops."
    )
    claim = claim_containing(result, "rooftops")
    assert all(h["category"] == "vague_quantity" for h in claim["hedges"])


def test_some_before_a_plain_noun_is_no_approximator():
    _, result = run("According to residents, water reached the second floor of some homes.")
    assert cues(claim_containing(result, "second floor"), "approximator") == []


# --- "could" of ability and boosters are no hedges ------------------------------

# fmt: off
ABILITY = [
    pytest.param("Rescue crews could not reach the village by road on Thursday, the agency said.",
                 "reach the village", id="could-not-reach"),
    pytest.param("The chief said investigators could not yet say how many shots had been fired.",
                 "how many shots", id="could-not-say"),
    pytest.param("Gov. Tomas Reyes said the damage was beyond what the state could handle alone.",
                 "handle alone", id="could-handle"),
]
BOOSTERS = [
    pytest.param("President Vladimir Putin said that after 40 years of rule by one family, "
                 '"undoubtedly there is a call for change."', "call for change", id="undoubtedly"),
    pytest.param('Police Chief Maria Lopez said the officer had "clearly followed his training."',
                 "followed his training", id="clearly"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase", ABILITY)
def test_could_of_ability_is_no_hedge(body, phrase):
    _, result = run(body)
    assert cues(claim_containing(result, phrase)) == []


@pytest.mark.parametrize("body, phrase", BOOSTERS)
def test_booster_is_no_hedge(body, phrase):
    _, result = run(body)
    claim = claim_containing(result, phrase)
    assert claim["hedges"] == []
    assert claim["confidence"]["level"] == "high"


# --- an evidential gap in the next sentence belongs to the claim it points back to ---


def test_next_sentence_gap_attaches_to_the_previous_claim():
    _, result = run(
        "Officials in neighboring Vara province said up to 40 people were missing. "
        "The figure could not be independently verified."
    )
    claim = claim_containing(result, "40 people were missing")
    gaps = [h for h in claim["hedges"] if h["category"] == "evidential_gap"]
    assert [h["text"] for h in gaps] == ["could not be independently verified"]
    assert gaps[0]["start"] >= claim["sentence"]["end"]
    assert claim["confidence"]["level"] == "very_low"  # weak 0.45 * 0.85 * 0.5


def test_next_sentence_gap_does_not_reach_two_sentences_back():
    _, result = run(
        "The mayor said the bridge would reopen in March. "
        "Officials said 40 people were missing. "
        "The figure could not be independently verified."
    )
    assert cues(claim_containing(result, "bridge would reopen"), "evidential_gap") == []
    gaps = cues(claim_containing(result, "40 people"), "evidential_gap")
    assert gaps == ["could not be independently verified"]


def test_preprint_that_has_not_been_peer_reviewed():
    _, result = run(
        "An experimental drug slowed memory loss by 27 percent, according to a preprint study "
        "posted online on Tuesday. The study has not been peer reviewed."
    )
    claim = claim_containing(result, "slowed memory loss")
    assert claim["source"]["type"] == "document"
    assert cues(claim, "evidential_gap") == ["has not been peer reviewed"]
    assert claim["confidence"]["level"] == "low"  # moderate 0.7 * 0.5


# --- confidence follows the default policy --------------------------------------
# score = base[strength] * product(penalty per hedge category present)

# fmt: off
CONFIDENCE = [
    pytest.param("Fire inspector Halvard Moe said the blaze was started deliberately.",
                 "started deliberately", 0.9, "high", id="strong"),
    pytest.param("Elena Marsh said the river had risen nearly two meters in 12 hours.",
                 "two meters", 0.9 * 0.85, "medium", id="strong+approximator"),
    pytest.param("Analysts at Greyline Research said that timeline was probably too optimistic.",
                 "too optimistic", 0.9 * 0.75, "medium", id="strong+epistemic"),
    pytest.param("Russia acknowledged that government forces were losing territory.",
                 "losing territory", 0.7, "medium", id="moderate"),
    pytest.param("The Syrian Observatory for Human Rights said it had received reports of deaths "
                 "in Homs but could not confirm them.", "deaths in Homs", 0.7 * 0.5, "low",
                 id="moderate+gap"),
    pytest.param("Two former employees said fire exits had been locked for months.",
                 "fire exits", 0.45, "low", id="weak"),
    pytest.param("The Tessel has flooded four times since 2010.",
                 "flooded four times", 0.5, "low", id="none"),
    pytest.param("Another opposition group said that as many as 300 people had been killed, but "
                 "offered no supporting evidence.", "been killed", 0.45 * 0.85 * 0.5, "very_low",
                 id="weak+approximator+gap"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase, score, level", CONFIDENCE)
def test_confidence_policy(body, phrase, score, level):
    _, result = run(body)
    confidence = claim_containing(result, phrase)["confidence"]
    assert confidence["score"] == pytest.approx(score, abs=0.005)
    assert confidence["level"] == level
    assert confidence["reasons"]
    assert all(isinstance(r, str) and r for r in confidence["reasons"])


# --- kind and checkworthiness ---------------------------------------------------

# fmt: off
KINDS = [
    pytest.param("At least 14 people have died in the flooding, the agency said.",
                 "14 people", "quantity", id="toll"),
    pytest.param("Revenue fell 3.5 percent to $4.1 billion.",
                 "Revenue fell", "quantity", id="percentage"),
    pytest.param("The company said the plant will reopen in June.",
                 "plant will reopen", "prediction", id="will"),
    pytest.param("The trial is expected to last three weeks.",
                 "last three weeks", "prediction", id="is-expected-to"),
    pytest.param('"This is a genuine step forward," said Professor Kenji Arata.',
                 "genuine step forward", "opinion", id="evaluative-quote"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase, kind", KINDS)
def test_kind(body, phrase, kind):
    _, result = run(body)
    assert claim_containing(result, phrase)["kind"] == kind


def test_a_toll_is_more_checkworthy_than_an_opinion():
    _, result = run(
        "At least 22 people were killed in the strike, officials said. "
        '"It was a dark day for our town," the mayor said.'
    )
    toll, opinion = claim_containing(result, "22 people"), claim_containing(result, "dark day")
    assert toll["checkworthiness"] > opinion["checkworthiness"]


# --- whole dev articles: header, offsets, labels ---------------------------------


@pytest.fixture(params=DEV_GOLD, ids=[p.stem for p in DEV_GOLD])
def dev(request):
    gold = json.loads(request.param.read_text(encoding="utf-8"))
    text = (request.param.parent / gold["article"]).read_text(encoding="utf-8")
    return gold, text, analyze(text).to_dict()


def test_header_is_metadata_and_never_a_claim(dev):
    gold, text, result = dev
    meta = result["article"]
    for key, want in gold["metadata"].items():
        got = norm(str(meta.get(key) or ""))
        assert got.startswith(norm(want)) if key == "published" else got == norm(want), key
    first_body_words = gold["metadata"].get("dateline") or text.split("\n\n")[1][:20]
    assert meta["body_start"] == text.index(first_body_words)
    for c in result["claims"]:
        assert c["start"] >= meta["body_start"], c["text"]
        for line in gold["non_claims"]:
            n0 = text.index(line)
            assert not (c["start"] < n0 + len(line) and n0 < c["end"]), (line, c["text"])


def test_offsets_are_exact(dev):
    _, text, result = dev
    for c in result["claims"]:
        assert text[c["start"] : c["end"]] == c["text"]
        assert c["sentence"]["start"] <= c["start"] < c["end"] <= c["sentence"]["end"]
        src = c["source"]
        if src["start"] is not None:
            assert text[src["start"] : src["end"]] == src["mention"]
        for h in c["hedges"]:
            assert text[h["start"] : h["end"]] == h["text"]


KINDS_ALLOWED = {"statement", "quantity", "event", "prediction", "opinion"}
TYPES_ALLOWED = {"named_person", "named_organization", "government", "document", "unnamed", "none"}
HEDGE_CATEGORIES = {
    "approximator",
    "vague_quantity",
    "epistemic",
    "reportative",
    "evidential_gap",
}


def test_labels_and_ranges(dev):
    _, _, result = dev
    for c in result["claims"]:
        assert c["kind"] in KINDS_ALLOWED
        assert c["source"]["type"] in TYPES_ALLOWED
        assert c["sourcing_strength"] in {"strong", "moderate", "weak", "none"}
        assert c["confidence"]["level"] in LEVELS
        assert 0.0 <= c["confidence"]["score"] <= 1.0
        assert 0.0 <= c["checkworthiness"] <= 1.0
        assert {h["category"] for h in c["hedges"]} <= HEDGE_CATEGORIES


# --- page furniture inside the article -----------------------------------------------


@pytest.mark.parametrize(
    "furniture",
    [
        "Then sign up for our email newsletter to get the latest updates straight to your inbox.",
        "Never miss the latest news by signing up to our newsletter today.",
        "If you're on the Channel 9 app, click here to watch live.",
        "Follow us on Facebook, Instagram and X for more stories like this.",
        "Please accept YouTube cookies to play this video.",
        "To read the full story, please subscribe to the Riverside Gazette.",
    ],
)
def test_a_call_to_the_reader_inside_the_article_is_no_claim(furniture):
    """A web page's text keeps the site's calls to action where they sit among the
    paragraphs; they ask something of the reader and state nothing to check."""
    _, result = run(
        "The council closed two of its five libraries on Tuesday, officials said. "
        f"{furniture} The closures will save 1.1 million dollars a year, the mayor said."
    )
    texts = [c["text"] for c in result["claims"]]
    assert any("two of its five libraries" in t for t in texts)
    assert any("1.1 million dollars" in t for t in texts)
    assert not any(
        word in t.lower()
        for t in texts
        for word in ("newsletter", "click", "follow us", "cookies", "subscribe")
    )


def test_an_offer_or_a_person_signing_up_is_still_a_claim():
    _, result = run(
        "New users get $10 in bitcoin when they sign up for an account, the company said. "
        "More than 2,000 residents signed up for the program in its first week."
    )
    claim_containing(result, "$10 in bitcoin")
    claim_containing(result, "2,000 residents")


def test_news_about_cookies_or_a_reported_call_to_click_is_still_a_claim():
    """The words of a call to action, reported or as the subject of the news, are
    no call to the reader: a regulator's rule on cookies, a scam text's "click
    here", a defendant's "follow us"."""
    _, result = run(
        "Under the new rules, websites must let users accept or reject cookies with "
        "a single click, the regulator said. "
        "The texts told recipients to \u201cclick here\u201d to claim a refund, police said. "
        "The senator told supporters to follow us to the Capitol, prosecutors said."
    )
    claim_containing(result, "accept or reject cookies")
    claim_containing(result, "to claim a refund")
    claim_containing(result, "to the Capitol")


def test_a_call_to_the_reader_after_a_claim_or_inside_one_does_not_drop_it():
    """A call glued after a claim of news is cut off, not the claim with it; a
    claim that only mentions such words is no call: the site's own prompt is the
    one that speaks to the reader from the sentence's start."""
    _, result = run(
        "The council voted 7-2 to close the Elm Street library, click here for the full vote. "
        "Residents who sign up for the county flood newsletter will get alerts two hours "
        "earlier than before. "
        "The group posted a video urging supporters to follow us to the capitol, and 300 "
        "people marched on Saturday. "
        "If you are on the Channel 9 app, click here to watch live. "
        "Get the Riverside Gazette's morning edition by email and never miss our top stories."
    )
    closed = claim_containing(result, "Elm Street library")
    assert closed["text"] == "The council voted 7-2 to close the Elm Street library"
    claim_containing(result, "alerts two hours earlier")
    claim_containing(result, "300 people marched")
    assert not any("Channel 9" in c["text"] for c in result["claims"])
    assert not any("morning edition" in c["text"] for c in result["claims"])


def test_a_call_word_after_a_comma_that_is_no_bidding_does_not_cut_the_claim():
    """'subscribing to ... newsletter' or 'newsletter readers who sign up' after an
    opening phrase is what the sentence is about, not the site bidding its reader:
    the claim stays whole, not cut to its opening phrase."""
    _, result = run(
        "Under a law the legislature passed in March, subscribing to the state voter "
        "newsletter is now automatic for every registered voter. "
        "Under the plan the county approved on Monday, newsletter readers who sign up will "
        "get flood alerts two hours earlier."
    )
    automatic = claim_containing(result, "passed in March")
    assert "automatic for every registered voter" in automatic["text"]
    earlier = claim_containing(result, "approved on Monday")
    assert "flood alerts two hours earlier" in earlier["text"]


def test_a_call_to_action_inside_quotation_marks_is_no_call_to_the_reader():
    _, result = run(
        "Scam texts urging people to \u201cclick here\u201d rose 40 percent last year. "
        'Fake notices that say "Please log in to keep your account" doubled in May.'
    )
    claim_containing(result, "rose 40 percent")
    claim_containing(result, "doubled in May")


def test_bylines_credits_and_date_stamps_among_the_paragraphs_are_no_claims():
    """What a web page's extraction leaves on lines of their own between the
    paragraphs: a byline, a photo credit above the paragraph it illustrates, a
    date stamp. None is a claim, and none joins the next paragraph's claim."""
    text = article(
        "The council closed two of its five libraries on Tuesday, officials said.\n\n"
        "The vote was 7 to 2, with the mayor's allies in favour.\n\n"
        "Photo: Jonathan Nackstrand/AFP\n"
        "The closures will save 1.1 million dollars a year, the mayor said.\n\n"
        "Image credit: www.example.com/libraries\n\n"
        "Posted: Thursday, April 21, 2022\n\n"
        "November 2015 / 13:48\n\n"
        "By Monday, about 300 people had signed a petition against the plan.\n\n"
        "By Nada Tawfik, BBC News, New York"
    )
    texts = [c.text for c in analyze(text).claims]
    assert any("two of its five libraries" in t for t in texts)
    assert any(t.startswith("The closures will save 1.1 million dollars") for t in texts)
    assert any("about 300 people had signed a petition" in t for t in texts)
    for furniture in ("Nada Tawfik", "Posted", "Photo", "Image credit", "November 2015"):
        assert not any(furniture in t for t in texts), (furniture, texts)


def test_a_byline_glued_to_the_lede_is_metadata_and_the_lede_keeps_its_claim():
    _, result = run(
        "By Lena Ortiz, Staff Writer The county has cleared only half of the fallen trees, "
        "officials said Tuesday.\n\nThe cleanup will cost 2 million dollars, the mayor said."
    )
    assert result["article"]["author"] == "Lena Ortiz"
    claim = claim_containing(result, "half of the fallen trees")
    assert claim["text"] == "The county has cleared only half of the fallen trees"
    assert source_text(claim) == "officials"
    assert not any("Ortiz" in c["text"] for c in result["claims"])


@pytest.mark.parametrize(
    "byline",
    ["By Jane Doe, The Courier", "By Jane Doe", "October 3, 2023", "By Jane Doe | October 3, 2023"],
)
def test_a_byline_below_the_first_paragraphs_does_not_make_them_header(byline):
    """A header is at the top: a headline, one standfirst, the byline. Once two
    paragraphs of prose have passed, a byline-looking line is a line of the page's
    furniture; the paragraphs above it keep their claims."""
    text = article(
        "Two libraries will shut next month under the plan approved by the council.\n\n"
        "The closures will save 1.1 million dollars a year, according to the mayor.\n\n"
        f"{byline}\n\n"
        "About 300 people have signed a petition against the plan, organisers said.",
        title="Council closes libraries",
    )
    texts = [c.text for c in analyze(text).claims]
    assert any("Two libraries will shut next month" in t for t in texts), texts
    assert any("1.1 million dollars a year" in t for t in texts), texts
    assert any("300 people have signed a petition" in t for t in texts), texts
    assert not any("Jane Doe" in t or "October 3" in t for t in texts), texts


def test_a_photo_credit_at_the_end_of_a_paragraph_is_not_part_of_its_claim():
    """A caption's credit that extraction glues to a paragraph ("... the
    briefings. Photo: Jonathan Nackstrand/AFP", the next paragraph on the line
    below) is no claim and no part of one; words like "photo" in prose are."""
    text = article(
        "The council closed two of its five libraries on Tuesday. "
        "Photo: Jonathan Nackstrand/AFP\n"
        "The closures will save 1.1 million dollars a year. Photograph: Jane Roe/Reuters\n\n"
        "About 300 people have signed a petition against the plan. (Getty Images)\n\n"
        "The mayor defended the cuts at a meeting on Wednesday. "
        "Image credit: www.example.com/libraries\n\n"
        "Opponents plan a march on Saturday. Featured image by Alex Doe/The Courier.\n\n"
        "Photos by Reuters showed long queues outside the central library.\n\n"
        "Two thousand residents use the libraries every week. Photo by the council: "
        "it showed the queue."
    )
    texts = [c.text for c in analyze(text).claims]
    for start in (
        "The council closed two of its five libraries on Tuesday",
        "The closures will save 1.1 million dollars a year",
        "About 300 people have signed a petition against the plan",
        "The mayor defended the cuts at a meeting on Wednesday",
        "Opponents plan a march on Saturday",
    ):
        assert any(bare(t) == start for t in texts), (start, texts)
    for credit in ("Nackstrand", "Jane Roe", "Getty", "Image credit", "Alex Doe"):
        assert not any(credit in t for t in texts), (credit, texts)
    assert any("Photos by Reuters showed long queues" in t for t in texts), texts
    assert any("Photo by the council" in t for t in texts), texts


@pytest.mark.parametrize(
    "stamp",
    [
        "Posted: Thursday, April 21, 2022. 10:11 pm CST.",
        "Published: 21 April 2022. 10:11 am",
        "Updated on April 21, 2022 at 10:11 pm EST.",
        "April 21, 2022. 10:11 pm.",
    ],
)
def test_a_date_and_time_stamp_line_is_no_claim(stamp):
    """A page's date stamp, under its headline or among its paragraphs, with the
    full stops some sites print: the date is metadata, the line no claim."""
    text = article(
        f"{stamp}\n"
        "The council closed two of its five libraries on Tuesday, officials said.\n\n"
        f"{stamp}\n\n"
        "About 300 people have signed a petition against the plan, organisers said.",
        title="Council closes libraries",
    )
    result = analyze(text)
    texts = [c.text for c in result.claims]
    assert result.article.published.startswith("2022-04-21"), result.article
    assert any("two of its five libraries" in t for t in texts), texts
    assert any("300 people have signed a petition" in t for t in texts), texts
    assert not any("2022" in t or "10:11" in t or "pm" in t.split() for t in texts), texts


@pytest.mark.parametrize("line", ["Deaths reach 1500", "Jobs top 2000", "Sales hit 9000"])
def test_a_short_line_ending_in_a_number_is_no_date_stamp(line):
    """A date stamp's words are a month's and a weekday's: a short line of news that
    ends in a four-digit figure is a claim, not the page's furniture."""
    text = article(
        "The river rose 3 metres on Tuesday, officials said.\n\n"
        f"{line}\n\n"
        "March 2020\n\n"
        "The mayor said the dam would hold."
    )
    texts = [c.text for c in analyze(text).claims]
    assert line in texts, texts
    assert not any("March 2020" in t for t in texts)


@pytest.mark.parametrize(
    "line",
    [
        "By Election Day, turnout had reached 60 percent",
        "By Late March, prices had doubled",
    ],
)
def test_a_line_of_news_that_starts_like_a_byline_is_a_claim(line):
    """A byline's name is followed by an outlet, a place or a role, never by the
    rest of a sentence: a line of news without its full stop (a list item, a
    subheading) that starts "By Election Day, ..." is a claim."""
    text = article(
        "The river rose 3 metres on Tuesday, officials said.\n\n"
        "The vote was 7 to 2, with the mayor's allies in favour.\n\n"
        "Engineers inspected the dam on Wednesday.\n\n"
        f"{line}\n\n"
        "By Ann Lee, staff writer\n\n"
        "By Nada Tawfik, BBC News, New York\n\n"
        "The mayor said the dam would hold."
    )
    texts = [c.text for c in analyze(text).claims]
    assert any(line.split(", ")[1] in t for t in texts), texts
    assert not any("Ann Lee" in t or "Tawfik" in t for t in texts), texts
