"""python manage.py import_claimreviews PATH|URL [...]: add published fact-checks
(schema.org ClaimReview: JSON-LD, HTML pages with JSON-LD, DataFeed feeds, JSON
Lines) to the library.

All or nothing for the whole command: every problem is listed on stderr (document,
line or item, reason) and nothing is written; otherwise everything is written in
one transaction. Importing the same files again updates the same rows. URLs are
fetched with the tracker's hardened fetch (public addresses only, size limit).
A progress bar on a terminal; plain lines otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.services.factcheck_documents import Document
from claims.services.factchecks import (
    IMPORT,
    FactCheckImportError,
    FactCheckNotPermitted,
    documents_from_urls,
    factchecks_import,
)


class Command(BaseCommand):
    help = "Import schema.org ClaimReview documents (files or URLs) into the fact-check library."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="PATH|URL")
        parser.add_argument("--user", help="username recorded as the importer")

    def handle(self, *args, sources: list[str], user: str | None = None, **options):
        importer = self._user(user)
        if importer is not None and not importer.has_perm(IMPORT):
            # Before reading or fetching anything (the service refuses it too).
            raise CommandError(f"{user!r} may not import fact-checks (an editor's permission).")
        tty = sys.stderr.isatty()
        try:
            documents = self._documents(sources)
            with _Progress(self.stdout, tty) as progress:
                result = factchecks_import(documents=documents, user=importer, progress=progress)
        except FactCheckNotPermitted as exc:
            raise CommandError(str(exc)) from None
        except FactCheckImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{exc.count} problem(s) in the input; nothing was imported."
            ) from None
        ours = result.skipped_ours
        self.stdout.write(
            f"{result.total} review(s) from {result.documents} document(s): "
            f"{result.created} new, {result.updated} updated"
            + (f", {ours} of our own left as they are" if ours else "")
        )

    def _user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None

    def _documents(self, sources: list[str]) -> list[Document]:
        urls = [s for s in sources if s.startswith(("http://", "https://"))]
        documents = [self._file(s) for s in sources if s not in urls]
        return documents + documents_from_urls(urls)

    def _file(self, path: str) -> Document:
        file = Path(path)
        limit = settings.FACTCHECK_IMPORT_MAX_BYTES
        try:
            if file.stat().st_size > limit:
                raise CommandError(f"{path}: larger than the limit of {limit:,} bytes.")
            return Document(file.name, file.read_bytes())
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None


class _Progress:
    """factchecks_import's progress: a tqdm bar per stage on a terminal, else a
    line when a stage ends."""

    LABELS = {"read": "reading documents", "write": "writing reviews"}

    def __init__(self, out, tty: bool):
        self.out, self.tty, self.bars = out, tty, {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for bar in self.bars.values():
            bar.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.tty:
            bar = self.bars.get(stage)
            if bar is None:
                bar = self.bars[stage] = tqdm(total=total, desc=self.LABELS[stage], file=sys.stderr)
            bar.update(done - bar.n)
        elif done == total:
            self.out.write(f"{self.LABELS[stage]}: {done} of {total}")
