"""python manage.py ingest PATH|URL|- ...: bulk import of articles (issue 15).

    manage.py ingest articles/                      # every .txt/.md/.html under it
    manage.py ingest urls.txt feed.jsonl --wait     # a URL list and JSON Lines; wait for analyses
    cat list.jsonl | manage.py ingest - --report out.json
    manage.py ingest articles/ --dry-run            # reads and checks, writes nothing

What is read, and how duplicates are found: claims.services.batch_inputs and
claims.services.batches. Each article is queued for analysis as it is stored;
``--wait`` then follows the analyses to the end. A progress bar (rate, ETA) on a
terminal, one plain line per input otherwise (logs, CI).

Exit status (for cron jobs and scripts): 0 when every input was imported (or was a
duplicate); 2 when any input failed (with --wait: or any analysis failed), after
all the others were imported; 1 for any other error, including analyses still
pending when --wait times out.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.selectors import batch_progress
from claims.services import (
    ItemResult,
    batch_create,
    batch_inputs_read,
    batch_item_check,
    batch_items_ingest,
)

POLL = 1.0  # seconds between looks at the analyses (--wait)
PLAIN_EVERY = 5.0  # seconds between plain progress lines while waiting
DRY_LABELS = {
    "created": "would create",
    "duplicate": "duplicate",
    "version": "new version",
    "failed": "would fail",
}


class Command(BaseCommand):
    help = (
        "Import many articles: files, folders, URLs, URL lists, JSON Lines, or - for stdin "
        "(JSON Lines if its first line starts with {, a URL list if every line is a URL, "
        "else one article's text). Exit status: 0 all imported; 2 some inputs failed (with "
        "--wait: or some analyses failed), the others are imported; 1 other errors, or "
        "analyses still pending when --wait times out."
    )
    stealth_options = ("stdin",)  # tests hand in a byte stream

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="PATH|URL|-")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, write nothing."
        )
        parser.add_argument("--wait", action="store_true", help="Wait for the analyses to finish.")
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds --wait waits.")
        parser.add_argument("--report", metavar="FILE.json", help="Write the summary as JSON.")
        parser.add_argument("--user", help="Username that owns the batch and its articles.")

    def handle(self, *args, sources, dry_run, wait, timeout, report, user, **options):
        owner = _user(user)
        stdin = (options.get("stdin") or sys.stdin.buffer) if "-" in sources else None
        inputs = batch_inputs_read(sources=sources, stdin=stdin)
        if not inputs:
            raise CommandError("Nothing to import: no article files, URLs or lines were found.")
        tty = self.stdout.isatty()
        out = getattr(self.stdout, "_out", self.stdout)  # tqdm writes "\r", unwrapped
        progress = Progress(out, total=len(inputs), tty=tty, dry_run=dry_run)
        batch = None
        try:
            if dry_run:
                seen: set[str] = set()
                for position, item in enumerate(inputs, 1):
                    progress.item(batch_item_check(position=position, item=item, seen=seen))
            else:
                batch = batch_create(
                    user=owner, kind="command", source=" ".join(sources), total=len(inputs)
                )
                batch_items_ingest(batch=batch, inputs=inputs, on_item=progress.item)
        finally:
            progress.close()
        analysis = None
        if wait and batch is not None and batch.created + batch.versions:
            analysis = wait_for_analyses(batch, out, tty=tty, timeout=timeout)
        summary = _summary(batch, progress.results, dry_run=dry_run, analysis=analysis)
        self.stdout.write(_summary_text(summary))
        if report:
            Path(report).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        failed = summary["failed"] + (analysis["failed"] if analysis is not None else 0)
        pending = analysis["pending"] if analysis is not None else 0
        still = f"; {_count(pending, 'analysis', 'analyses')} still pending" if pending else ""
        if failed:
            # Status 2: the import ran to the end, but something in it failed.
            raise CommandError(_failed_text(summary, analysis) + still + ".", returncode=2)
        if pending:
            raise CommandError(
                f"{_count(pending, 'analysis', 'analyses')} still pending after {timeout:g} s."
            )


class Progress:
    """The import's progress: tqdm's bar on a terminal, else a line per input."""

    def __init__(self, out, *, total: int, tty: bool, dry_run: bool):
        self.out, self.total, self.dry_run = out, total, dry_run
        self.results: list[ItemResult] = []
        self.started = time.monotonic()
        self.bar = _bar(out, total=total, unit="article") if tty else None

    def item(self, result: ItemResult) -> None:
        self.results.append(result)
        label = DRY_LABELS[result.outcome] if self.dry_run else result.outcome
        if self.bar is not None:
            if result.error:
                self.bar.write(f"{result.name}: failed: {result.error}", file=self.out)
            self.bar.update(1)
            return
        done = len(self.results)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        eta = (self.total - done) / rate if rate else 0
        line = f"[{done}/{self.total}] {label:<12} {result.name}"
        line += f": {result.error}" if result.error else ""
        self.out.write(f"{line}  ({rate:.1f}/s, ETA {_duration(eta)})\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def wait_for_analyses(batch, out, *, tty: bool, timeout: float) -> dict:
    """Follow the batch's new articles and new versions until none is fetching,
    queued or running."""
    deadline = time.monotonic() + timeout
    expected = batch.created + batch.versions
    bar = _bar(out, total=expected, unit="analysis", desc="analysis") if tty else None
    last_line = 0.0
    while True:
        progress = batch_progress(batch=batch)
        done = progress.analysed + progress.analysis_failed
        counts = {
            "analysed": progress.analysed,
            "failed": progress.analysis_failed,
            "pending": progress.analysing,
        }
        finished = progress.analysing == 0 or time.monotonic() > deadline
        if bar is not None:
            bar.update(done - bar.n)
            bar.set_postfix(analysed=progress.analysed, failed=progress.analysis_failed)
        elif finished or time.monotonic() - last_line >= PLAIN_EVERY:
            last_line = time.monotonic()
            out.write(
                f"analysis: {done}/{expected} done, {progress.analysed} analysed, "
                f"{progress.analysis_failed} failed, {progress.analysing} pending\n"
            )
        if finished:
            if bar is not None:
                bar.close()
            return counts
        time.sleep(POLL)


def _summary(batch, results: list[ItemResult], *, dry_run: bool, analysis) -> dict:
    def count(outcome: str) -> int:
        return sum(1 for r in results if r.outcome == outcome)

    return {
        "batch": batch.pk if batch is not None else None,
        "dry_run": dry_run,
        "total": len(results),
        "created": count("created"),
        "duplicates": count("duplicate"),
        "versions": count("version"),
        "failed": count("failed"),
        "failures": [
            {"position": r.position, "name": r.name, "error": r.error}
            for r in results
            if r.outcome == "failed"
        ],
        "analysis": analysis,
        "items": [
            {
                "position": r.position,
                "name": r.name,
                "outcome": r.outcome,
                "article": r.article_id,
                "error": r.error,
            }
            for r in results
        ],  # fmt: skip
    }


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _failed_text(s: dict, analysis) -> str:
    parts = []
    if s["failed"]:
        verb = "would fail" if s["dry_run"] else "failed"
        parts.append(f"{s['failed']} of {_count(s['total'], 'input', 'inputs')} {verb}")
    if analysis is not None and analysis["failed"]:
        parts.append(f"{_count(analysis['failed'], 'analysis', 'analyses')} failed")
    return "; ".join(parts)


def _summary_text(s: dict) -> str:
    inputs = _count(s["total"], "input", "inputs")
    if s["dry_run"]:
        head = (
            f"Dry run, nothing written: {inputs}; would create {s['created']}, "
            f"{_count(s['duplicates'], 'duplicate', 'duplicates')}, "
            f"{_count(s['versions'], 'new version', 'new versions')}, "
            f"{s['failed']} would fail."
        )
    else:
        head = (
            f"Batch {s['batch']}: {inputs}; created {s['created']}, "
            f"duplicates {s['duplicates']}, new versions {s['versions']}, failed {s['failed']}."
        )
    lines = [head]
    if s["analysis"] is not None:
        a = s["analysis"]
        lines.append(
            f"Analyses: {a['analysed']} analysed, {a['failed']} failed, {a['pending']} pending."
        )
    if s["failures"]:
        lines.append("Failed:")
        lines += [f"  {f['name']}: {f['error']}" for f in s["failures"]]
    return "\n".join(lines)


def _bar(out, **options) -> tqdm:
    """tqdm's bar, as wide as the terminal. A terminal that reports no size (a new
    pseudo-terminal, `script`, some CI runners say 0 columns or 0 rows) gets 100
    columns and 20 rows: with 0 of either, tqdm draws nothing at all."""
    try:
        columns, lines = os.get_terminal_size(out.fileno())
    except (OSError, ValueError, AttributeError):
        columns, lines = 0, 0
    sizing = {"dynamic_ncols": True} if columns and lines else {"ncols": columns or 100}
    return tqdm(file=out, nrows=lines or 20, **sizing, **options)


def _user(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
