"""python manage.py reanalyze ID [ID ...]: analyse articles again; claims people
worked on are kept (see claims.services)."""

from django.core.management.base import BaseCommand, CommandError

from claims.models import Article
from claims.services import article_reanalyze


class Command(BaseCommand):
    help = "Analyse the given articles again, keeping claims people have worked on."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="+", type=int)

    def handle(self, *args, ids, **options):
        found = {a.pk: a for a in Article.objects.filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise CommandError(f"no article with id {', '.join(map(str, missing))}")
        for pk in ids:
            enqueued = article_reanalyze(article=found[pk])
            self.stdout.write(f"article {pk}: {_said(enqueued)}")


def _said(enqueued: bool | None) -> str:
    if enqueued is False:
        return "queued, but the broker is unreachable: requeue_stale will start it"
    return "re-analysis queued"
