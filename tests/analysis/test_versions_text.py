"""The engine's side of article versions: aligning two texts, word diffs that stay
fast on a long text, claim similarity, and correction notices. Pure Python."""

from __future__ import annotations

import time

from claims.analysis.corrections import find_corrections
from claims.analysis.pipeline import extract
from claims.analysis.versions import WORD_DIFF_MAX, align, similarity, text_diff, word_diff

OLD = "Title\n\nOfficials said 12 people were killed.\n\nThe mayor spoke.\n\nOther news here.\n"
NEW = "Title\n\nOfficials said 14 people were killed.\n\nOther news here.\n"


def test_an_unchanged_span_is_found_shifted_and_a_changed_one_by_its_region():
    alignment = align(OLD, NEW)
    at = OLD.index("Other news")
    span = alignment.exact(at, at + 10)
    assert span is not None and NEW[span[0] : span[1]] == "Other news"
    at = OLD.index("Officials")
    end = OLD.index(".", at) + 1
    assert alignment.exact(at, end) is None  # its text changed
    lo, hi = alignment.region(at, end)
    assert lo <= NEW.index("Officials") and NEW.index("killed.") < hi
    assert alignment.exact(0, 5) == (0, 5)


def test_similarity_tells_a_changed_figure_from_another_sentence():
    assert similarity("the flood had killed 12 people", "the flood had killed 14 people") > 0.9
    assert similarity("killed 12", "killed 14") >= 0.75
    assert similarity("the flood had killed 12 people", "the mayor spoke on Monday") < 0.5


def test_word_diff_marks_the_changed_word_only():
    assert word_diff("killed 12 people.", "killed 14 people.") == [
        ("equal", "killed "),
        ("delete", "12"),
        ("insert", "14"),
        ("equal", " people."),
    ]


def test_text_diff_keeps_context_and_skips_the_rest():
    paragraphs = [f"Paragraph {i} says nothing new." for i in range(50)]
    changed = list(paragraphs)
    changed[25] = changed[25].replace("nothing", "something")
    diff = text_diff("\n".join(paragraphs), "\n".join(changed))
    assert diff.changed_blocks == 1 and not diff.truncated
    assert ("delete", "nothing") in diff.pieces and ("insert", "something") in diff.pieces
    skips = [int(text) for op, text in diff.pieces if op == "skip"]
    assert skips == [24, 23]  # 50 lines: 1 changed, 1 of context either side


def test_text_diff_of_a_long_text_is_fast_and_capped():
    words = [f"w{i}" for i in range(5000)]
    lines = [" ".join(words[(i * 7) % 4000 : (i * 7) % 4000 + 60]) + "." for i in range(3000)]
    old = "\n\n".join(lines)  # about 1 MB
    new_lines = list(lines)
    for i in range(0, 3000, 40):
        new_lines[i] = new_lines[i].replace(" ", " extra ", 1)
    new = "\n\n".join(new_lines)
    assert len(old) > 900_000
    started = time.perf_counter()
    full = text_diff(old, new)
    assert time.perf_counter() - started < 5  # a word diff of the whole text takes minutes
    assert full.changed_blocks == 75 and not full.truncated
    diff = text_diff(old, new, limit=5_000)
    shown = sum(len(text) for op, text in diff.pieces if op != "skip")
    assert diff.truncated and shown <= 5_000
    # A rewritten block too big to diff word by word: shown removed, then added.
    big_old, big_new = "a " * WORD_DIFF_MAX, "b " * WORD_DIFF_MAX
    diff = text_diff(big_old, big_new, limit=10 * WORD_DIFF_MAX)
    assert [op for op, _ in diff.pieces] == ["delete", "insert"]


def test_correction_notices_are_found():
    text = (
        "Flood kills 14\n\n"
        "The sheriff said 14 people had died.\n\n"
        "Correction: An earlier version of this article misstated the number of dead.\n\n"
        "CORRECTION (May 3): The bridge is on Route 11.\n"
        "Clarification \u2014 The dam was inspected in March.\n"
        "A previous version of this story gave the wrong date.\n"
        "This article has been updated to correct the spelling of Ms. Ellis's name.\n"
        "Editor\u2019s note: An earlier figure in this report was incorrect.\n"
    )
    found = [text[s.start : s.end] for s in find_corrections(text)]
    assert found == [
        "Correction: An earlier version of this article misstated the number of dead.",
        "CORRECTION (May 3): The bridge is on Route 11.",
        "Clarification \u2014 The dam was inspected in March.",
        "A previous version of this story gave the wrong date.",
        "This article has been updated to correct the spelling of Ms. Ellis's name.",
        "Editor\u2019s note: An earlier figure in this report was incorrect.",
    ]


def test_what_is_not_a_correction_notice():
    text = (
        "Corrections officers said the prisoner escaped at dawn.\n"
        "Editor's note: This is a live blog, updated through the day.\n"
        "The council voted to correct the budget, officials said.\n"
        "An earlier version of the plan was rejected.\n"
    )
    assert find_corrections(text) == []


def test_a_notice_takes_its_follow_on_line_and_no_line_of_the_story():
    notice = (
        "An earlier version of this article misstated the number of people killed in the attack."
    )
    text = (
        "Attack kills 16\n\n"
        f"The attack killed 16 people, police said.\n{notice}\nIt was 16, not 14.\n"
        "The mayor said 3 schools closed.\n\n"
        "Correction: A previous version of this story misspelled Ms. Ellis's name.\n"
        "The council met on Monday, officials said.\n"
    )
    found = [text[s.start : s.end] for s in find_corrections(text)]
    assert found == [
        f"{notice}\nIt was 16, not 14.",
        "Correction: A previous version of this story misspelled Ms. Ellis's name.",
    ]


def test_the_sentences_of_a_correction_notice_make_no_claims():
    # A new-user trial: pasting this v2 put the notice and "It was 16, not 14" in the queue.
    notice = (
        "An earlier version of this article misstated the number of people killed in the "
        "attack. It was 16, not 14."
    )
    for sep in ("\n\n", "\n"):
        text = (
            "Attack kills 16\n\nBy Ann Lee\n\n"
            "The attack killed 16 people, police said on Monday.\n\n"
            f"{notice.replace('. It was', '.' + sep.replace(chr(10) * 2, ' ') + 'It was')}\n\n"
            "The mayor said 3 schools closed.\n"
        )
        claims = [c.text for c in extract(text).claims]
        assert "The attack killed 16 people" in claims, claims
        assert "3 schools closed" in claims, claims
        assert not [c for c in claims if "earlier version" in c or "not 14" in c], claims
