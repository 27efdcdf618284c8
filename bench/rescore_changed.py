"""What claim matching's re-scoring of changed claims costs on an article with many
matches: ``_rescore_changed`` (claims.services.matching) scores again, with its
spans, every match of every claim the article's latest version changed, on every
matching run of that version (each "Analyse again"), before the candidates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a private database> \\
      .venv/bin/python bench/rescore_changed.py                  # 300 changed claims x 40 matches
    ... bench/rescore_changed.py --claims 1000 --matches 50 --repeat 5

Stores one article of ``--claims`` claims marked changed (version 2), each matched
(suggested, and one in ten decided) to ``--matches`` claims of other articles that
say nearly the same thing (one word apart, as wire copies), scored on the claims'
previous text; then times, in one process as a matching run would:

1. the first re-scoring after the version (the scores and spans move: written);
2. the same again ``--repeat`` times, as each later run of that version does (nothing
   changed since: nothing to write), and alongside it a whole matching run of the
   article (claim_matches_find: re-scoring, candidates, re-ranking), for its share.

Each run gets a fresh ``_Texts`` (as each matching run does); the process's own
caches of prepared texts stay warm after the first, as in a worker. The database is
migrated and the bench's articles deleted before and after: a private database.
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

PUBLICATION = "The Rescore Courier"


def clean() -> None:
    from claims.models import Article, Claim, ClaimMatch

    claims = Claim.objects.filter(article__publication=PUBLICATION)
    ClaimMatch.objects.filter(claim__in=claims).delete()
    ClaimMatch.objects.filter(matched_claim__in=claims).delete()
    claims.delete()
    Article.objects.filter(publication=PUBLICATION).delete()


def _sentence(rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(12, 22))).capitalize() + "."


def _one_word_off(rng: random.Random, text: str, vocabulary: list[str]) -> str:
    words = text.rstrip(".").split()
    words[rng.randrange(len(words))] = rng.choice(vocabulary)
    return " ".join(words) + "."


def _article(n: int, texts: list[str], **claim_fields):
    from claims.domain import content_hash, fingerprint
    from claims.models import Article, Claim

    raw = "\n\n".join(texts)
    article = Article.objects.create(
        title=f"Rescore bench {n}",
        publication=PUBLICATION,
        raw_text=raw,
        content_hash=content_hash(raw + f"\n{n}"),
        state="analyzed",
    )
    rows, at = [], 0
    for i, text in enumerate(texts):
        rows.append(
            Claim(article=article, position=i, start=at, end=at + len(text), text=text,
                  sentence_start=at, sentence_end=at + len(text), fingerprint=fingerprint(text),
                  **claim_fields)
        )  # fmt: skip
        at += len(text) + 2
    return article, Claim.objects.bulk_create(rows, batch_size=1000)


def build(args):
    """The changed article's claims, their matches recorded on their previous text."""
    from claims.analysis import similarity
    from claims.models import ClaimMatch

    rng = random.Random(args.seed)
    vocabulary = [f"w{n}" for n in range(3000)]
    previous = [_sentence(rng, vocabulary) for _ in range(args.claims)]
    now = [_one_word_off(rng, t, vocabulary) for t in previous]
    _, changed = _article(
        0, now, version_change="changed", change_version=2, text_version=2, previous_text=""
    )
    others = []
    for k in range(args.matches):
        copies = [_one_word_off(rng, t, vocabulary) for t in previous]
        others.append(_article(k + 1, copies)[1])
    matches = []
    for i, claim in enumerate(changed):
        for k in range(args.matches):
            other = others[k][i]
            old = previous[i]
            matches.append(
                ClaimMatch(
                    claim=claim,
                    matched_claim=other,
                    claim_fingerprint=claim.fingerprint,
                    score=round(similarity.similarity(similarity.prepare(old),
                                                      similarity.prepare(other.text)), 4),
                    spans=similarity.matching_spans(old, other.text),
                    state="rejected" if (i + k) % 10 == 0 else "suggested",
                )
            )  # fmt: skip
    ClaimMatch.objects.bulk_create(matches, batch_size=1000)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--matches", type=int, default=40, help="per changed claim")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Give DATABASE_URL=postgres://... (a private database).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from claims.models import Claim, ClaimMatch
    from claims.services import matching

    clean()
    try:
        changed = build(args)
        ids = [c.pk for c in changed]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim; ANALYZE claims_claimmatch")

        def claims():
            return list(
                Claim.objects.filter(pk__in=ids).only(
                    "pk", "text", "article_id", "fingerprint", "version_change"
                )
            )

        total = ClaimMatch.objects.filter(claim_id__in=ids).count()
        print(
            f"{len(ids)} changed claims, {total:,} matches; load average {os.getloadavg()[0]:.1f}"
        )
        start = time.perf_counter()
        matching._rescore_changed(claims(), matching._Texts())
        first = time.perf_counter() - start
        print(f"first re-scoring after the version (scores written): {first:.2f} s")
        again, runs = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            matching._rescore_changed(claims(), matching._Texts())
            again.append(time.perf_counter() - start)
            start = time.perf_counter()
            matching.claim_matches_find(claim_ids=ids)
            runs.append(time.perf_counter() - start)
        print(
            f"each later run's re-scoring (nothing to write): median "
            f"{statistics.median(again):.2f} s of {args.repeat} "
            f"({', '.join(f'{t:.2f}' for t in again)})"
        )
        print(
            f"a whole matching run of the article: median {statistics.median(runs):.2f} s "
            f"({', '.join(f'{t:.2f}' for t in runs)})"
        )
    finally:
        clean()


if __name__ == "__main__":
    main()
