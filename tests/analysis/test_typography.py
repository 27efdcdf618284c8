"""Copy set in other typographies than the American one: the same sentence gives
the same claim and source whatever quotation marks or list markers it wears.

Each case is checked against the contract (../shared/docs/analysis-contract.md):
offsets index the text as given, the claim is the words reported, and the source
is who said them.
"""

import unicodedata

import pytest

from claims.analysis import analyze
from claims.analysis.segment import composed, plain_quotes


def article(body, title="Talks on the dam"):
    return f"{title}\n\nThe council met on Monday.\n\n{body}\n"


def claims_of(text):
    doc = analyze(text).to_dict()
    for c in doc["claims"]:
        assert text[c["start"] : c["end"]] == c["text"]
        s = c["source"]
        if s["start"] is not None:
            assert text[s["start"] : s["end"]] == s["mention"]
    return doc["claims"]


def only_claim(text, phrase):
    found = [c for c in claims_of(text) if phrase in c["text"]]
    assert len(found) == 1, [c["text"] for c in claims_of(text)]
    return found[0]


def label(claim):
    s = claim["source"]
    return (s["text"], s["type"], claim["sourcing_strength"], claim["confidence"]["level"])


# --- quotation marks -------------------------------------------------------------

# fmt: off
QUOTED = [
    ("\u00abThe deal is done,\u00bb said Mr. Braun.", "french"),
    ("\u00ab The deal is done, \u00bb said Mr. Braun.", "french-spaced"),
    ("\u00bbThe deal is done,\u00ab said Mr. Braun.", "german-guillemets"),
    ("\u201eThe deal is done\u201c, said Mr. Braun.", "german-low-9"),
    ("\u201eThe deal is done\u201d, said Mr. Braun.", "polish-low-9"),
    ("\u2039The deal is done,\u203a said Mr. Braun.", "single-guillemets"),
    ("\u201aThe deal is done\u2018, said Mr. Braun.", "single-low-9"),
]
# fmt: on


@pytest.mark.parametrize("sentence", [q for q, _ in QUOTED], ids=[i for _, i in QUOTED])
def test_foreign_quotation_marks_are_quotation_marks(sentence):
    """'\u00abThe deal is done,\u00bb said Mr. Braun.' is Mr. Braun's, as the same
    sentence in curly quotes is; never the quotation mark's."""
    american = only_claim(article("\u201cThe deal is done,\u201d said Mr. Braun."), "deal is done")
    claim = only_claim(article(sentence), "deal is done")
    assert claim["text"] == "The deal is done"
    assert label(claim) == label(american) == ("Mr. Braun", "named_person", "strong", "high")


def test_a_low_9_quotation_closes_at_its_closing_mark():
    """German \u201eso\u201c: the \u201c closes. Read as an opener, it left the quotation open
    to the end of the paragraph, and the next speaker took Mr. Braun's words."""
    text = article(
        "\u201eDas ist gut\u201c, said Mr. Braun. \u201eWir sind bereit\u201c, said Ms. Vogel."
    )
    gut = only_claim(text, "Das ist gut")
    assert gut["text"] == "Das ist gut"
    assert label(gut)[:2] == ("Mr. Braun", "named_person")
    assert source_of(text, "Wir sind bereit") == "Ms. Vogel"


def test_a_low_9_quotation_is_not_spoken_by_the_sentence_before_it():
    text = article("The mayor spoke first. \u201eDas ist gut\u201c, said Mr. Braun.")
    assert only_claim(text, "mayor spoke")["source"]["type"] == "none"
    assert source_of(text, "Das ist gut") == "Mr. Braun"


def test_quotation_in_guillemets_runs_across_sentences_to_its_speaker():
    """'Mr. Braun said: \u00abThe deal is done. It will hold.\u00bb': both sentences are his,
    and the sentence after the closing guillemet is the paper's own."""
    text = article("Mr. Braun said: \u00abThe deal is done. It will hold.\u00bb The council voted.")
    assert source_of(text, "deal is done") == "Mr. Braun"
    assert source_of(text, "It will hold") == "Mr. Braun"
    assert only_claim(text, "council voted")["source"]["type"] == "none"


def source_of(text, phrase):
    return only_claim(text, phrase)["source"]["text"]


def test_plain_quotes_keeps_offsets_and_leaves_a_stray_guillemet_alone():
    text = (
        "\u00abA,\u00bb he said. \u201eB\u201c. More \u00bb\n\n"
        "\u00bbC\u00ab and ''D'' \u201aE\u2018 Braun\u2019s"
    )
    view = plain_quotes(text)
    assert len(view) == len(text)
    assert view == (
        "\u201cA,\u201d he said. \u201cB\u201d. More \u00bb\n\n"
        '\u201cC\u201d and " D"  \u2018E\u2019 Braun\u2019s'
    )


# --- list items ------------------------------------------------------------------

ITEMS = [
    "The mayor said 12 bridges closed.",
    "Officials said the budget may double.",
    "Police said the road was shut.",
]


def plain_labels(sentence):
    """How the sentence is read on its own, as a paragraph without a marker."""
    claim = claims_of(article(sentence))[-1]
    return claim["text"], label(claim), [h["category"] for h in claim["hedges"]]


def list_article(items, marker):
    lines = "\n".join(f"{marker(n)}{item}" for n, item in enumerate(items, 1))
    return (
        "Hospital wait times rise\n\nThe council met on Monday.\n\n"
        f"{lines}\n\nThe council met again on Tuesday.\n"
    )


# fmt: off
MARKERS = [
    (lambda n: "\u2022 ", "bullet"),
    (lambda n: "  \u2022\t", "indented-bullet"),
    (lambda n: "- ", "dash"),
    (lambda n: "* ", "star"),
    (lambda n: f"{n}. ", "numbered"),
    (lambda n: f"{n}) ", "numbered-paren"),
]
# fmt: on


@pytest.mark.parametrize("marker", [m for m, _ in MARKERS], ids=[i for _, i in MARKERS])
@pytest.mark.parametrize("full_stop", [True, False], ids=["stop", "no-stop"])
def test_each_list_item_is_a_sentence_read_as_it_would_be_without_its_marker(marker, full_stop):
    items = ITEMS if full_stop else [i.rstrip(".") for i in ITEMS]
    text = list_article(items, marker)
    claims = claims_of(text)
    got = [(c["text"], label(c), [h["category"] for h in c["hedges"]]) for c in claims]
    want = [plain_labels(item) for item in ITEMS]
    assert got[1:-1] == want
    assert got[0][0] == "The council met on Monday"
    assert got[-1][0] == "The council met again on Tuesday"
    for c, item in zip(claims[1:-1], items, strict=True):
        assert c["sentence"]["start"] == text.index(item)  # the marker is in no sentence


def test_markdown_list_items_keep_their_claims():
    from claims.ingest import markdown_to_text

    text = markdown_to_text(
        "# Hospital wait times rise\n\nThe council met on Monday.\n\n"
        "* The mayor said 12 bridges closed.\n* Officials said the budget may double.\n\n"
        "1. Police said the road was shut.\n"
    )
    claims = claims_of(text)
    assert [c["text"] for c in claims[1:]] == [
        "12 bridges closed",
        "the budget may double",
        "the road was shut",
    ]
    assert [c["source"]["text"] for c in claims[1:]] == ["The mayor", "Officials", "Police"]
    assert label(claims[2])[1:] == ("unnamed", "weak", "low")


def test_a_wrapped_line_that_opens_with_a_dash_is_no_list_item():
    text = article("The mayor said the bridge\n- which opened in 1990 - was shut.")
    claim = only_claim(text, "was shut")
    assert claim["text"] == "the bridge\n- which opened in 1990 - was shut"
    assert claim["source"]["text"] == "The mayor"


# --- decomposed letters (NFD) ------------------------------------------------------

# fmt: off
ACCENTED = [
    "The café owner, Zoë Brontë, said that prices may rise.",
    "Prices may rise, said José Muñoz, the café owner.",
    "François Hollande said the talks would resume in Zürich.",
    "Officials at Société Générale said the bank would cut jobs.",
    "Ana Gómez said the bank would cut jobs.",
    "Jürgen Müller said the plant would close.",
    "The mayor of São Paulo said the plant would close.",
    "Zoë said the plant would close.",
]
# fmt: on


@pytest.mark.parametrize("sentence", ACCENTED)
def test_decomposed_text_is_read_as_the_composed_text(sentence):
    """Text saved decomposed (NFD: "e" and a combining accent, as macOS writes it)
    gives the claims and sources of the same text composed (NFC), with offsets
    into the decomposed text as given."""
    nfc = claims_of(article(sentence))
    text = article(unicodedata.normalize("NFD", sentence))
    nfd = claims_of(text)
    assert len(nfd) == len(nfc)
    for a, b in zip(nfd, nfc, strict=True):
        assert unicodedata.normalize("NFC", a["text"]) == b["text"]
        assert unicodedata.normalize("NFC", a["source"]["text"] or "") == (
            b["source"]["text"] or ""
        )
        assert (a["source"]["type"], a["sourcing_strength"]) == (
            b["source"]["type"],
            b["sourcing_strength"],
        )
        assert a["confidence"]["level"] == b["confidence"]["level"]
        assert a["source"]["role"] == b["source"]["role"]


def test_decomposed_name_is_a_named_person():
    text = article(unicodedata.normalize("NFD", ACCENTED[0]))
    claim = only_claim(text, "prices may rise")
    assert unicodedata.normalize("NFC", claim["source"]["text"]) == "Zoë Brontë"
    assert label(claim)[1:] == ("named_person", "strong", "medium")


@pytest.mark.parametrize(
    ("sentence", "source", "kind"),
    [
        ("Officials at Société Générale said the bank would cut jobs.",
         "Officials at Société Générale", "named_organization"),
        ("Zoë said the plant would close.", "Zoë", "named_person"),
        ("Jürgen Müller said the plant would close.", "Jürgen Müller", "named_person"),
    ],
)  # fmt: skip
def test_decomposed_source_is_named_and_keeps_its_marks(sentence, source, kind):
    """The parser reads the decomposed words as the composed ones (a name is a
    name), and the source's span still takes in every combining mark."""
    text = article(unicodedata.normalize("NFD", sentence))
    claim = only_claim(text, "would")
    assert claim["source"]["mention"] == unicodedata.normalize("NFD", source)
    assert claim["source"]["type"] == kind


def test_composed_keeps_every_offset():
    text = unicodedata.normalize("NFD", "Zoë Brontë in Zürich, «café»") + " ok"
    view = composed(text)
    assert len(view) == len(text)
    assert view.replace("\u200b", "") == unicodedata.normalize("NFC", text)
    for word in ("Zoë", "Brontë", "Zürich", "café", "ok"):
        decomposed = unicodedata.normalize("NFD", word)
        start = text.index(decomposed)
        assert view[start : start + len(decomposed)].replace("\u200b", "") == word
    assert composed("Plain ASCII.") == "Plain ASCII."


@pytest.mark.parametrize("letters", ["q\u0344", "\u0958\u0301", "\ufb2c\u0301"])
def test_letters_that_compose_longer_move_no_offset(letters):
    """A few letters are longer composed than as given (NFC writes "q\u0344" with
    two marks): they are read as given, and every later offset still holds."""
    text = article(
        f"The word {letters} appeared in the filing, officials said.\n\n"
        "The minister said unemployment fell to about 4 percent. Aides said the dam held."
    )
    assert len(composed(text)) == len(text)
    claims = claims_of(text)
    for hedge in (h for c in claims for h in c["hedges"]):
        assert text[hedge["start"] : hedge["end"]] == hedge["text"]
    found = {c["text"]: c["source"]["text"] for c in claims}
    assert found["unemployment fell to about 4 percent"] == "The minister"
    assert found["the dam held"] == "Aides"


# --- invisible characters between words ---------------------------------------------

# What web copy leaves between words and sentences, unseen: a zero-width space, a
# word joiner, a byte-order mark (a CMS's paste, a text exported from a page).
INVISIBLE_GAPS = [
    ("\u200b\u200b ", "zero-width-spaces-before-a-space"),
    (" \u200b", "zero-width-space-after-a-space"),
    ("\u200b", "zero-width-space-for-a-space"),
    ("\u2060 ", "word-joiner"),
    (" \ufeff", "byte-order-mark"),
]


@pytest.mark.parametrize("gap", [g for g, _ in INVISIBLE_GAPS], ids=[i for _, i in INVISIBLE_GAPS])
def test_invisible_characters_between_sentences_change_no_claim(gap):
    """A sentence followed by invisible characters gives the claims it gives
    followed by a space: "90% of roads were repaired.\u200b\u200b Officials said"
    lost its claim (or kept "90% of roads were"), the parser taking the invisible
    characters for a word of the sentence."""
    plain = "The minister said 90% of roads were repaired. Officials said 3,000 jobs were created."
    sentence = plain.replace(". Officials", "." + gap + "Officials")
    expected = [(c["text"], label(c)) for c in claims_of(article(plain))]
    assert [(c["text"], label(c)) for c in claims_of(article(sentence))] == expected
    texts = [t for t, _ in expected]
    assert "90% of roads were repaired" in texts and "3,000 jobs were created" in texts
