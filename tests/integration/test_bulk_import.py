"""Bulk import on the real services: manage.py ingest --wait commits each article,
a separate Celery worker process analyses them, and the command follows the
analyses to the end. A second run creates nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/integration/test_bulk_import.py -q
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.models import AnalysisState, Article, Claim, ImportBatch

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
HEADLINES = [
    "Moscow hints at a change of course on Syria",
    "Kremlin denies talks with the opposition",
    "Damascus fighting spreads to the suburbs",
    "Envoy's visit ends without agreement",
]
SEED = (ROOT / "seeds" / "000_42d87ab533acdf14.txt").read_text(encoding="utf-8")


def folder_of_articles(root: Path, n: int) -> Path:
    """n distinct articles (the seed under another headline, with a different figure
    and name in each: with the same headline they would be versions of one story),
    nested one level, and one empty file that must fail alone."""
    body = SEED.split("\n", 1)[1].rstrip()
    for i in range(n):
        sub = root / f"day{i % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        extra = f"\n\nThe spokesman, Officer {i}, said {100 + i} people had been questioned.\n"
        text = HEADLINES[i] + "\n" + body + extra
        (sub / f"story{i}.txt").write_text(text, encoding="utf-8")
    (root / "empty.md").write_text("")
    return root


def test_a_folder_is_imported_and_analysed_on_a_worker(broker, worker, tmp_path):
    folder = folder_of_articles(tmp_path / "wires", 4)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 5 inputs failed") as raised:
        call_command("ingest", str(folder), wait=True, timeout=240, stdout=out)
    assert raised.value.returncode == 2  # the empty file failed; the rest was imported
    text = out.getvalue()
    batch = ImportBatch.objects.get()
    assert (batch.total, batch.created, batch.duplicates, batch.failed) == (5, 4, 0, 1)
    articles = Article.objects.all()
    assert articles.count() == 4
    assert set(articles.values_list("state", flat=True)) == {AnalysisState.ANALYZED}
    assert Claim.objects.filter(article__in=articles).count() >= 4 * 18
    # The worker, not this process, ran the analyses (the test's Celery is not eager).
    assert "analyze_article" in worker.output()
    assert "analysis: 4/4 done, 4 analysed, 0 failed, 0 pending" in text
    assert "created 4, duplicates 0, new versions 0, failed 1." in text

    again = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("ingest", str(folder), wait=True, timeout=30, stdout=again)
    assert raised.value.returncode == 2
    assert "created 0, duplicates 4, new versions 0, failed 1." in again.getvalue()
    assert Article.objects.count() == 4
