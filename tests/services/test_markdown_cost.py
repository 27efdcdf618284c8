"""Markdown uploads are converted inside the web request: a file whose conversion
would take seconds (4 MB of "![" took about 90 s, past gunicorn's timeout) is
refused at once with the reason; an article converts exactly as it always did.
The figures: bench/markdown_worst.py."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims import ingest
from claims.ingest import IngestError, markdown_to_text, text_from_upload
from tests.services.conftest import MARKDOWN_ARTICLE

RICH = """Council votes on the bridge
===========================

*By* __Lea Park__ | [The Valley Wire](https://wire.example/)

1. The council said the bridge was safe.
2. Engineers, reportedly, disagreed: see ![chart](c.png "Chart") and [the report][r].

> "We could not confirm the figures," a spokesperson said.

    code block kept

```
fenced kept
```

Costs rose 12% to $4.5m - an estimate: <b>raw html</b> \\*stars\\* and `code`.

[r]: https://example.org/r
"""


def test_articles_convert_exactly_as_before():
    # Both outputs as the converter wrote them before markdown_check.
    assert markdown_to_text(MARKDOWN_ARTICLE) == (
        "Hospital wait times rise for a third year\n\nBy Ana Ruiz\nNorthern Herald\n"
        "March 4, 2024\n\nLEEDS - The health board said on Monday that average waits\n"
        "in emergency departments rose to 14 hours, up from 11 hours in 2022.\n\n"
        "Its figures show that:\n\n• 3,200 patients waited more than 12 hours in January;"
        "\n\n• 18 of the 24 hospitals missed the four-hour target.\n\n"
        "The health minister, Tom Lee, said that 300 new beds would open by May.\n"
    )
    assert markdown_to_text(RICH) == (
        "Council votes on the bridge\n\nBy Lea Park | The Valley Wire\n\n"
        "• The council said the bridge was safe.\n\n"
        "• Engineers, reportedly, disagreed: see chart and the report.\n\n"
        '"We could not confirm the figures," a spokesperson said.\n\n'
        "code block kept\n\nfenced kept\n\n"
        "Costs rose 12% to $4.5m - an estimate: <b>raw html</b> *stars* and code.\n"
    )


def test_a_long_article_at_the_text_limit_converts():
    # 1 MB of text (INGEST_MAX_BYTES) in paragraphs of 400 characters, each with
    # a link, emphasis and figures.
    paragraph = (
        "The health board said on Monday that [average waits](https://example.org/report) "
        "in emergency departments rose to 14 hours, up from 11 hours in 2022, and that "
        "*as many as* 3,200 patients waited more than 12 hours in January: the minister, "
        "Tom Lee, said that **300 new beds** would open by May - a figure the unions "
        "could not confirm, at a cost of $4.5m (up 12%).\n\n"
    )
    source = paragraph * (1024 * 1024 // len(paragraph))
    assert markdown_to_text(source).startswith("The health board said on Monday that average")


@pytest.mark.parametrize(
    ("unit", "cap", "what"),
    [
        ("x\n\n", "MARKDOWN_MAX_LINES", "lines"),
        ("a[", "MARKDOWN_MAX_BRACKETS", '"[" (links and images)'),
        ("*a", "MARKDOWN_MAX_EMPHASIS", '"*" and "_"'),
        ("_a", "MARKDOWN_MAX_EMPHASIS", '"*" and "_"'),
        (":", "MARKDOWN_MAX_OTHER_MARKS", "markup characters"),
        ("&#", "MARKDOWN_MAX_OTHER_MARKS", "markup characters"),
    ],
)
def test_markup_past_its_cap_is_refused(unit, cap, what):
    limit = getattr(ingest, cap, 20_000)
    count = limit + 1 if unit != "x\n\n" else limit // 2 + 1
    with pytest.raises(IngestError) as refused:
        markdown_to_text(unit * count)
    assert f"more than the {limit:,} an article may have" in str(refused.value)
    assert what in str(refused.value) and "Upload it as plain text (.txt)" in str(refused.value)


def test_4_mb_of_unclosed_images_is_refused_at_once():
    upload = SimpleUploadedFile("images.md", b"![" * (2 * 1024 * 1024), "text/markdown")
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r'2,097,152 "\[" \(links and images\)'):
        text_from_upload(upload, max_bytes=1024 * 1024)
    assert time.perf_counter() - started < 2  # about 0.1 s; it took about 90 s


def test_a_long_article_of_short_lines_converts():
    # 1 MB of prose hard-wrapped at 46 characters a line (wire copy, a text
    # editor's paragraphs of eight lines): 22,000 lines, converted as fast as the
    # 1 MB article of long paragraphs above.
    line = "The mayor said 12 bridges would close by May.\n"
    paragraph = line * 8 + "\n"
    source = "# Bridges close\n\n" + paragraph * (1024 * 1024 // len(paragraph))
    assert source.count("\n") > ingest.MARKDOWN_MAX_LINES
    assert markdown_to_text(source).startswith("Bridges close\n\nThe mayor said 12 bridges")


def test_as_many_short_list_items_are_still_refused():
    source = "- The mayor said 12 bridges would close.\n" * 25_000
    with pytest.raises(IngestError, match="25,000 list items and quoted lines"):
        markdown_to_text(source)
