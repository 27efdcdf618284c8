"""Claim matching time per claim on PostgreSQL: stage 1 (the candidate query) and
the whole lookup (candidates, remembered decisions, re-ranking; nothing written),
p50 and p99 over a sample of stored claims.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB
    python manage.py generate_corpus --claims 10000
    python bench/matching_speed.py --sample 300
    python bench/matching_speed.py --sample 300 --before   # the query before, to compare

Each claim is matched as the pipeline matches a newly saved claim: against every
claim of the other articles and every fact-check in the library.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=300, help="claims to match")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--before",
        action="store_true",
        help="the candidate query before issue 14's speed work: every adjacent word "
        "pair, every row found ranked (to compare on the same database)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from claims.models import Claim, FactCheck
    from claims.services import matching

    if args.before:
        matching.UNIT, matching.RAREST, matching.SCANNED = "pair", None, 10**9
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgres://...")
    total = Claim.objects.count()
    if total < 2:
        sys.exit("no claims: run manage.py generate_corpus --claims N first")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim; ANALYZE claims_factcheck")
    rng = random.Random(args.seed)
    top = Claim.objects.order_by("-id").values_list("id", flat=True).first()
    ids: set[int] = set()
    while len(ids) < min(args.sample, total):
        ids.add(rng.randint(1, top))
    claims = list(Claim.objects.filter(pk__in=ids).only("pk", "text", "article_id", "fingerprint"))
    threshold = settings.CLAIM_MATCH_THRESHOLD
    matching.claim_candidates(claim=claims[0])  # warm the connection and the caches
    stage1, whole, found = [], [], 0
    for claim in claims:
        started = time.perf_counter()
        matching.claim_candidates(claim=claim)
        stage1.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        found += len(matching._matches_for(claim, threshold))
        whole.append((time.perf_counter() - started) * 1000)
    query = "before: all pairs, all rows" if args.before else "rarest words, rows capped"
    print(
        f"{total} claims, {FactCheck.objects.count()} fact-checks; {len(claims)} claims matched, "
        f"{found} matches above {threshold} ({query})"
    )
    for name, values in (("stage 1 (candidates)", stage1), ("whole lookup", whole)):
        print(
            f"{name:<22} p50 {statistics.median(values):7.1f} ms   "
            f"p99 {percentile(values, 99):7.1f} ms   max {max(values):7.1f} ms"
        )


if __name__ == "__main__":
    main()
