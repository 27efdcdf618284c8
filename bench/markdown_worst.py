"""The worst Markdown uploads, converted as the web request converts them.

    python -m bench.markdown_worst [--mb 4]

For each input: the seconds ``ingest.markdown_to_text`` takes, or the seconds it
takes to refuse it (IngestError). ``--mb`` MB of "![" (links that never close:
what took about 90 s before markdown_check), then each kind of markup just under
its cap in markdown_check, then all of them in one file, then the tests' article.
"""

from __future__ import annotations

import argparse
import time

from claims import ingest

# A paragraph of an article: 400 characters, a link, emphasis, figures.
PARAGRAPH = (
    "The health board said on Monday that [average waits](https://example.org/report) "
    "in emergency departments rose to 14 hours, up from 11 hours in 2022, and that "
    "*as many as* 3,200 patients waited more than 12 hours in January: the minister, "
    "Tom Lee, said that **300 new beds** would open by May - a figure the unions "
    "could not confirm, at a cost of $4.5m (up 12%).\n\n"
)


def _under(unit: str, count: int) -> str:
    return unit * count


def cases(mb: float) -> dict[str, str]:
    size = int(mb * 1024 * 1024)
    # The caps (before markdown_check: the same sizes, for the comparison).
    lines = getattr(ingest, "MARKDOWN_MAX_LINES", 20_000)
    brackets = getattr(ingest, "MARKDOWN_MAX_BRACKETS", 10_000)
    emphasis = getattr(ingest, "MARKDOWN_MAX_EMPHASIS", 20_000)
    other = getattr(ingest, "MARKDOWN_MAX_OTHER_MARKS", 50_000)
    worst = {
        "lines (x\\n\\n)": _under("x\n\n", lines // 2),
        "brackets (a[)": _under("a[", brackets),
        "emphasis (*a)": _under("*a", emphasis),
        "other marks (:)": _under(":", other),
    }
    return {
        f'{mb:g} MB of "!["': "![" * (size // 2),
        **worst,
        "all four at their caps": "".join(worst.values()),
        "1 MB of prose": (PARAGRAPH * (1024 * 1024 // len(PARAGRAPH) + 1))[: 1024 * 1024],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=4.0)
    args = parser.parse_args()
    for name, source in cases(args.mb).items():
        started = time.perf_counter()
        try:
            ingest.markdown_to_text(source)
            outcome = "converted"
        except ingest.IngestError:
            outcome = "refused"
        elapsed = time.perf_counter() - started
        print(f"{name:26} {len(source) / 1e6:5.2f} MB  {outcome:9} {elapsed:6.2f} s", flush=True)


if __name__ == "__main__":
    main()
