"""Correction notices in an article's text: the lines where a publication says it
changed the story ("Correction: An earlier version of this article misstated the
number of dead.").

A small list of the forms newsrooms use (the AP, Reuters, the New York Times and
the Guardian word them alike): an opening label ("Correction:", "Clarification:",
"Corrections and clarifications"), the sentence "An earlier (or previous) version
of this article ...", and "This article has been updated/corrected to ...". An
"Editor's note:" is one only when it speaks of a correction; most are not.

Pure function, text in, spans out: a notice runs from its cue to the end of its
paragraph (a correction is a paragraph of its own, or closes one), and takes the
next line too when that line is the notice's follow-on ("It was 16, not 14.", "The
correct figure is 16."): a notice pasted with a line break inside it is still one
notice. The engine makes no claims of a notice's sentences (pipeline.extract): a
correction says what the story got wrong, it is not a claim to check again.
"""

from __future__ import annotations

import re

from .types import Span

_THING = r"(?:article|story|report|post|piece|column|item|analysis|headline|version)"
_CUES = re.compile(
    r"(?im)"
    # A label opening a paragraph: "Correction:", "CORRECTION (May 3):", "Clarification -".
    r"^[ \t*_>#-]*(?:corrections?|clarifications?)(?:\s+(?:and|&)\s+clarifications?)?"
    r"(?:\s*\([^)\n]{0,40}\)|,[\w ,]{0,25})?\s*[:\u2014\u2013]"
    # "An earlier version of this article misstated ...", "A previous version of this story".
    rf"|\b(?:an?|the)\s+(?:earlier|previous|prior|original)\s+version\s+of\s+this\s+{_THING}\b"
    # "This article has been updated to correct ...", "This story was amended to clarify ...".
    rf"|\bthis\s+{_THING}\s+(?:has\s+been|was|is\s+being)\s+"
    r"(?:updated|corrected|amended|changed|revised)\s+to\s+"
    r"(?:correct|clarify|reflect|remove|fix|include|note)\b"
    # "... was corrected on May 3" closing a story.
    rf"|\bthis\s+{_THING}\s+(?:has\s+been|was)\s+corrected\b"
)
# An editor's note is a correction notice only when it says so.
_EDITORS_NOTE = re.compile(r"(?im)^[ \t*_>#-]*editor['\u2019]?s['\u2019]?\s+note\b[^\n]*")
_CORRECTING = re.compile(
    r"(?i)\b(?:correct(?:ed|ion|s)?|clarif(?:y|ied|ies|ication)|misstat\w*|misidentif\w*|"
    r"incorrect(?:ly)?|erroneous(?:ly)?|amended|in\s+error)\b"
)
# The line after a notice belongs to it when it is one short sentence that
# restates the fix: "It was 16, not 14.", "That figure was 16.", "The correct
# number is 16." A line of the story ("The mayor said 3 schools closed.") is not.
_FOLLOW_ON = re.compile(
    r"(?i)(?:(?:it|that|this|they|he|she)(?:\s+(?:figure|number|total))?\s+"
    r"(?:was|were|is|are|should\s+have)\b"
    r"|the\s+(?:correct|actual|right|accurate|true)\b"
    r"|[^\n]{0,80}?,\s+not\s+)"
)
FOLLOW_ON_MAX = 160  # characters of a follow-on line
NOTICE_MAX = 2000  # characters of one notice: a runaway "paragraph" is cut here


def find_corrections(text: str) -> list[Span]:
    """The correction notices of ``text``: one span each, in order, never
    overlapping. Each runs from its cue to the end of its paragraph."""
    spans = [_to_line_end(text, m.start()) for m in _CUES.finditer(text)]
    spans += [
        _to_line_end(text, m.start() + _indent(m.group()))
        for m in _EDITORS_NOTE.finditer(text)
        if _CORRECTING.search(m.group())
    ]
    return _merged(spans)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t*_>#-"))


def _to_line_end(text: str, start: int) -> Span:
    while start < len(text) and text[start] in " \t":
        start += 1
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    end = min(end, start + NOTICE_MAX)
    end = _follow_on_end(text, end)
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _follow_on_end(text: str, end: int) -> int:
    """``end``, or the end of the next line if it is the notice's follow-on (a
    single line break away, one short sentence restating the fix)."""
    if not text.startswith("\n", end):
        return end
    start = end + 1
    while start < len(text) and text[start] in " \t":
        start += 1
    stop = text.find("\n", start)
    stop = len(text) if stop == -1 else stop
    line = text[start:stop].rstrip()
    if not line or len(line) > FOLLOW_ON_MAX or not _FOLLOW_ON.match(line):
        return end
    if re.search(r"[.!?]\s+\S", line):  # more than one sentence: the story goes on
        return end
    return start + len(line)


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start >= span.end:
            continue
        if out and span.start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, span.end))
        else:
            out.append(span)
    return out
