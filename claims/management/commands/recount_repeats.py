"""python manage.py recount_repeats: count again, for every claim with a cluster or a
match, in how many articles it is made (Claim.repeats), and raise the priority of
open claims that reach CLUSTER_PRIORITY_REPEATS. Run it once after migration 0021
on a database that was matching claims before: the count starts at 1 everywhere,
and the matching service keeps it from then on."""

from django.core.management.base import BaseCommand

from claims.services.matching import claim_repeats_recount


class Command(BaseCommand):
    help = "Recount Claim.repeats for every claim with a cluster or a match."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="claims per recount")

    def handle(self, *args, batch: int, **options):
        changed = claim_repeats_recount(batch=max(batch, 1))
        self.stdout.write(f"{changed} claims recounted to a new number of articles.")
