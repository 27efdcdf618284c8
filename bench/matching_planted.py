"""Recall of claim matching on planted copies: N stored claims picked at random, each
copied with one word changed (a word of another random claim) into a new article,
and each copy matched as the pipeline matches a new claim. Prints how many originals
stage 1 found among the candidates, how many became matches (at
CLAIM_MATCH_THRESHOLD), how many of those scored at least CLUSTER_REPEAT_SCORE (a
repeat before anyone confirms it), and the suggestions made a copy (its original and
look-alikes). The copies are written in a transaction rolled back at the end:
nothing stays.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB
    python manage.py generate_corpus --claims 100000 --no-analysis-data --seed 1
    python bench/matching_planted.py --copies 60 --seed 1

Run from the root of the code to measure (it imports claims from the current
directory), so one copy of this script measures two versions alike.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


def one_word_changed(text: str, donor: str, rng: random.Random) -> str:
    words = text.split()
    i = rng.choice([n for n, w in enumerate(words) if w.isalpha() and len(w) > 3])
    others = [w for w in donor.split() if w.isalpha() and len(w) > 3]
    words[i] = rng.choice([w for w in others if w.lower() != words[i].lower()] or ["planted"])
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--no-analyze",
        action="store_true",
        help="keep the statistics as they are (ANALYZE samples at random: which words "
        "are the rarest, and so the candidates, vary a little from one ANALYZE to the next)",
    )
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from claims.domain import fingerprint
    from claims.models import Article, Claim
    from claims.services import matching

    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if not args.no_analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim; ANALYZE claims_factcheck")
    rng = random.Random(args.seed)
    top = Claim.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def random_text() -> tuple[int, str] | None:
        return Claim.objects.filter(pk=rng.randint(1, top)).values_list("pk", "text").first()

    picked: list[tuple[int, str]] = []
    while top and len(picked) < args.copies:
        row = random_text()
        if row and sum(w.isalpha() and len(w) > 3 for w in row[1].split()) > 1:
            picked.append(row)
    found = matched = strong = suggested = 0
    started = time.perf_counter()
    with transaction.atomic():
        article = Article.objects.create(raw_text="planted copies", content_hash="planted")
        for n, (pk, original) in enumerate(picked):
            text = one_word_changed(original, (random_text() or (0, ""))[1], rng)
            copy = Claim.objects.create(
                article=article,
                position=n,
                text=text,
                start=0,
                end=len(text),
                sentence_start=0,
                sentence_end=len(text),
                fingerprint=fingerprint(text),
                human_added=True,
            )
            candidates = matching.claim_candidates(claim=copy)
            found += ("claim", pk) in {(c.kind, c.pk) for c in candidates}
            rows = matching._matches_for(
                copy, settings.CLAIM_MATCH_THRESHOLD, known=set(), candidates=candidates
            )
            mine = [row.score for row in rows if row.matched_claim_id == pk]
            matched += bool(mine)
            strong += any(score >= settings.CLUSTER_REPEAT_SCORE for score in mine)
            suggested += len(rows)
        transaction.set_rollback(True)
    ms = 1000 * (time.perf_counter() - started) / max(len(picked), 1)
    print(
        f"{top} claims: of {len(picked)} one-word-changed copies, {found} found their "
        f"original among the candidates, {matched} matched it (at "
        f"{settings.CLAIM_MATCH_THRESHOLD}), {strong} at CLUSTER_REPEAT_SCORE "
        f"({settings.CLUSTER_REPEAT_SCORE}: a repeat); {suggested / max(len(picked), 1):.1f} "
        f"suggestions a copy; {ms:.1f} ms a copy"
    )


if __name__ == "__main__":
    main()
