"""Correction notices in an article's text: the lines where a publication says it
changed the story ("Correction: An earlier version of this article misstated the
number of dead.").

A small list of the forms newsrooms use (the AP, Reuters, the New York Times and
the Guardian word them alike): an opening label ("Correction:", "Clarification:",
"Corrections and clarifications"), the sentence "An earlier (or previous) version
of this article ...", and "This article has been updated/corrected to ...". An
"Editor's note:" is one only when it speaks of a correction; most are not.

Pure function, text in, spans out: a notice runs from its cue to the end of its
paragraph (a correction is a paragraph of its own, or closes one).
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
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


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
