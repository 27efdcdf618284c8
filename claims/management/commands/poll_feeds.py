"""python manage.py poll_feeds: poll the feeds that are due, once (what beat's
poll_feeds_task does every minute). For the embedded mode, which runs no beat:
call it from cron. Each new item's page is fetched and analysed as the mode
does it (in-process when embedded, by the workers otherwise)."""

from django.core.management.base import BaseCommand

from claims.services import feeds_poll_due
from claims.tasks import start_fetch


class Command(BaseCommand):
    help = "Poll the RSS and Atom feeds that are due (each on its own interval)."

    def handle(self, *args, **options):
        results = feeds_poll_due(publish_fetch=start_fetch)
        for r in results:
            what = r.error if r.outcome == "error" else (
                f"{r.created} new article(s), {r.linked} already here, {r.failed} not added"
                if r.outcome == "new" else "unchanged (304)"
            )  # fmt: skip
            self.stdout.write(f"feed {r.feed_id}: {what}")
        self.stdout.write(f"polled {len(results)} feed(s)")
