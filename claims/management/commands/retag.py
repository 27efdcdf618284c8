"""python manage.py retag: after a lexicon or confidence-policy change, analyse
every article again. Claims people worked on are kept.

The ids are read first (a million of them is a few MB), then the articles in
chunks: no server-side cursor (``.iterator()``) stays open across the writes, which
behind pgbouncer in transaction mode (README, "Deployment") would have its FETCHes
sent to other server connections ("cursor ... does not exist")."""

from django.core.management.base import BaseCommand

from claims.models import Article
from claims.services import article_reanalyze

# Articles loaded per query (each with its text: up to a few MB).
CHUNK = 100


class Command(BaseCommand):
    help = "Re-analyse all articles (after the lexicons or the confidence policy changed)."

    def handle(self, *args, **options):
        total = unreachable = 0
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            # An article deleted since the ids were read is simply not there.
            for article in Article.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk"):
                total += 1
                if article_reanalyze(article=article) is False:
                    unreachable += 1
        self.stdout.write(f"re-analysis queued for {total} article(s)")
        if unreachable:
            self.stdout.write(
                f"{unreachable} could not reach the broker; requeue_stale will start them"
            )
