"""Attribution patterns of real news copy, one group per construction.

Each case is a sentence written for this file (not taken from a corpus) that shows
one way a newspaper gives the source of a claim; the test checks the claim the
engine makes of it and the source it gives.
"""

import pytest

from claims.analysis import analyze


def run(body):
    return analyze(f"News in brief\n\n{body}\n").to_dict()


def claim_containing(result, phrase):
    found = [c for c in result["claims"] if phrase in c["text"]]
    if len(found) != 1:
        texts = "\n  ".join(repr(c["text"]) for c in result["claims"]) or "(no claims)"
        pytest.fail(f"want one claim containing {phrase!r}, got {len(found)}; claims:\n  {texts}")
    return found[0]


def source_text(claim):
    return (claim["source"] or {}).get("text") or ""


# --- verbs of naming: what the source says of an object --------------------------
# "called the plan a disaster", "described the talks as frank", "accused the mayor of
# lying": the object and what is said of it are the claim, the subject its source.

# fmt: off
NAMING = [
    pytest.param("The union's president, Marta Ilves, called the new contract a betrayal of "
                 "younger teachers.", "the new contract a betrayal of younger teachers",
                 "Marta Ilves", id="call-object-predicate"),
    pytest.param("Opposition leaders described the harbour deal as a giveaway to shipping firms.",
                 "the harbour deal as a giveaway to shipping firms", "Opposition leaders",
                 id="describe-as"),
    pytest.param("Councillor Pieter Voss accused the water board of hiding the test results.",
                 "the water board of hiding the test results", "Pieter Voss", id="accuse-of"),
    pytest.param("Several economists have labeled the tariff plan a tax on consumers.",
                 "the tariff plan a tax on consumers", "Several economists", id="label"),
]
# fmt: on


def assert_reported(body: str, proposition: str, source: str) -> None:
    """The body's claim is the proposition alone, reported by the source."""
    claim = claim_containing(run(body), proposition)
    assert claim["text"].rstrip(".") == proposition
    assert source in source_text(claim)


@pytest.mark.parametrize("body, proposition, source", NAMING)
def test_naming_verb_reports_what_it_says_of_its_object(body, proposition, source):
    assert_reported(body, proposition, source)


# fmt: off
NOT_NAMING = [
    pytest.param("The senator called for a ban on imported steel.", "called for a ban",
                 id="call-for"),
    pytest.param("The council called a special meeting on the flood defences.",
                 "called a special meeting", id="call-meeting"),
    pytest.param("The governor called reserve units to the border towns.",
                 "called reserve units", id="call-to"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase", NOT_NAMING)
def test_call_without_a_predicate_reports_nothing(body, phrase):
    claim = claim_containing(run(body), phrase)
    assert claim["source"]["type"] == "none"


# --- no-break spaces ----------------------------------------------------------------
# Web copy puts a no-break space (or a thin one) where a plain space would do; the
# source must come out as it does with plain spaces.

NBSP = "\u00a0"

# fmt: off
SPACED = [
    pytest.param(f"In an interview, Rep. Dana{NBSP}Whitfield said the vote would be close.",
                 "vote would be close", "Dana Whitfield", id="nbsp-in-name"),
    pytest.param(f"The budget office{NBSP}estimated that the repairs would cost $40 million.",
                 "repairs would cost", "The budget office", id="nbsp-after-source"),
    pytest.param("The county clerk said\u202fthe count would be finished by Friday.",
                 "count would be finished", "The county clerk", id="narrow-nbsp"),
]
# fmt: on


@pytest.mark.parametrize("body, phrase, source", SPACED)
def test_no_break_space_reads_as_a_space(body, phrase, source):
    claim = claim_containing(run(body), phrase)
    assert source_text(claim).replace(NBSP, " ") == source


# --- a frame inside a relative clause ------------------------------------------------
# "the loans, which the auditors said were never repaid": the relative pronoun stands
# for the noun, and what the frame reports is the rest of the clause.

# fmt: off
RELATIVE = [
    pytest.param("The council approved three loans, which the auditors said were never repaid "
                 "in full.", "were never repaid in full", "the auditors", id="which-x-said"),
    pytest.param("The mill has closed two of its lines, which union officials say could cost "
                 "four hundred jobs.", "could cost four hundred jobs", "union officials",
                 id="which-x-say-modal"),
]
# fmt: on


@pytest.mark.parametrize("body, proposition, source", RELATIVE)
def test_frame_inside_a_relative_clause(body, proposition, source):
    result = run(body)
    claim = claim_containing(result, proposition)
    assert claim["text"].rstrip(".") == proposition
    assert source_text(claim).lower() == source.lower()
    outer = [c for c in result["claims"] if c is not claim]
    assert outer and all(c["source"]["type"] == "none" for c in outer)


def test_relative_question_after_asked_is_still_no_claim_of_the_speaker():
    result = run("The reporter asked the minister which of the two plans he preferred.")
    assert all(c["source"]["type"] == "none" for c in result["claims"])


# --- someone else's words inside a quotation ------------------------------------------
# '"... The county keeps promising the wing will open in May," she said': the one
# quoted is the source on record; whose words they pass on is noted as ``via``, as for
# nested speech ("Lavrov said Assad had told him ...").

# fmt: off
INSIDE_QUOTE = [
    pytest.param('Rhonda Vale, who runs the shelter, said: "Families wait outside for hours. '
                 'The county keeps promising the new wing will open in May."',
                 "the new wing will open in May", "Rhonda Vale", "The county",
                 id="after-said-colon"),
    pytest.param('"The ferry is losing money," the harbour master, Ines Koller, told the '
                 'council. "Your own auditors said the route would never pay for itself."',
                 "the route would never pay for itself", "Ines Koller", "Your own auditors",
                 id="next-sentence"),
    pytest.param('"The ferry is losing money," Ines Koller told the council. "You said the '
                 'route would pay for itself within five years."',
                 "the route would pay for itself", "Ines Koller", "You",
                 id="second-person"),
]
# fmt: on


@pytest.mark.parametrize("body, proposition, speaker, via", INSIDE_QUOTE)
def test_a_frame_inside_a_quotation_is_passed_on_by_the_one_quoted(body, proposition, speaker, via):
    claim = claim_containing(run(body), proposition)
    assert source_text(claim) == speaker
    assert claim["source"]["via"] == via


def test_a_frame_after_the_quotation_closes_is_still_its_own_source():
    result = run(
        '"The ferry is losing money," Ines Koller told the council. '
        "Her deputy said the route would pay for itself within five years."
    )
    claim = claim_containing(result, "the route would pay for itself")
    assert source_text(claim) == "Her deputy"
    assert claim["source"]["via"] is None


# --- a time phrase between the frame and a clause with a modal ------------------------
# "The mayor said after the vote she would not sign ...": the parser hangs the clause
# away from "said"; its auxiliary and negation ("would not") are no clause of their own.

# fmt: off
SAID_WHEN = [
    pytest.param("The harbour master said after the storm she would not reopen the pier before "
                 "Friday.", "she would not reopen the pier before Friday", "The harbour master",
                 id="would-not"),
    pytest.param("The principal said after the inspection she could not promise new "
                 "classrooms.", "she could not promise new classrooms", "The principal",
                 id="could-not"),
    # A hyphen inside a word of the time phrase is no dash that opens an aside.
    pytest.param("The mayor said after the two-hour meeting she would not sign the budget.",
                 "she would not sign the budget", "The mayor", id="hyphenated-time-phrase"),
]
# fmt: on


@pytest.mark.parametrize("body, proposition, source", SAID_WHEN)
def test_clause_after_a_time_phrase_is_reported_with_its_modal(body, proposition, source):
    assert_reported(body, proposition, source)


# --- a horizontal bar for a dash -------------------------------------------------------
# Some sites print a dash as a horizontal bar (U+2015); the parser must read it as the
# dash it is, or it takes it for a noun and the clause around it falls apart.

BAR = "\u2015"


def test_a_horizontal_bar_reads_as_a_dash():
    body = (
        f"When the auditor noted that the depot had not paid the fee {BAR} as was clear from "
        f"the records made public {BAR} the manager boasted, \u201cThat makes the depot "
        "cheap.\u201d"
    )
    claim = claim_containing(run(body), "makes the depot cheap")
    assert source_text(claim) == "the manager"
    assert run(body)["claims"] == run(body.replace(BAR, "\u2014"))["claims"]


def test_no_clause_is_reported_across_a_dash():
    """A clause after a dash is an aside, not what the verb before the dash reports."""
    result = run(
        "I think of the kiosks as little relics \u2014 often they\u2019re called the tin huts "
        "\u2014 and not likely to be worth saving at all."
    )
    assert all(c["source"]["type"] == "none" for c in result["claims"])


def test_a_quotation_after_a_line_of_narration_is_not_passed_on_by_an_earlier_speaker():
    """Between Koller's quotation and this one the reporter speaks in their own
    voice: the quotation is not Koller's, and its frame is its own source."""
    result = run(
        '"We will win the vote," Ines Koller said on Monday.\n\n'
        'Her rival spoke next. "Voters told me the ferry route was a waste of money."'
    )
    claim = claim_containing(result, "the ferry route was a waste of money")
    assert source_text(claim) != "Ines Koller"
