"""The shared scorer on the hand-annotated articles, held to the engine issue's bar."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
DEV_GOLD = sorted((Path(__file__).parent / "dev_gold").glob("*.json"))
BAR = {
    "recall": 0.95, "precision": 0.90, "source": 0.90, "type": 0.90, "strength": 0.90,
    "hedge_f1": 0.90, "level": 0.80, "level_near": 0.95, "metadata": 0.95, "offsets": 1.0,
}  # fmt: skip


def score(*gold: Path) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        str(SCORER),
        "-v",
        "--cmd",
        f"{sys.executable} manage.py analyze --json {{path}}",
    ]
    cmd += [arg for k, v in BAR.items() for arg in ("--require", f"{k}={v}")]
    cmd += [str(g) for g in gold]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not SCORER.exists(), reason="../shared/eval/score.py is not beside the project")
def test_shared_gold_articles_meet_the_bar():
    proc = score()
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not SCORER.exists() or not DEV_GOLD, reason="scorer or dev gold missing")
def test_our_own_held_out_articles_meet_the_bar():
    proc = score(*DEV_GOLD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
