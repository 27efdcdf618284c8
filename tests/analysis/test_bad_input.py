"""Inputs that are odd but usable get a correct analysis; unusable ones a clear error."""

import pytest

from claims.analysis import InputError, analyze, decode_input


def offsets_hold(text, doc):
    for claim in doc["claims"]:
        assert text[claim["start"] : claim["end"]] == claim["text"]
        s = claim["source"]
        if s["start"] is not None:
            assert text[s["start"] : s["end"]] == s["mention"]
        for h in claim["hedges"]:
            assert text[h["start"] : h["end"]] == h["text"]


def test_a_few_control_characters_are_tolerated():
    text = (
        "Title\n\nThe mayor said\x0b the bridge would reopen in May.\x07 "
        "Residents said it was unsafe."
    )
    doc = analyze(text).to_dict()
    offsets_hold(text, doc)
    assert any("bridge would reopen" in c["text"] for c in doc["claims"])


def test_page_breaks_are_text_not_binary_data():
    """Form feeds are page breaks (text taken from a PDF, old wire files): a short
    article with more of them than the control-character allowance is still text."""
    text = decode_input(
        b"Title\n\f\f\f\fThe mayor said the bridge would reopen in May.\f\n\f"
        b"Residents said it was unsafe.\f"
    )
    doc = analyze(text).to_dict()
    offsets_hold(text, doc)
    assert any("bridge would reopen" in c["text"] for c in doc["claims"])
    with pytest.raises(InputError, match="binary"):
        decode_input(b"Title\n\x01\x02\x03\x04 The mayor said the bridge would reopen.")


def test_windows_line_endings_are_normalised_before_offsets():
    text = decode_input(b"Title\r\n\r\nThe mayor said the bridge would reopen.\r\n")
    assert "\r" not in text
    offsets_hold(text, analyze(text).to_dict())


def test_byte_order_mark_is_kept_so_offsets_match_python_text_mode():
    data = "\ufeffTitle\n\nThe mayor said the bridge would reopen next week.\n".encode()
    text = decode_input(data)
    assert text.startswith("\ufeff")
    doc = analyze(text).to_dict()
    offsets_hold(text, doc)
    assert doc["claims"]


def test_empty_text_is_refused_by_the_engine_too():
    with pytest.raises(InputError, match="empty"):
        analyze("  \n ")


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff",
        "\ufeff\n\n",
        "\u200b",
        " \u200b\n\u200b\t",
        "\u2060\ufeff\u200b",
        "\u200c",
        "\u200d\u00ad \n",
    ],
    ids=["bom", "bom-newlines", "zwsp", "zwsp-spaces", "word-joiner", "zwnj", "zwj-soft-hyphen"],
)
def test_invisible_characters_alone_are_an_empty_text(text):
    """A byte-order mark or zero-width spaces left by an editor, with no words:
    str.strip() keeps them, but a reader sees an empty text."""
    with pytest.raises(InputError, match="empty"):
        decode_input(text.encode())
    with pytest.raises(InputError, match="empty"):
        analyze(text)


def test_invisible_characters_around_words_are_still_an_article():
    text = decode_input("\ufeff\u200bTitle\n\nThe mayor said the bridge would reopen.\n".encode())
    doc = analyze(text).to_dict()
    offsets_hold(text, doc)
    assert any("bridge would reopen" in c["text"] for c in doc["claims"])


def test_no_sentence_terminator_at_all():
    text = "officials said the dam had failed " * 200
    offsets_hold(text, analyze(text).to_dict())


def test_html_is_analysed_as_text_and_offsets_hold():
    text = (
        "Title\n\n<script>alert(1)</script> The police said "
        "<img src=x onerror=alert(1)> two men were held."
    )
    offsets_hold(text, analyze(text).to_dict())
