"""A batch of texts whose titles resemble many articles of the same publication: the
version check of each item (claims.services.versions.article_version_target) against
every article whose title is alike.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a private database> \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/<a private db> \\
      .venv/bin/python bench/version_batch.py                     # 100 stored, 100 posted
    ... bench/version_batch.py --stored 200 --items 100 --chars 8000 --repeat 3

Stores ``--stored`` articles of one publication, titled "City council budget
update: week N" (every two of them at least ARTICLE_VERSION_TITLE_SIMILARITY alike)
with distinct bodies of about ``--chars`` characters, then POSTs ``--items`` texts of
that publication with such titles to ``/api/v1/articles/batch/`` (as an editor, in
process, through the whole API view) and times the request. One item in ten is an
update of a stored article (its title, most of its body): those must come out as new
versions, the others as new articles. It also times the version check alone, item by
item, on the same texts (nothing written).

The database is migrated and every article of the bench's publication (with its
batches) deleted before and after: give it a private database, never a shared one.
The analyses the batch queues go to the broker, which no worker reads: they are
purged at the end (a private Redis database too). Without a broker (embedded mode)
they would run in this process and be timed with it: the bench refuses.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

PUBLICATION = "The Bench Courier"


def _words(rng: random.Random, n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(n)]


def _body(rng: random.Random, vocabulary: list[str], chars: int) -> str:
    paragraphs, size = [], 0
    while size < chars:
        sentences = [
            " ".join(rng.choice(vocabulary) for _ in range(rng.randint(12, 25))).capitalize() + "."
            for _ in range(3)
        ]
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def _text(title: str, body: str) -> str:
    return f"{title}\n\n  \u2022 Article by: ANA RUIZ\n  \u2022 {PUBLICATION}\n\n{body}\n"


def _title(n: int) -> str:
    return f"City council budget update: week {n:03d}"


def make_corpus(args) -> tuple[list[str], list[str], list[int]]:
    """The stored texts, the posted texts, and which posted ones are updates (of the
    stored article with that index; -1 for a new story)."""
    rng = random.Random(args.seed)
    vocabulary = _words(rng, 20_000)
    stored = [_text(_title(n), _body(rng, vocabulary, args.chars)) for n in range(args.stored)]
    posted, updates = [], []
    for i in range(args.items):
        if i % 10 == 5:  # an update: the same title, one paragraph added to the body
            k = rng.randrange(args.stored)
            posted.append(stored[k].rstrip("\n") + "\n\n" + _body(rng, vocabulary, 300) + "\n")
            updates.append(k)
        else:
            n = args.stored + i
            posted.append(_text(_title(n), _body(rng, vocabulary, args.chars)))
            updates.append(-1)
    return stored, posted, updates


def clean() -> None:
    from claims.models import Article, ImportBatch

    ImportBatch.objects.filter(created_by__username="bench-editor").delete()
    Article.objects.filter(publication=PUBLICATION).delete()


def store(stored: list[str]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from claims.domain import content_hash
    from claims.ingest import article_fields
    from claims.models import Article

    now = timezone.now()
    rows = []
    for text in stored:
        rows.append(
            Article(raw_text=text, content_hash=content_hash(text), state="analyzed",
                    **article_fields(text))
        )  # fmt: skip
    created = Article.objects.bulk_create(rows)
    # Oldest first, as they would have come in.
    for n, article in enumerate(created):
        Article.objects.filter(pk=article.pk).update(
            created_at=now - timedelta(minutes=len(created) - n)
        )


def forget() -> None:
    """Start cold, as a web process new to these articles (the phrases it keeps)."""
    from claims.services import versions

    if hasattr(versions, "_PHRASES"):
        versions._PHRASES.clear()


def time_checks(posted: list[str]) -> list[float]:
    from claims.ingest import article_fields
    from claims.services.versions import article_version_target

    forget()

    times = []
    for text in posted:
        start = time.perf_counter()
        article_version_target(text=text, fields=article_fields(text))
        times.append(time.perf_counter() - start)
    return times


def post_batch(posted: list[str]):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from claims.roles import ensure_roles

    ensure_roles()
    user, _ = get_user_model().objects.get_or_create(username="bench-editor")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="Editor"))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    body = json.dumps([{"text": t} for t in posted])
    forget()
    start = time.perf_counter()
    response = client.post("/api/v1/articles/batch/", data=body, content_type="application/json")
    elapsed = time.perf_counter() - start
    assert response.status_code == 202, response.content[:500]
    batch = client.get(response["Location"]).json()
    return elapsed, batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored", type=int, default=100)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--chars", type=int, default=5000, help="body length of each text")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the batch")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Give DATABASE_URL=postgres://... (a private database).")
    if not os.environ.get("CELERY_BROKER_URL"):
        sys.exit("Give CELERY_BROKER_URL=redis://... (a private Redis database).")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tracker.celery import app

    stored, posted, updates = make_corpus(args)
    print(
        f"{args.stored} stored articles, {args.items} posted ({sum(u >= 0 for u in updates)} "
        f"updates), bodies of ~{args.chars} characters; candidates per item up to "
        f"{settings.ARTICLE_VERSION_CANDIDATES}; load average {os.getloadavg()[0]:.1f}"
    )
    checks, requests = [], []
    try:
        for _ in range(args.repeat):
            clean()
            store(stored)
            checks.append(sum(time_checks(posted)))
            elapsed, batch = post_batch(posted)
            requests.append(elapsed)
            versions = sorted(
                item["position"] - 1 for item in batch["items"] if item["outcome"] == "version"
            )
            expected = [i for i, u in enumerate(updates) if u >= 0]
            assert versions == expected, (versions, expected)
            assert batch["created"] == args.items - len(expected) and not batch["failed"], batch
            print(
                f"POST /api/v1/articles/batch/: {elapsed:.2f} s "
                f"(created {batch['created']}, versions {batch['versions']}); "
                f"the version checks alone (cold), before it: {checks[-1]:.2f} s"
            )
    finally:
        clean()
        app.control.purge()
    if args.repeat > 1:
        print(
            f"median of {args.repeat}: request {statistics.median(requests):.2f} s, "
            f"checks {statistics.median(checks):.2f} s"
        )


if __name__ == "__main__":
    main()
