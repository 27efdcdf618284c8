"""python manage.py load_seeds [DIR]: ingest every article in seeds/ (idempotent)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.services import IngestError, seeds_load


class Command(BaseCommand):
    help = "Load the seed articles (every .txt in seeds/) and queue their analysis."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.BASE_DIR / "seeds"))

    def handle(self, *args, directory, **options):
        if not Path(directory).is_dir():
            raise CommandError(f"{directory} is not a directory")
        try:
            results = seeds_load(directory=Path(directory))
        except IngestError as exc:
            raise CommandError(str(exc)) from None
        for r in results:
            r.article.refresh_from_db()
            verb = "loaded" if r.created else "already there"
            self.stdout.write(
                f"{verb}: {r.article} ({r.article.state}, {r.article.claims.count()} claims)"
            )
