"""Refit the check-worthiness model on CLEF 2019 CheckThat! Task 1 (training split).

    python bench/fit_checkworthiness.py \\
        --repo /work/.mirror/apepa+clef2019-factchecking-task1/repo/.git [--dry-run]

The data (Atanasova et al., CLEF 2019; https://github.com/apepa/clef2019-factchecking-task1)
is read from a git mirror with ``git show``, never copied. Only ``data/training`` is read:
``data/test_annotated`` is the held-out test set.

Each transcript becomes one document exactly as ``checkworthy_eval.py`` builds it (a title
line, one paragraph per speaker turn) and goes through the engine's extraction. Each claim
gets the engine's own features (recorded as ``pipeline._claims_of`` computes them) and the
label of the lines it overlaps (1 if any is check-worthy). A logistic regression (L2,
class-balanced, Newton's method: deterministic, no random seed involved) is fitted on all
claims and written to ``claims/analysis/lexicons/checkworthiness.json``.

Reported: MAP by leave-one-transcript-out cross-validation, scored as the official scorer
and the eval script do (a line's score is the highest check-worthiness of the claims that
overlap it, -1 with none; AP per transcript, ties in line order, then the mean), for the
new model and for the heuristic it replaces.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.analysis import kinds, pipeline  # noqa: E402

SPLIT = "data/training"


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", repo, *args], capture_output=True, check=True, text=True
    ).stdout


def load(repo: str):
    """(name, rows) per transcript; rows are (line, speaker, sentence, label)."""
    for path in sorted(git(repo, "ls-tree", "--name-only", "HEAD", SPLIT + "/").split()):
        if not path.endswith(".tsv"):
            continue
        rows = []
        for line in git(repo, "show", f"HEAD:{path}").splitlines():
            parts = line.split("\t")
            if len(parts) >= 4:
                rows.append((int(parts[0]), parts[1], parts[2], int(parts[3])))
        yield path.rsplit("/", 1)[-1], rows


def build(name: str, rows) -> tuple[str, list[tuple[int, int]]]:
    """The document and each line's span, as checkworthy_eval.py builds them."""
    parts, spans = [f"{name.rsplit('.', 1)[0]} transcript"], []
    pos, prev = len(parts[0]), None
    for _, speaker, sentence, _ in rows:
        sep = "\n\n" if speaker != prev else " "
        pos += len(sep)
        spans.append((pos, pos + len(sentence)))
        parts += [sep, sentence]
        pos += len(sentence)
        prev = speaker
    return "".join(parts), spans


# --- Claims and their features, as the engine computes them --------------------------


def old_heuristic(text: str, kind: str, labels: list[str]) -> float:
    """The hand-set score this model replaced (kinds.py before issue 9), for comparison."""
    score = 0.35 + {"quantity": 0.3, "event": 0.2, "statement": 0.1, "prediction": -0.05,
                    "opinion": -0.15}.get(kind, 0.0)  # fmt: skip
    score += min(sum(1 for label in labels if label in kinds.NAME_LABELS), 3) * 0.07
    if any(label in {"DATE", "TIME"} for label in labels):
        score += 0.05
    if len(text.split()) < 6:
        score -= 0.1
    return round(min(1.0, max(0.0, score)), 2)


def extract_with_features(text: str) -> list[tuple[object, dict, float]]:
    """(claim, features, old score) for each claim the engine keeps."""
    recorded: list[dict] = []
    by_claim: dict[int, tuple[dict, float]] = {}
    real_features, real_claims_of = kinds.claim_features, pipeline._claims_of

    def features_spy(*args, **kw):
        recorded.append(real_features(*args, **kw))
        return recorded[-1]

    def claims_spy(parsed, text):
        recorded.clear()
        claims = real_claims_of(parsed, text)
        for claim, feats in zip(claims, recorded, strict=True):
            labels = [lab for s, e, lab in parsed.entities if claim.start <= s and e <= claim.end]
            by_claim[id(claim)] = (feats, old_heuristic(claim.text, claim.kind, labels))
        return claims

    kinds.claim_features, pipeline._claims_of = features_spy, claims_spy
    try:
        claims = pipeline.extract(text).claims
    finally:
        kinds.claim_features, pipeline._claims_of = real_features, real_claims_of
    return [(c, *by_claim[id(c)]) for c in claims]


def overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indices of the line spans (sorted, disjoint) that overlap [start, end)."""
    i = max(0, bisect.bisect_right(spans, (start, math.inf)) - 1)
    out = []
    while i < len(spans) and spans[i][0] < end:
        if spans[i][1] > start:
            out.append(i)
        i += 1
    return out


def transcript(name: str, rows) -> dict:
    """Claims of one transcript with features, label and the lines they cover."""
    text, spans = build(name, rows)
    claims = []
    for claim, feats, old in extract_with_features(text):
        lines = overlapping(spans, claim.start, claim.end)
        label = max((rows[i][3] for i in lines), default=0)
        claims.append({"features": feats, "old": old, "lines": lines, "label": label})
    return {"name": name, "labels": [r[3] for r in rows], "claims": claims}


# --- The model ---------------------------------------------------------------------


def feature_names(data: list[dict]) -> list[str]:
    """Model features: all recorded ones but internals ("_words") and the rule layer."""
    names = {n for t in data for c in t["claims"] for n in c["features"]}
    return sorted(n for n in names if not n.startswith("_") and n not in kinds.RULES)


def matrix(data: list[dict], names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    claims = [c for t in data for c in t["claims"]]
    x = np.array([[c["features"].get(n, 0.0) for n in names] for c in claims])
    return x, np.array([c["label"] for c in claims], dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[float, np.ndarray]:
    """L2 logistic regression by Newton's method, each class weighted to half the
    total (check-worthy claims are ~3% of the data); the intercept is not penalised."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    pos = y.sum()
    sample = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * (len(y) - pos)))
    penalty = np.full(xb.shape[1], l2)
    penalty[0] = 0.0
    w = np.zeros(xb.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (sample * (p - y)) + penalty * w
        hess = (xb.T * (sample * p * (1 - p))) @ xb + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def as_weights(intercept: float, coef: np.ndarray, names: list[str]) -> dict:
    return {
        "intercept": round(intercept, 4),
        "weights": {n: round(float(c), 4) for n, c in zip(names, coef, strict=True)},
    }


# --- Scoring, as the official scorer ---------------------------------------------------


def average_precision(labels: list[int], scores: list[float]) -> float:
    order = sorted(range(len(labels)), key=lambda i: -scores[i])  # stable: ties in line order
    hits, total = 0, 0.0
    for k, i in enumerate(order, 1):
        if labels[i]:
            hits += 1
            total += hits / k
    return total / sum(labels) if sum(labels) else 0.0


def transcript_ap(t: dict, score) -> float:
    lines = [-1.0] * len(t["labels"])
    for c in t["claims"]:
        s = score(c)
        for i in c["lines"]:
            lines[i] = max(lines[i], s)
    return average_precision(t["labels"], lines)


def cross_validate(data: list[dict], names: list[str], l2: float) -> list[float]:
    """AP of each transcript scored by the model fitted on all the others."""
    aps = []
    for held in data:
        x, y = matrix([t for t in data if t is not held], names)
        weights = as_weights(*fit(x, y, l2), names)
        aps.append(
            transcript_ap(held, lambda c, w=weights: kinds.checkworthiness(c["features"], w))
        )
    return aps


# --- Main -----------------------------------------------------------------------------


def provenance(repo: str, data: list[dict], l2: float, cv: dict) -> dict:
    claims = [c for t in data for c in t["claims"]]
    return {
        "what": "check-worthiness of a claim: logistic regression over kinds.claim_features",
        "corpus": "CLEF 2019 CheckThat! Task 1, English debates and speeches "
        "(Atanasova et al. 2019), lines labelled 1 when factcheck.org checked them",
        "repository": "https://github.com/apepa/clef2019-factchecking-task1",
        "commit": git(repo, "rev-parse", "HEAD").strip(),
        "split": SPLIT,
        "transcripts": len(data),
        "lines": sum(len(t["labels"]) for t in data),
        "claims": len(claims),
        "checkworthy_claims": sum(c["label"] for c in claims),
        "fitted": datetime.date.today().isoformat(),
        "script": "bench/fit_checkworthiness.py --repo <mirror of the repository>/.git",
        "spacy_model": "{lang}_{name} {version}".format(**pipeline.get_nlp().meta),
        "l2": l2,
        "class_weight": "balanced",
        "rules": "kinds.RULES hold non-claims at kinds.NON_CLAIM_SCORE, before the model",
        "cv": cv,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", required=True, help="git dir of the CheckThat! 2019 mirror")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty (fixed before CV)")
    ap.add_argument("--out", default=str(kinds.WEIGHTS_PATH))
    ap.add_argument("--dry-run", action="store_true", help="report the CV, write nothing")
    args = ap.parse_args()
    data = [transcript(name, rows) for name, rows in load(args.repo)]
    names = feature_names(data)
    new = cross_validate(data, names, args.l2)
    old = [transcript_ap(t, lambda c: c["old"]) for t in data]
    for t, a_new, a_old in zip(data, new, old, strict=True):
        print(f"  {t['name']:<34} AP new={a_new:.4f} old={a_old:.4f}")
    cv = {
        "scheme": "leave-one-transcript-out over the training transcripts",
        "map": round(sum(new) / len(new), 4),
        "map_old_heuristic": round(sum(old) / len(old), 4),
    }
    print(
        f"leave-one-transcript-out MAP: new={cv['map']:.4f} "
        f"old heuristic={cv['map_old_heuristic']:.4f}"
    )
    weights = as_weights(*fit(*matrix(data, names), args.l2), names)
    for name, w in sorted(weights["weights"].items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:<16} {w:+.3f}")
    if not args.dry_run:
        out = {"about": provenance(args.repo, data, args.l2, cv), **weights}
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
