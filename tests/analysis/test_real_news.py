"""Error classes found on real published news (PolNeAR, issue 9), one test each.

The sentences are written here for the purpose, in the shapes that went wrong;
none is copied from a corpus. Each checks one behaviour of the contract.
"""

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.analysis import analyze, pipeline

from .test_phenomena import claim_containing, run, source_text


def sourced(body, phrase):
    """(claim containing ``phrase``, its source dict) in the analysis of ``body``."""
    _, result = run(body)
    claim = claim_containing(result, phrase)
    return claim, claim["source"]


# --- never lose an article ---------------------------------------------------------


def test_a_sentence_whose_extraction_raises_becomes_one_unsourced_claim(monkeypatch, caplog):
    real = pipeline.parse_sentence

    def flaky(doc, sent, text):
        if "lighthouse" in text[sent.start : sent.end]:
            raise ValueError("a rule that mishandles this sentence")
        return real(doc, sent, text)

    monkeypatch.setattr(pipeline, "parse_sentence", flaky)
    body = (
        "The port authority said the harbour would reopen on Monday. "
        "The old lighthouse was repainted in red and white last spring. "
        "Ferry operators said bookings had doubled since the storm."
    )
    with caplog.at_level(logging.ERROR, logger="claims.analysis.pipeline"):
        text, result = run(body)
    texts = [c["text"] for c in result["claims"]]
    assert "The old lighthouse was repainted in red and white last spring" in texts
    lighthouse = claim_containing(result, "lighthouse")
    assert lighthouse["source"]["type"] == "none"
    assert any("bookings had doubled" in t for t in texts)  # the rest goes on
    assert "claim extraction failed" in caplog.text
    for c in result["claims"]:
        assert text[c["start"] : c["end"]] == c["text"]


def test_a_cut_before_the_closing_quote_that_leaves_nothing_does_not_raise(caplog):
    # The shape that raised "min() arg is an empty sequence": a frame inside a
    # quotation ("he said this") cut everything of its clause away.
    body = (
        "The coach said fans and the media are to blame for focusing on "
        "\u201che said this, he tweeted that.\u201d"
    )
    with caplog.at_level(logging.ERROR, logger="claims.analysis.pipeline"):
        _, result = run(body)
    assert "claim extraction failed" not in caplog.text
    assert result["claims"]


SENTENCE = st.sampled_from(
    [
        '"When we win, we will build it," Ortiz said.',
        'As Ramos put it: "Nobody saw this coming."',
        "According to the ministry, at least 12 people died.",
        "The mayor, who spoke on condition of anonymity, said the road was closed.",
        '"It is over," he said, adding "we move on."',
        "Reuters could not immediately confirm the report.",
        "Preheat the oven to 200 degrees.",
        "Thank you all for coming tonight!",
        "Is this the end of the road?",
        '"A," "B," said C.',
        ": : , , \" ' '' `` -- \u2014",
        "He said.",
        "Said Ellis: \u201cNo.\u201d",
        "(AP) \u2014 ",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(st.lists(SENTENCE, min_size=1, max_size=4), min_size=1, max_size=5),
    noise=st.text(min_size=0, max_size=30),
)
def test_real_article_shaped_input_never_raises_and_offsets_hold(paragraphs, noise):
    body = "\n\n".join(" ".join(p) for p in paragraphs) + noise
    text = "Headline of the day\n\n" + body
    try:
        result = analyze(text).to_dict()
    except ValueError as exc:  # only the input checks may refuse (empty, binary ...)
        assert "empty" in str(exc).lower() or "text" in str(exc).lower()
        return
    for c in result["claims"]:
        assert text[c["start"] : c["end"]] == c["text"]
        for h in c["hedges"]:
            assert text[h["start"] : h["end"]] == h["text"]


# --- who says it --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, phrase, speaker",
    [
        # A quote that opens with If/When/How keeps its speaker.
        (
            '"When I am mayor, we will fix every road," Lopez said.',
            "we will fix every road",
            "Lopez",
        ),
        (
            '"If the dam holds, the town is safe," said Mara Quist.',
            "the town is safe",
            "Mara Quist",
        ),
        # Colon quotes.
        ('As Ramos acknowledges: "We have a lot of work to do."', "a lot of work", "Ramos"),
        ('Said Okafor: "The budget is short by $4 million."', "short by $4 million", "Okafor"),
        # A statement's author speaks through it; the content stays out of the source.
        (
            'Senator Vale released a statement saying he is "fully confident" in the count.',
            "fully confident",
            "Vale",
        ),
        # The "if" clause is part of the claim, never of the source.
        (
            "If the bridge closes, commuting times will double, Texas Rep. Ana Ortiz said.",
            "commuting times will double",
            "Ana Ortiz",
        ),
        # respond, reply, tweet, write, show are reporting verbs.
        ('"We will win this district," Mook responded.', "win this district", "Mook"),
        (
            "The governor tweeted that the storm had passed the coast.",
            "storm had passed",
            "governor",
        ),
        ("A new poll showed that most voters oppose the toll.", "most voters oppose", "poll"),
        (
            "Harlan wrote that the mill had closed in 1998 after the flood.",
            "mill had closed",
            "Harlan",
        ),
        # A frame the parser leaves unattached: a verb tagged as a noun.
        ("Dorsey claims that the audit was never finished.", "audit was never finished", "Dorsey"),
        # "According to X" at either end.
        (
            "The plant will cut 300 jobs next year, according to two union leaders.",
            "cut 300 jobs",
            "union leaders",
        ),
        # A parenthetical "as X has pointed out".
        (
            "As several economists have pointed out, the levy falls hardest on renters.",
            "falls hardest on renters",
            "economists",
        ),
        # "told <an addressee> that ...", the clause parsed as a relative clause.
        (
            "In Lisbon last week, Minister Ana Costa told a meeting of fishing leaders "
            "that few boats had left port since the storm.",
            "few boats had left port",
            "Ana Costa",
        ),
        # A parenthetical frame the parser hangs on the clause's subject.
        (
            "The difference now, Senator Vale told me on Friday, is that the count is final.",
            "the count is final",
            "Vale",
        ),
        # A gerund subject the parser makes the verb's complement.
        (
            "Montana Sen. Joan Pike, chairman of the Democratic County Committee, said having "
            "Trump at the top of the GOP ticket puts even senior Republicans at risk.",
            "puts even senior Republicans at risk",
            "Joan Pike",
        ),
        # A speaker the parser took into the quotation before it.
        (
            "\u201cIt is not the position that everything is hunky-dory,\u201d Gene Alder, a top "
            "outside Clinton adviser, said at a recent POLITICO event.",
            "everything is hunky-dory",
            "Gene Alder",
        ),
        # Doubled-apostrophe quotes, and a contraction the parser misreads.
        (
            "''On paper, the levy's a fair tax,'' said Ruth Adair, a former budget director "
            "of the city.",
            "a fair tax",
            "Ruth Adair",
        ),
        # The owner of a claim noun speaks its "that" clause.
        (
            "Critics seized on Harlow's claim that crime had fallen by half in a year.",
            "crime had fallen by half",
            "Harlow",
        ),
    ],
)
def test_the_speaker_of_each_reported_construction(body, phrase, speaker):
    claim, source = sourced(body, phrase)
    assert speaker.lower() in source_text(claim).lower()
    assert claim["origin"] in ("reported", "quote_continuation")


@pytest.mark.parametrize(
    "body, claim_text",
    [
        (
            "Port officials said Tuesday the dam had held through the night.",
            "the dam had held through the night",
        ),
        (
            "The mayor said last week the bridge would reopen in May.",
            "the bridge would reopen in May",
        ),
        # A future time dates what was said, not the saying: it stays in the claim.
        (
            "The mayor said next year the bridge would reopen in May.",
            "next year the bridge would reopen in May",
        ),
    ],
)
def test_the_day_of_the_saying_is_not_part_of_the_claim(body, claim_text):
    claim, source = sourced(body, "bridge" if "bridge" in body else "dam")
    assert claim["text"] == claim_text
    assert source["verb"] == "said"


def test_a_speaker_after_the_quote_beats_the_previous_quote():
    body = '"The count is final," Smith said. "We will appeal the count," Mook responded.'
    claim, _ = sourced(body, "appeal")
    assert source_text(claim) == "Mook"


def test_no_claim_holds_its_own_frame_beside_the_reported_one():
    body = (
        "Rival Dana Holt had mocked the complaint, saying anyone who complains about "
        'a microphone "is not having a good night."'
    )
    _, result = run(body)
    assert not [c for c in result["claims"] if "saying" in c["text"]]
    claim = claim_containing(result, "not having a good night")
    assert source_text(claim) == "Dana Holt"


# --- what kind of source, how strong --------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "A senior army officer in Kandahar, who spoke on condition of anonymity, "
        "said the convoy was hit twice.",
        "The convoy was hit twice, said an official at the Defence Ministry, "
        "who was not authorized to speak publicly.",
        "A Volta Motors engineer, who asked not to be named, said the brakes had failed twice.",
    ],
)
def test_anonymity_makes_a_source_unnamed_and_weak(body):
    _, result = run(body)
    claim = [c for c in result["claims"] if c["source"]["type"] != "none"][0]
    assert claim["source"]["type"] == "unnamed"
    assert claim["sourcing_strength"] == "weak"


def test_a_role_named_in_the_next_sentence_is_that_person():
    body = (
        "Spain's health minister said the ward would reopen on Monday. "
        "Health Minister Carla Ruiz added that all staff had been tested."
    )
    claim, source = sourced(body, "ward would reopen")
    assert source["text"] == "Carla Ruiz"
    assert source["type"] == "named_person"
    assert claim["sourcing_strength"] == "strong"


def test_a_role_not_named_nearby_stays_unnamed():
    body = "A hospital spokesman said the ward would reopen on Monday. The roads were icy."
    _, source = sourced(body, "ward would reopen")
    assert source["type"] == "unnamed"


# --- claims are claims ----------------------------------------------------------------


def test_could_not_confirm_is_a_hedge_of_the_claim_before_not_a_claim():
    body = (
        "Rebel commanders said 40 soldiers were killed in the ambush. "
        "Reuters could not immediately confirm the report."
    )
    _, result = run(body)
    assert not [c for c in result["claims"] if "Reuters" in c["text"]]
    claim = claim_containing(result, "40 soldiers")
    assert "could not immediately confirm" in [h["text"] for h in claim["hedges"]]


@pytest.mark.parametrize(
    "remark",
    [
        "The ministry did not respond to a request for comment.",
        "A spokeswoman for the company declined to comment.",
        "The mayor's office could not be reached for comment on Sunday.",
    ],
)
def test_no_comment_remarks_are_not_claims(remark):
    _, result = run(f"The mill will close in March, the union said. {remark}")
    assert [c["text"] for c in result["claims"]] == ["The mill will close in March"]


def test_doubled_apostrophe_quotes_are_quotes():
    body = "''The levy is a tax on renters,'' Mr. Amos said. ''It will not pass.''"
    _, result = run(body)
    first = claim_containing(result, "tax on renters")
    second = claim_containing(result, "will not pass")
    assert source_text(first) == "Mr. Amos"
    assert source_text(second) == "Mr. Amos"


def test_a_pull_quote_signed_with_a_dash_is_that_persons():
    body = (
        '"The levy hits renters hardest. It will not pass." \u2015 Ana Brook, 52, of Leeds\n\n'
        '"Nobody asked us about the route." \u2015 Tomas Ruiz'
    )
    _, result = run(body)
    assert source_text(claim_containing(result, "hits renters")) == "Ana Brook"
    assert source_text(claim_containing(result, "will not pass")) == "Ana Brook"
    assert source_text(claim_containing(result, "asked us")) == "Tomas Ruiz"


def test_quotes_listed_one_per_line_are_sentences_of_their_own():
    body = (
        '"The route cuts the town in two." \u2015 Ana Brook\n'
        '"Trump said the town was dying. It is not dying." \u2015 Tomas Ruiz'
    )
    _, result = run(body)
    assert source_text(claim_containing(result, "cuts the town")) == "Ana Brook"
    # "Trump said" inside the quotation does not make Trump its speaker
    assert source_text(claim_containing(result, "It is not dying")) == "Tomas Ruiz"


@pytest.mark.parametrize(
    "body, name",
    [
        # The recogniser may leave a first name out of the person.
        ("Ana Gomez said the county would raise the fee in June.", "Ana Gomez"),
        ("Ana G\u00f3mez said the county would raise the fee in June.", "Ana G\u00f3mez"),
        # A title before the name stays out of it.
        ("Foreign Minister Sergei Lavrov said the talks would resume.", "Sergei Lavrov"),
        ("Coach Ana Gomez said the team would win the final.", "Ana Gomez"),
    ],
)
def test_a_person_is_named_in_full(body, name):
    _, source = sourced(body, "would")
    assert source["type"] == "named_person"
    assert source["text"] == name


@pytest.mark.parametrize("title", ["Mr", "Dr", "Pastor", "Lord", "Agent", "Representative"])
def test_a_title_before_a_one_word_name_stays_out_of_the_name(title):
    _, source = sourced(f"{title} Smith said the county would raise the fee in June.", "would")
    assert source["text"] == "Smith"


@pytest.mark.parametrize(
    "body, claim",
    [
        (
            "Officials said last month was the wettest since 1990.",
            "last month was the wettest since 1990",
        ),
        (
            "She said last night was a disaster for the party.",
            "last night was a disaster for the party",
        ),
    ],
)
def test_a_time_that_is_the_subject_of_what_was_said_stays_in_the_claim(body, claim):
    _, result = run(body)
    assert [c["text"] for c in result["claims"]] == [claim]
