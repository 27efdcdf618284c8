"""python manage.py requeue_stale [--older-than SECONDS]: enqueue again the
articles stuck in queued or running (the broker was down, or a worker died), and
the CSV export jobs whose message was lost (queued, or running with no worker
left: see claims.services.exportjobs)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from claims.services import articles_requeue_stale, export_jobs_requeue_stale


class Command(BaseCommand):
    help = "Re-enqueue articles and export jobs stuck in queued or running past a timeout."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="seconds without progress (default: the ANALYSIS_STALE_AFTER setting)",
        )

    def handle(self, *args, older_than, **options):
        age = timedelta(seconds=older_than) if older_than is not None else None
        ids = articles_requeue_stale(older_than=age)
        self.stdout.write(f"requeued {len(ids)} article(s){': ' if ids else ''}"
                          f"{', '.join(map(str, ids))}")  # fmt: skip
        jobs = export_jobs_requeue_stale(older_than=age)
        if jobs:  # a second line only then: the first is what scripts have always read
            self.stdout.write(f"requeued {len(jobs)} export job(s): {', '.join(jobs)}")
