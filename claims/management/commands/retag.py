"""python manage.py retag: after a lexicon or confidence-policy change, analyse
every article again. Claims people worked on are kept."""

from django.core.management.base import BaseCommand

from claims.models import Article
from claims.services import article_reanalyze


class Command(BaseCommand):
    help = "Re-analyse all articles (after the lexicons or the confidence policy changed)."

    def handle(self, *args, **options):
        total = unreachable = 0
        for article in Article.objects.order_by("pk").iterator():
            total += 1
            if article_reanalyze(article=article) is False:
                unreachable += 1
        self.stdout.write(f"re-analysis queued for {total} article(s)")
        if unreachable:
            self.stdout.write(
                f"{unreachable} could not reach the broker; requeue_stale will start them"
            )
