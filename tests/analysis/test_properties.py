"""Whatever the text, the engine answers and every offset it gives holds."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.analysis import InputError, analyze

NEWSY = st.sampled_from([
    "said", "according to", '"', "\u201c", "\u201d", ".", ",", " ", "\n", "\n\n", "U.S.",
    "Dr.", "as many as", "could not confirm", "He", "they", "officials", "Lavrov",
    "reportedly", "hundreds of", "that", "and", "but", "\u2014", "MOSCOW -", "  \u2022 ",
    "By JANE DOE", "\u00a9 2020 Star", "5", "percent", "'", "?", "!", "(", ")",
])  # fmt: skip


INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))


def check(text: str) -> None:
    try:
        doc = analyze(text).to_dict()
    except InputError:
        # Refused only when blank to a reader (whitespace, joiners, soft hyphens,
        # zero-width spaces) or holding control characters (C0 but tab and line
        # ends, and DEL).
        visible = text.translate(INVISIBLE).strip()
        assert not visible or any(
            (ord(c) < 32 and c not in "\t\n\r\f") or c == "\x7f" for c in text
        )
        return
    meta = doc["article"]
    assert 0 <= meta["body_start"] <= len(text)
    for c in doc["claims"]:
        assert 0 <= c["start"] < c["end"] <= len(text)
        assert text[c["start"] : c["end"]] == c["text"]
        assert c["sentence"]["start"] <= c["start"] and c["end"] <= c["sentence"]["end"]
        assert 0.0 <= c["confidence"]["score"] <= 1.0
        assert 0.0 <= c["checkworthiness"] <= 1.0
        if c["source"]["start"] is not None:
            assert text[c["source"]["start"] : c["source"]["end"]] == c["source"]["mention"]
        for h in c["hedges"]:
            assert text[h["start"] : h["end"]] == h["text"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text(text):
    check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(NEWSY, st.text(max_size=12)), max_size=80).map("".join))
def test_news_like_fragments(text):
    check(text)
