"""Time and memory of importing a file of ClaimReviews (issue 14: "a file of 10,000
reviews").

    .venv/bin/python bench/factcheck_import.py                   # 10,000 reviews, SQLite
    .venv/bin/python bench/factcheck_import.py --reviews 50000 --format feed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_wt14b \\
      .venv/bin/python bench/factcheck_import.py

Writes a file of N distinct reviews (JSON Lines, or one DataFeed JSON document with
--format feed) into a temporary directory, and imports it with the service
`import_claimreviews` runs (claims.services.factchecks.factchecks_import) three times:

1. into an empty library: wall time (read, check and write, one transaction);
2. the same file again: wall time of the idempotent re-import (every row updated);
3. into an emptied library again under tracemalloc: the peak of Python allocations
   during the import (tracemalloc slows the run, so this pass is not timed).

It also prints the process's peak RSS (ru_maxrss: Django, the file's bytes and the
import together). Without DATABASE_URL a throwaway SQLite file is used; with it,
that database is migrated and its fact-check library emptied before and after: give
it a private database, never a shared one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def review(n: int) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factcheck.example/reviews/{n}",
        "claimReviewed": f"Claim {n}: the dam passed its last inspection in {2000 + n % 25}.",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": f"Person {n % 500}"},
        },
        "author": {"@type": "Organization", "name": f"Desk {n % 20}", "url": "https://fd.example"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1 + n % 5,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": ["False", "Mostly false", "Half true", "Mostly true", "True"][n % 5],
        },
        "datePublished": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "inLanguage": "en",
    }


def write_file(directory: Path, count: int, fmt: str) -> Path:
    if fmt == "jsonl":
        path = directory / "reviews.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for n in range(count):
                out.write(json.dumps(review(n)) + "\n")
    else:
        path = directory / "feed.json"
        feed = {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "dataFeedElement": [
                {"@type": "DataFeedItem", "item": [review(n)]} for n in range(count)
            ],
        }
        path.write_text(json.dumps(feed), encoding="utf-8")
    return path


def setup_django(directory: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--format", choices=["jsonl", "feed"], default="jsonl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = write_file(directory, args.reviews, args.format)
        setup_django(directory)
        from claims.models import FactCheck
        from claims.services.factcheck_documents import Document
        from claims.services.factchecks import factchecks_import

        FactCheck.objects.all().delete()
        rss_before = _rss_mib()

        stages = {}

        def progress(stage, done, total):
            if stage == "read" and done == total:
                stages["read"] = time.perf_counter()

        def run():
            document = Document(path.name, path.read_bytes())
            start = time.perf_counter()
            result = factchecks_import(documents=[document], user=None, progress=progress)
            end = time.perf_counter()
            stages["split"] = (stages["read"] - start, end - stages["read"])
            return end - start, result

        first, result = run()
        first_split = stages["split"]
        assert result.created == args.reviews, result
        again, result = run()
        again_split = stages["split"]
        assert result.updated == args.reviews and result.created == 0, result
        FactCheck.objects.all().delete()
        tracemalloc.start()
        run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert FactCheck.objects.count() == args.reviews
        FactCheck.objects.all().delete()
        from django.db import connection

        print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f}")
        print(
            f"file: {args.reviews:,} reviews, {args.format}, {path.stat().st_size / 2**20:.1f} MiB"
        )
        for label, total, (read, write) in (
            ("import into an empty library", first, first_split),
            ("re-import, every row updated", again, again_split),
        ):
            print(
                f"{label}: {total:.2f} s ({args.reviews / total:,.0f} reviews/s; "
                f"read and check {read:.2f} s, write {write:.2f} s)"
            )
        print(f"peak Python allocations during an import (tracemalloc): {peak / 2**20:.1f} MiB")
        print(f"process peak RSS: {_rss_mib():.0f} MiB (after Django set-up: {rss_before:.0f} MiB)")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__":
    main()
