"""What the README's commands leave in the checkout stays out of git."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# `celery -A tracker beat`, run from the project root as the README says, keeps its
# schedule in a shelve named by beat_schedule_filename (default "celerybeat-schedule")
# in the current directory; the dbm module behind shelve adds one of these endings.
BEAT_FILES = [
    "celerybeat-schedule",
    "celerybeat-schedule.db",
    "celerybeat-schedule.bak",
    "celerybeat-schedule.dat",
    "celerybeat-schedule.dir",
]


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout"
)
def test_the_beat_schedule_files_are_ignored():
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *BEAT_FILES],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert sorted(result.stdout.split()) == sorted(BEAT_FILES)
