"""What claim matching decided on the texts of bench/pipeline.py, as JSON to compare
two versions of the code: every ClaimMatch (the two claims by article and position,
score, state, spans), every claim's repeats, priority and version, and every
ClaimChange (by claim, in order). Ids differ from run to run; the rows are named by
the article's place in the corpus and the claim's position in it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_me \\
      .venv/bin/python bench/matching_results.py --articles 40 --out /tmp/after.json
    cmp /tmp/before.json /tmp/after.json

In-process (the embedded mode's pipeline: each article analysed, then matched),
on a migrated database whose articles (and everything hanging off them) are
emptied first and at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def results(article_ids: list[int]) -> dict:
    from claims.models import Claim, ClaimChange, ClaimMatch

    place = {pk: i for i, pk in enumerate(article_ids)}
    claims = Claim.objects.filter(article_id__in=article_ids)
    key = {
        pk: f"{place[article]}:{position}"
        for pk, article, position in claims.values_list("pk", "article_id", "position")
    }
    matches = sorted(
        [key[a], key.get(b) if b else None, f, fc_text, round(score, 4), state, spans]
        for a, b, f, fc_text, score, state, spans in ClaimMatch.objects.values_list(
            "claim_id",
            "matched_claim_id",
            "matched_factcheck_id",
            "matched_factcheck__claim_text",
            "score",
            "state",
            "spans",
        )
    )
    fields = ("pk", "text", "repeats", "priority", "version", "cluster_id", "status")
    claim_rows = sorted(
        [key[pk], text, repeats, priority, version, key.get(cluster), status]
        for pk, text, repeats, priority, version, cluster, status in claims.values_list(*fields)
    )
    changes = [
        [key[claim], action, changes, note, user]
        for claim, action, changes, note, user in ClaimChange.objects.order_by(
            "claim_id", "id"
        ).values_list("claim_id", "action", "changes", "note", "user_id")
    ]
    return {"matches": matches, "claims": claim_rows, "changes": changes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    from bench.pipeline import embedded_setup

    embedded_setup()
    from bench.pipeline import _empty, corpus
    from claims.models import Article
    from claims.services import article_ingest

    _empty(Article)
    ids = [article_ingest(text=text).article.pk for text in corpus(args.articles, "results")]
    found = results(ids)
    _empty(Article)
    Path(args.out).write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
    print(
        f"{len(found['matches'])} matches, {len(found['claims'])} claims "
        f"({sum(r[2] > 1 for r in found['claims'])} repeated), {len(found['changes'])} changes"
    )


if __name__ == "__main__":
    main()
