"""tracker/wsgi.py freezes what a web process loads (tracker/gc_tuning.py): the
collector's full passes then walk only what requests made. Run in a fresh
interpreter, so the test process's own collector is left alone."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc
import tracker.wsgi
from claims.models import Claim
from claims.views import queue
seen = {id(o) for o in gc.get_objects()}  # the generations the collector walks
print(gc.get_freeze_count(), id(Claim) in seen, id(queue) in seen)
"""


def test_the_wsgi_app_freezes_what_the_import_and_the_views_made(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(TRACKER_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("CELERY_BROKER_URL", None)
    run = [sys.executable, "-c", PROBE]
    result = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, model_walked, view_walked = result.stdout.split()[-3:]
    # Django, the models and the views (the URLconf loads them before the freeze)
    # are out of the collector's generations: tens of thousands of objects.
    assert int(frozen) > 50_000
    assert model_walked == "False"
    assert view_walked == "False"
