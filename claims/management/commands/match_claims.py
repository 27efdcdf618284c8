"""python manage.py match_claims [ID ...] [--since SECONDS]: match again, in this
process, the claims of analysed articles (the given ones, or those analysed in the
last SECONDS). Matching is a task of its own after each analysis (match_claims, on
the "default" queue); this is the way back for one that was lost (a worker killed
between an analysis's commit and the task's publish, or a task out of retries).
Idempotent: an article matched twice gets no second copy of a match."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from claims.services import articles_match


class Command(BaseCommand):
    help = "Match again the claims of analysed articles (given ids, or --since SECONDS)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int)
        parser.add_argument(
            "--since", type=float, default=None, help="the articles analysed in the last SECONDS"
        )

    def handle(self, *args, ids, since, **options):
        if not ids and since is None:
            raise CommandError("give article ids or --since SECONDS")
        span = None
        if since is not None:
            if not since >= 0:  # NaN too
                raise CommandError(f"--since takes a number of seconds, 0 or more, not {since}")
            try:
                span = timedelta(seconds=since)
            except OverflowError:  # longer than any timedelta: every article analysed
                span = timedelta.max
        found = articles_match(article_ids=ids or None, since=span)
        self.stdout.write(f"{found} new match(es)")
