"""python manage.py analyze PATH [--json]: analyse one article, print the result.

Needs no database, broker or network: the analysis is a pure function of the
text. Bad input exits non-zero with a one-line error on stderr.
"""

import json
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.analysis import InputError, ModelUnavailable, analyze, decode_input

LEVEL_ORDER = {"very_low": 0, "low": 1, "medium": 2, "high": 3}


class Command(BaseCommand):
    help = "Analyse an article (a UTF-8 text file, or '-' for stdin) and print its claims."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="UTF-8 text file, or '-' to read standard input")
        parser.add_argument("--json", action="store_true", help="print the contract's JSON")

    def handle(self, *args, path, json: bool, **options):
        data, size = self._read(path)
        limit = settings.ANALYSIS_MAX_BYTES
        if len(data) > limit:  # read up to one byte past it: say the real size, if known
            said = f"{size:,} bytes, over" if size is not None else "over"
            raise CommandError(f"input is {said} the limit of {limit:,} bytes")
        try:
            text = decode_input(data, max_bytes=settings.ANALYSIS_MAX_BYTES)
            result = analyze(text, policy=settings.CONFIDENCE_POLICY, model=settings.SPACY_MODEL)
        except (InputError, ModelUnavailable) as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_dumps(result.to_dict()))
        else:
            self.stdout.write(_table(result.to_dict()))

    def _read(self, path: str) -> tuple[bytes, int | None]:
        """At most one byte past ANALYSIS_MAX_BYTES, and the input's size if known."""
        if path == "-":
            return sys.stdin.buffer.read(settings.ANALYSIS_MAX_BYTES + 1), None
        try:
            with open(path, "rb") as fh:
                data = fh.read(settings.ANALYSIS_MAX_BYTES + 1)
                return data, os.fstat(fh.fileno()).st_size if fh.seekable() else None
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def _dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _table(doc: dict) -> str:
    meta = doc["article"]
    lines = [
        f"Title:       {meta['title'] or '-'}",
        f"Author:      {meta['author'] or '-'}",
        f"Publication: {meta['publication'] or '-'}",
        f"Published:   {meta['published'] or '-'}",
        f"Dateline:    {meta['dateline'] or '-'}",
        f"Claims:      {len(doc['claims'])}",
        "",
        f"{'level':<9} {'score':>5}  {'strength':<8} {'source':<28} claim",
    ]
    for c in sorted(
        doc["claims"], key=lambda c: (LEVEL_ORDER[c["confidence"]["level"]], c["start"])
    ):
        source = (c["source"]["text"] or "-")[:28]
        hedges = ", ".join(h["text"] for h in c["hedges"])
        text = " ".join(c["text"].split())
        text = text if len(text) <= 90 else text[:87] + "..."
        lines.append(
            f"{c['confidence']['level']:<9} {c['confidence']['score']:>5.2f}  "
            f"{c['sourcing_strength']:<8} {source:<28} {text}"
        )
        if hedges:
            lines.append(f"{'':<54} hedges: {hedges}")
    return "\n".join(lines)
