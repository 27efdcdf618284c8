"""Claim matching on real data: CLEF 2020 CheckThat! Task 2 (verified claim retrieval).

    # once: the fetch tool (or a git clone) of github.com/sshaar/clef2020-factchecking-task2
    python bench/claim_matching_eval.py /work/.mirror/sshaar+clef2020-factchecking-task2/repo
    python bench/claim_matching_eval.py MIRROR --split train --rerankers lexical,wordllama
    DATABASE_URL=postgres://.../EMPTY_DB python bench/claim_matching_eval.py MIRROR --postgres

MIRROR is the task's git repository (a bare git dir or a checkout): the data is read
from ``data/v3.zip`` at HEAD, in memory; nothing is copied into this project. Only the
train and dev splits are read, never the test gold.

Tweets are ranked against the 10,373 Snopes verified claims (claim + title), and
scored by MAP@5 as the task's scorer computes it: evaluate.py calls trectools'
``TrecEval.get_map(depth=5)``, which sorts each query's run by score (then docid)
descending, keeps the top 5, sums precision@rank at each relevant document,
divides by the query's number of relevant documents in the qrels, and averages
over the queries of the run. ``map_at`` below is that definition.

Systems:
  bm25        rank_bm25's BM25Okapi, plain lower-cased word tokens (the organisers'
              baseline is Elasticsearch BM25 on vclaim+title)
  candidates  our stage 1 as the embedded mode runs it: IDF-weighted word overlap
              (claims.analysis.similarity.word_overlap), top 50
  lexical     our re-ranker (claims.analysis.similarity.similarity) on those 50,
              without IDF (the app before IDF); lexical-idf: with the whole
              collection's IDF; lexical-app: with the IDF of the last --idf-sample
              verified claims (the app's IDF is of its newest claims and fact-checks,
              claims.services.matching.IDF_SAMPLE)
  wordllama   a packaged static embedding (WordLlama l2_supercat_256, weights in
              the wheel) on the same 50, and "hybrid" = mean of lexical and it
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.analysis import similarity  # noqa: E402

CANDIDATES = 50
DATA = "data/v3.zip"


def read_zip(mirror: str) -> zipfile.ZipFile:
    path = Path(mirror)
    if (path / DATA).is_file():  # a checkout
        return zipfile.ZipFile(path / DATA)
    git_dir = path / ".git" if (path / ".git").exists() else path
    try:
        blob = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"HEAD:{DATA}"],
            check=True,
            capture_output=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        sys.exit(f"cannot read {DATA} from {mirror}: {exc}")
    return zipfile.ZipFile(io.BytesIO(blob))


def tsv(z: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = z.read(f"v3.0/{name}").decode("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip()]
    return rows[1:] if rows and not rows[0][0].strip().isdigit() else rows  # header


def load(mirror: str, split: str):
    z = read_zip(mirror)
    vclaims = {r[0]: " ".join(r[1:3]) for r in tsv(z, "verified_claims.docs.tsv")}
    queries = {r[0]: r[1] for r in tsv(z, f"{split}/tweets.queries.tsv")}
    qrels: dict[str, set[str]] = defaultdict(set)
    for r in tsv(z, f"{split}/tweet-vclaim-pairs.qrels"):
        if int(r[3]) > 0:
            qrels[r[0]].add(r[2])
    return vclaims, queries, qrels


def map_at(run: dict[str, dict[str, float]], qrels: dict[str, set[str]], depth: int = 5) -> float:
    """trectools TrecEval.get_map(depth), as the task's evaluate.py calls it."""
    total = 0.0
    for qid, scores in run.items():
        ranked = sorted(scores.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:depth]
        rel = qrels.get(qid, set())
        hits, ap = 0, 0.0
        for rank, (docid, _) in enumerate(ranked, start=1):
            if docid in rel:
                hits += 1
                ap += hits / rank
        total += ap / len(rel) if rel else 0.0
    return total / len(run) if run else 0.0


def recall_at(run, qrels) -> float:
    found = sum(len(set(s) & qrels[q]) / len(qrels[q]) for q, s in run.items() if qrels.get(q))
    return found / len(run)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bm25_run(vclaims, queries):
    from rank_bm25 import BM25Okapi

    ids = list(vclaims)
    bm = BM25Okapi([vclaims[i].lower().split() for i in ids])
    run = {}
    for qid, text in queries.items():
        scores = bm.get_scores(text.lower().split())
        top = sorted(range(len(ids)), key=lambda k: -scores[k])[:CANDIDATES]
        run[qid] = {ids[k]: float(scores[k]) for k in top}
    return run


def candidate_run(vclaims, queries, weights: dict | None = None, k: int = CANDIDATES):
    """Stage 1 over the whole collection, through an inverted index of terms, the
    best ``k``; ``weights``: the word weights (default: the collection's IDF; {}:
    none, as the embedded mode ran before its IDF)."""
    ids = list(vclaims)
    docs = {i: similarity.terms(vclaims[i]) for i in ids}
    idf = similarity.idf_table(list(docs.values())) if weights is None else weights
    postings: dict[str, list[str]] = defaultdict(list)
    for i, ts in docs.items():
        for t in set(ts):
            postings[t].append(i)
    run = {}
    for qid, text in queries.items():
        q = similarity.terms(text)
        pool = {d for t in set(q) for d in postings.get(t, ())}
        scored = {d: similarity.word_overlap(q, docs[d], idf) for d in pool}
        top = sorted(scored, key=lambda d: (-scored[d], d))[:k]
        run[qid] = {d: scored[d] for d in top}
    return run, idf


def postgres_runs(vclaims, queries) -> dict[str, dict]:
    """Stage 1 as the app runs it on PostgreSQL (claims.services.matching's candidate
    query), the verified claims stored as claims of one article in the database of
    DATABASE_URL (it must hold no other claims), inside a transaction that is rolled
    back: nothing stays. Two settings: the app's (the rarest words, rows capped
    before ranking) and "all pairs" (every adjacent word pair, every row ranked: the
    query before issue 14's speed work); EVAL_PG=RAREST:SCANNED:UNIT[:PAIRS],... adds more."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    from django.db import connection, transaction

    from claims.domain import fingerprint
    from claims.models import Article, Claim
    from claims.services import matching

    if connection.vendor != "postgresql":
        sys.exit("--postgres needs DATABASE_URL=postgres://... (an empty database)")
    if Claim.objects.exists():
        sys.exit("--postgres needs a database without claims (its claims would be candidates)")
    runs: dict[str, dict] = {}
    with transaction.atomic():
        article = Article.objects.create(raw_text="CLEF 2020 verified claims", content_hash="-")
        rows = [
            Claim(
                article=article,
                position=n,
                text=text,
                start=0,
                end=max(len(text), 1),
                sentence_start=0,
                sentence_end=max(len(text), 1),
                fingerprint=fingerprint(text),
                human_added=True,  # one span for all: not a machine claim's unique span
            )
            for n, text in enumerate(vclaims.values())
        ]
        made = Claim.objects.bulk_create(rows, batch_size=1000)
        docid = {c.pk: d for c, d in zip(made, vclaims, strict=True)}
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim")
        settings = {
            "pg candidates": (matching.RAREST, matching.SCANNED, matching.UNIT, matching.PAIRS),
            "pg candidates, all pairs": (None, 10**9, "pair", 0),
        }
        # More to compare, as RAREST:SCANNED:UNIT[:PAIRS] (all: every term), e.g. 8:1000:word.
        for spec in filter(None, os.environ.get("EVAL_PG", "").split(",")):
            rarest, scanned, unit, pairs = (spec + ":0").split(":")[:4]
            settings[spec] = (
                None if rarest == "all" else int(rarest),
                int(scanned),
                unit,
                int(pairs),
            )
        for name, (rarest, scanned, unit, pairs) in settings.items():
            matching.RAREST, matching.SCANNED, matching.UNIT = rarest, scanned, unit
            matching.PAIRS = pairs
            matching._stats["at"] = -matching.STATS_SECONDS  # read this table's statistics
            run, started = {}, time.perf_counter()
            for qid, text in queries.items():
                found = matching.claim_candidates(claim=Claim(text=text, article_id=-1))
                ranked = [docid[c.pk] for c in found if c.kind == "claim"]
                run[qid] = {d: float(len(ranked) - i) for i, d in enumerate(ranked)}
            runs[name] = (run, (time.perf_counter() - started) * 1000 / len(queries))
        transaction.set_rollback(True)
    return runs


def load_wordllama():
    """WordLlama's l2_supercat_256, from the files inside its wheel only. Its loader
    (0.4.0.post1) looks for the tokenizer under ``wordllama/tokenizer/`` but the
    wheel ships it under ``wordllama/tokenizers/``, so a plain WordLlama.load()
    goes to huggingface.co at run time (and fails offline). Pointing its cache dir
    at the package itself (which has tokenizers/ and weights/) keeps it offline."""
    import wordllama
    from wordllama import WordLlama

    package = Path(wordllama.__file__).parent
    return WordLlama.load(cache_dir=package, disable_download=True)


def rerank_run(name, cand, vclaims, queries, idf):
    if name == "lexical":  # as the app calls it: no collection statistics
        score = similarity.rerank
    elif name in ("lexical-idf", "lexical-app"):  # with an IDF of the verified claims
        score = lambda q, docs: similarity.rerank(q, docs, idf)  # noqa: E731
    else:
        model = load_wordllama()

        def embed_scores(q, docs):
            vecs = model.embed([q, *docs], norm=True)
            return [float(v) for v in vecs[1:] @ vecs[0]]

        if name == "wordllama":
            score = embed_scores
        else:  # hybrid

            def score(q, docs):
                lex = similarity.rerank(q, docs, idf)
                emb = embed_scores(q, docs)
                return [(a + b) / 2 for a, b in zip(lex, emb, strict=True)]

    run, started = {}, time.perf_counter()
    for qid, text in queries.items():
        docids = list(cand[qid])
        scores = score(text, [vclaims[d] for d in docids])
        run[qid] = dict(zip(docids, scores, strict=True))
    return run, (time.perf_counter() - started) * 1000 / len(queries)


def suggestions(run, qrels, threshold: float) -> tuple[int, float, float]:
    """What the app would suggest at ``threshold``: every candidate scoring at least
    that (the app suggests from the re-ranker's score, not by rank). Returns the
    count, its precision (share of them in the gold pairs) and its recall (share of
    the gold pairs suggested)."""
    made = [(q, d) for q, scores in run.items() for d, s in scores.items() if s >= threshold]
    right = sum(d in qrels.get(q, ()) for q, d in made)
    gold = sum(len(qrels.get(q, ())) for q in run)
    return len(made), right / len(made) if made else 0.0, right / gold if gold else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", help="the task's git repository (bare git dir or checkout)")
    parser.add_argument("--split", choices=["dev", "train"], default="dev")
    parser.add_argument(
        "--rerankers",
        default="lexical",
        help="comma list of: lexical, lexical-idf, wordllama, hybrid",
    )
    parser.add_argument(
        "--idf-sample",
        type=int,
        default=5000,
        help="lexical-app's IDF: of the last N verified claims (the app: of its newest "
        "claims and fact-checks, IDF_SAMPLE each)",
    )
    parser.add_argument(
        "--thresholds",
        default="",
        help="comma list of scores: each re-ranker's suggestions at each (count, "
        "precision, recall of the gold pairs), e.g. 0.35,0.4,0.45,0.5",
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="also the embedded mode's stage 1 as the app keeps it (the best 100), "
        "unweighted (before) and with lexical-app's weights, each re-ranked by them",
    )
    parser.add_argument("--no-bm25", action="store_true", help="skip the baseline (rank_bm25)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also stage 1 as the app runs it on PostgreSQL (DATABASE_URL, an empty "
        "database; the claims it stores are rolled back)",
    )
    args = parser.parse_args()

    vclaims, queries, qrels = load(args.mirror, args.split)
    queries = {q: t for q, t in queries.items() if q in qrels}
    print(f"{args.split}: {len(queries)} tweets, {len(vclaims)} verified claims")
    rows = []
    if not args.no_bm25:
        started = time.perf_counter()
        run = bm25_run(vclaims, queries)
        ms = (time.perf_counter() - started) * 1000 / len(queries)
        rows.append(("bm25 (rank_bm25)", map_at(run, qrels), recall_at(run, qrels), ms))
        print(rows[-1], flush=True)
    started = time.perf_counter()
    cand, idf = candidate_run(vclaims, queries)
    ms = (time.perf_counter() - started) * 1000 / len(queries)
    rows.append(("candidates (stage 1)", map_at(cand, qrels), recall_at(cand, qrels), ms))
    if args.embedded:
        app = similarity.idf_table(
            [similarity.terms(t) for t in list(vclaims.values())[-args.idf_sample :]], size=1000
        )
        for name, weights in (("embedded, unweighted", {}), ("embedded, weighted", app)):
            run, _ = candidate_run(vclaims, queries, weights, k=2 * CANDIDATES)
            rows.append((name, map_at(run, qrels), recall_at(run, qrels), 0.0))
            ranked, rerank_ms = rerank_run("lexical-app", run, vclaims, queries, app)
            rows.append((f"{name} + lexical-app", map_at(ranked, qrels), None, rerank_ms))
    if args.postgres:
        for name, (run, ms) in postgres_runs(vclaims, queries).items():
            rows.append((name, map_at(run, qrels), recall_at(run, qrels), ms))
            print(rows[-1], flush=True)
            ranked, rerank_ms = rerank_run("lexical", run, vclaims, queries, idf)
            rows.append((f"{name} + lexical", map_at(ranked, qrels), None, ms + rerank_ms))
            print(rows[-1], flush=True)
    for name in [n.strip() for n in args.rerankers.split(",") if n.strip()]:
        before = rss_mb()
        table = idf
        if name == "lexical-app":
            table = similarity.idf_table(
                [similarity.terms(t) for t in list(vclaims.values())[-args.idf_sample :]]
            )
        run, ms = rerank_run(name, cand, vclaims, queries, table)
        for t in [float(t) for t in args.thresholds.split(",") if t.strip()]:
            made, precision, recall = suggestions(run, qrels, t)
            print(
                f"  {name} at {t:.2f}: {made} suggestions, precision {precision:.3f}, "
                f"recall {recall:.3f}"
            )
        rows.append((f"re-ranker: {name}", map_at(run, qrels), None, ms))
        print(rows[-1], flush=True)
        print(f"  {name}: peak RSS {rss_mb():.0f} MB (+{rss_mb() - before:.0f} MB)")
    print(f"{'system':<24} {'MAP@5':>6} {'R@50':>6} {'ms/claim':>9}")
    for name, m, r, ms in rows:
        recall = f"{r:.3f}" if r is not None else "-"
        print(f"{name:<24} {m:6.3f} {recall:>6} {ms:9.1f}")
    print(f"pid {os.getpid()} peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
