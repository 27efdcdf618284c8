"""Diagnostics for the check-worthiness model on CLEF 2019 CheckThat! Task 1 (training split).

    python bench/checkworthiness_study.py \\
        --repo /work/.mirror/apepa+clef2019-factchecking-task1/repo/.git

Reads only ``data/training`` through ``fit_checkworthiness`` (same documents, claims,
features, labels and scoring; nothing is copied, nothing is written). It answers the
questions to ask before changing the model:

* coverage: check-worthy lines that get no claim (-1) or only a rule-layer claim (0.02);
* fit: leave-one-transcript-out (LOTO) MAP next to in-sample MAP over a grid of L2
  penalties (a large gap would mean overfitting), and each MAP over the random baseline
  (AP of a random ranking is about the share of check-worthy lines, which differs a lot
  between transcripts and splits, so MAP figures of different splits compare only so);
* features: LOTO MAP with each feature group left out, as a paired difference over the
  transcripts with its standard error and the number of transcripts that gain.

Differences within about two standard errors (roughly +-0.01 MAP here) are noise.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter

import numpy as np
from fit_checkworthiness import (
    as_weights,
    average_precision,
    cross_validate,
    feature_names,
    fit,
    kinds,
    load,
    matrix,
    transcript,
    transcript_ap,
)

L2_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0)
GROUPS = {
    "pos shares": lambda n: n.endswith("_share") and n != "claim_share",
    "entities": lambda n: n.startswith("ent_"),
    "kinds": lambda n: n.startswith("kind_"),
    "person": lambda n: n in {"first_singular", "first_plural", "second_person", "third_person"},
    "claim lexicon": lambda n: n in {"claim_noun", "claim_verb", "record"},
    "tense, modality": lambda n: n in {"past", "present", "perfect", "future", "modal", "promise"},
    "length": lambda n: n in {"length", "short", "long"},
    "numbers": lambda n: n in {"number", "numbers", "claim_number"},
    "other": lambda n: (
        n in {"negation", "stance_verb", "interjection", "comparative", "superlative", "reported"}
    ),
}


def coverage(data: list[dict]) -> None:
    no_claim = held = 0
    by_rule: Counter[str] = Counter()
    for t in data:
        best: dict[int, dict] = {}
        for c in t["claims"]:
            for i in c["lines"]:
                if i not in best or kinds.checkworthiness(c["features"]) > kinds.checkworthiness(
                    best[i]["features"]
                ):
                    best[i] = c
        for i, label in enumerate(t["labels"]):
            if not label:
                continue
            if i not in best:
                no_claim += 1
                continue
            rules = [r for r in kinds.RULES if best[i]["features"].get(r)]
            if rules:
                held += 1
                by_rule[rules[0]] += 1
    total = sum(sum(t["labels"]) for t in data)
    print(f"check-worthy lines: {total}; no claim: {no_claim}; held by the rule layer: {held}")
    for rule, n in by_rule.most_common():
        print(f"  {rule:<18} {n}")


def insample_map(data: list[dict], names: list[str], l2: float) -> float:
    model = as_weights(*fit(*matrix(data, names), l2), names)
    aps = [transcript_ap(t, lambda c: kinds.checkworthiness(c["features"], model)) for t in data]
    return float(np.mean(aps))


def random_map(data: list[dict], draws: int = 20) -> float:
    """Mean over draws of the MAP of a random ranking (seeded, reproducible)."""
    rng = np.random.default_rng(0)
    maps = []
    for _ in range(draws):
        aps = [average_precision(t["labels"], list(rng.random(len(t["labels"])))) for t in data]
        maps.append(np.mean(aps))
    return float(np.mean(maps))


def paired(new: list[float], old: list[float]) -> str:
    d = np.array(new) - np.array(old)
    se = d.std(ddof=1) / math.sqrt(len(d))
    return f"diff={d.mean():+.4f} (se {se:.4f}), better on {int((d > 0).sum())}/{len(d)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", required=True, help="git dir of the CheckThat! 2019 mirror")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the ablations")
    args = ap.parse_args()
    data = [transcript(name, rows) for name, rows in load(args.repo)]
    names = feature_names(data)

    coverage(data)
    floor = random_map(data)
    print(f"\nrandom ranking MAP (mean of 20 seeded draws): {floor:.4f}")
    print("L2 grid: LOTO MAP, in-sample MAP, LOTO MAP / random")
    for l2 in L2_GRID:
        cv = float(np.mean(cross_validate(data, names, l2)))
        print(f"  l2={l2:<7g} loto={cv:.4f} in-sample={insample_map(data, names, l2):.4f} "
              f"lift={cv / floor:.2f}")  # fmt: skip

    base = cross_validate(data, names, args.l2)
    print(f"\nfeature groups left out (l2={args.l2:g}; all features: LOTO MAP {np.mean(base):.4f})")
    for group, member in GROUPS.items():
        kept = [n for n in names if not member(n)]
        if len(kept) == len(names):
            continue
        aps = cross_validate(data, kept, args.l2)
        print(f"  without {group:<16} loto={np.mean(aps):.4f} {paired(aps, base)}")


if __name__ == "__main__":
    main()
