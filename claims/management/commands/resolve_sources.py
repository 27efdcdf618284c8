"""python manage.py resolve_sources: link every claim to its source entity (the
backfill for claims analysed before sources were entities). Idempotent."""

from django.core.management.base import BaseCommand

from claims.models import Claim
from claims.services.sources import sources_resolve

BATCH = 2000


class Command(BaseCommand):
    help = "Resolve the source of every claim to a Source (new names become sources)."

    def handle(self, *args, **options):
        ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
        linked = 0
        for start in range(0, len(ids), BATCH):
            linked += sources_resolve(claim_ids=ids[start : start + BATCH])
        self.stdout.write(f"{linked} of {len(ids)} claim(s) linked to a source")
