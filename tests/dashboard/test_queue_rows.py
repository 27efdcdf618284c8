"""Pieces of the queue's rows built in Python (claims/views/queue_rows.py) that
stand for a template filter: they give what the filter gives."""

import pytest
from django.utils.text import Truncator

from claims.views.queue_rows import _truncated

TEXTS = [
    "",
    "short",
    "x" * 79,
    "x" * 80,
    "x" * 81,
    "The council said it would spend <b>£40m</b> & more " * 4,
    "Cafe\u0301 " * 30,  # combining accents: NFC makes them one character, or not
    "e\u0301" * 100,
    "a" * 78 + "e\u0301" + "b" * 10,
    "\u0915\u094d\u0937" * 40,  # Devanagari: a combining virama inside the first 81
]


@pytest.mark.parametrize("text", TEXTS)
def test_truncated_is_truncatechars(text):
    for length in (1, 2, 79, 80, 81):
        assert _truncated(text, length) == Truncator(text).chars(length), (text, length)
