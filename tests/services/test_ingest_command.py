"""Bulk import: manage.py ingest over folders, URL lists, JSON Lines and stdin
(embedded mode: the fetch and the analysis run in-process after each commit),
and the batch it records. URLs are served by a real http.server on 127.0.0.1."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import struct
import termios
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.domain import content_hash
from claims.models import AnalysisState, Article, ImportBatch, ImportBatchItem
from claims.services import batch_create, batch_inputs_read, batch_items_ingest
from tests.factories import editor
from tests.services.conftest import MARKDOWN_ARTICLE, MARKDOWN_TITLE, Page

pytestmark = pytest.mark.django_db

HTML = (
    "<html><head><title>Bridges closed</title></head><body><nav>Home | News</nav>"
    "<article><h1>Bridges closed</h1><p>The mayor, Tom Lee, said on Tuesday that 12 bridges "
    "had been closed after the storm. Officials said as many as 300 drivers were stranded."
    "</p></article></body></html>"
)


def article_text(n: int) -> str:
    return (
        f"Report {n} on the harbour\n\n"
        f"PORTSMOUTH - The harbour master, Jo Smith, said on Friday that {n + 10} ships "
        f"had been delayed. Officials said about {n * 7} containers were stuck.\n"
    )


@pytest.fixture
def folder(tmp_path) -> Path:
    """Nested .txt/.md/.html articles, three broken files and two that are skipped."""
    root = tmp_path / "articles"
    (root / "desk" / "late").mkdir(parents=True)
    (root / "one.txt").write_text(article_text(1), encoding="utf-8")
    (root / "desk" / "two.md").write_text(article_text(2), encoding="utf-8")
    (root / "desk" / "late" / "three.html").write_text(HTML, encoding="utf-8")
    (root / "desk" / "late" / "four.txt").write_text(article_text(4), encoding="utf-8")
    (root / "bad-utf8.txt").write_bytes(b"Headline\n\nThe caf\xe9 said 3 people left.\n")
    (root / "binary.md").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (root / "empty.txt").write_text("  \n", encoding="utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")  # not an article type: skipped
    (root / ".hidden").mkdir()
    (root / ".hidden" / "draft.txt").write_text(article_text(9), encoding="utf-8")
    return root


def ingest(*args, stdin: bytes | None = None, status: int = 0, **options) -> str:
    """The command's output; ``status`` is the exit status it must end with (2: some
    inputs failed, signalled as Django does, by a CommandError with that returncode)."""
    out = io.StringIO()
    if stdin is not None:
        options["stdin"] = io.BytesIO(stdin)
    if status == 0:
        call_command("ingest", *map(str, args), stdout=out, **options)
        return out.getvalue()
    with pytest.raises(CommandError) as raised:
        call_command("ingest", *map(str, args), stdout=out, **options)
    assert raised.value.returncode == status, raised.value
    return out.getvalue()


def test_a_folder_is_imported_recursively_with_per_item_failures(folder, committed):
    with committed():
        out = ingest(folder, status=2)
    batch = ImportBatch.objects.get()
    assert (batch.total, batch.created, batch.duplicates, batch.failed) == (7, 4, 0, 3)
    assert batch.state == "done" and batch.kind == "command" and batch.finished_at
    items = {Path(i.name).name: i for i in ImportBatchItem.objects.filter(batch=batch)}
    assert set(items) == {
        "one.txt", "two.md", "three.html", "four.txt", "bad-utf8.txt", "binary.md", "empty.txt"
    }  # fmt: skip
    assert "not valid UTF-8" in items["bad-utf8.txt"].error
    assert "binary" in items["binary.md"].error
    assert "empty" in items["empty.txt"].error
    assert all(items[n].outcome == "failed" and items[n].article is None for n in
               ("bad-utf8.txt", "binary.md", "empty.txt"))  # fmt: skip
    created = Article.objects.filter(pk__in=[i.article_id for i in items.values() if i.article_id])
    assert created.count() == 4
    # The analysis ran on each new article (eagerly here, on the workers in real mode).
    assert set(created.values_list("state", flat=True)) == {AnalysisState.ANALYZED}
    html = items["three.html"].article
    assert html.title == "Bridges closed" and "Home | News" not in html.raw_text
    # The summary: counts, then every failure with its reason.
    assert "created 4, duplicates 0, new versions 0, failed 3." in out
    assert f"{folder / 'empty.txt'}: " in out and "not valid UTF-8" in out.split("Failed:")[1]


def test_a_second_run_creates_nothing(folder, committed):
    with committed():
        ingest(folder, status=2)
    articles = Article.objects.count()
    out = ingest(folder, status=2)
    second = ImportBatch.objects.latest("id")
    assert (second.created, second.duplicates, second.failed) == (0, 4, 3)
    assert Article.objects.count() == articles
    assert "created 0, duplicates 4, new versions 0, failed 3." in out
    # A duplicate points at the article it repeats.
    dup = ImportBatchItem.objects.get(batch=second, name__endswith="one.txt")
    first = ImportBatchItem.objects.exclude(batch=second).get(name__endswith="one.txt")
    assert dup.outcome == "duplicate" and dup.article_id == first.article_id


def test_dry_run_checks_everything_and_writes_nothing(folder, tmp_path):
    Article.objects.create(raw_text=article_text(1), content_hash=content_hash(article_text(1)))
    report = tmp_path / "dry.json"
    out = ingest(folder, dry_run=True, report=report, status=2)
    assert Article.objects.count() == 1 and not ImportBatch.objects.exists()
    assert (
        "Dry run, nothing written: 7 inputs; would create 3, 1 duplicate, 0 new versions, "
        "3 would fail." in out
    )
    assert "would create" in out and "would fail" in out
    summary = json.loads(report.read_text())
    assert summary["dry_run"] is True and summary["batch"] is None
    assert (summary["created"], summary["duplicates"], summary["failed"]) == (3, 1, 3)


def test_non_tty_output_is_one_plain_line_per_input(folder):
    out = ingest(folder, status=2)
    lines = out.splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == 7 and "\r" not in out and "\x1b" not in out
    assert progress[0].startswith("[1/7] ") and progress[-1].startswith("[7/7] ")
    assert all("/s, ETA " in line for line in progress)
    assert any(
        line.startswith("[") and " failed " in line and "empty.txt" in line for line in lines
    )


@pytest.fixture(params=[(30, 120), (0, 0), (0, 100)], ids=["sized", "no-size", "no-rows"])
def terminal(request):
    """A real pseudo-terminal: the command writes to its slave side (isatty() is
    true), a thread drains the master side so that a full buffer never blocks."""
    master, slave = pty.openpty()
    # A terminal's size; a new pseudo-terminal's is 0x0 (the bar then takes 100 columns).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *request.param, 0, 0))
    chunks: list[bytes] = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the slave side was closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out = os.fdopen(slave, "w", encoding="utf-8")

    def output() -> str:
        out.close()
        reader.join(10)
        os.close(master)
        return b"".join(chunks).decode("utf-8", errors="replace")

    out.output = output
    return out


def test_a_terminal_gets_a_progress_bar_with_rate_and_eta(folder, terminal):
    assert terminal.isatty()
    with pytest.raises(CommandError, match="3 of 7 inputs failed") as raised:
        call_command("ingest", str(folder), stdout=terminal)
    assert raised.value.returncode == 2
    text = terminal.output()
    assert "\r" in text and "7/7" in text and "article/s" in text
    assert "<00:00" in text  # tqdm's elapsed<remaining (ETA)
    assert not any(line.startswith("[1/7]") for line in text.splitlines())
    assert "empty.txt: failed: " in text  # failures are printed above the bar
    assert "created 4, duplicates 0, new versions 0, failed 3." in text


def test_report_file_has_totals_failures_and_every_item(folder, tmp_path):
    report = tmp_path / "report.json"
    ingest(folder, report=report, status=2)
    summary = json.loads(report.read_text())
    assert summary["batch"] == ImportBatch.objects.get().pk
    assert (summary["total"], summary["created"], summary["failed"]) == (7, 4, 3)
    assert {Path(f["name"]).name for f in summary["failures"]} == {
        "bad-utf8.txt", "binary.md", "empty.txt"
    }  # fmt: skip
    assert all(f["error"] for f in summary["failures"])
    assert len(summary["items"]) == 7 and summary["analysis"] is None


def test_wait_reports_the_analyses(folder, monkeypatch):
    # As outside a test transaction: each article's on-commit work runs at its commit.
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **kw: func())
    out = ingest(folder, wait=True, timeout=60, status=2)
    # Eager mode: each analysis ran as its article was committed.
    assert "analysis: 4/4 done, 4 analysed, 0 failed, 0 pending" in out
    assert "Analyses: 4 analysed, 0 failed, 0 pending." in out


def test_too_large_file_fails_alone(folder, settings):
    settings.INGEST_MAX_BYTES = 200
    (folder / "long.txt").write_text(article_text(5) + "More words. " * 40, encoding="utf-8")
    ingest(folder, status=2)
    item = ImportBatchItem.objects.get(name__endswith="long.txt")
    assert item.outcome == "failed" and "the limit is 200 bytes" in item.error
    assert ImportBatch.objects.get().created == 4


def test_jsonl_with_text_url_title_and_bad_lines(tmp_path, local_http, settings, committed):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/bridges"] = Page(HTML.encode())
    lines = [
        "# exported from the CMS",
        json.dumps({"text": article_text(11), "title": "Harbour delays, day 11"}),
        json.dumps({"url": local_http.url("/bridges")}),
        "{not json",
        json.dumps({"text": article_text(12), "url": "https://example.org/x"}),
        json.dumps({"body": "no text key"}),
        json.dumps(["a list"]),
        json.dumps({"text": ""}),
        json.dumps({"text": article_text(11)}),  # the same text again: a duplicate
    ]
    path = tmp_path / "cms.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with committed():
        ingest(path, status=2)
    batch = ImportBatch.objects.get()
    assert (batch.total, batch.created, batch.duplicates, batch.failed) == (8, 2, 1, 5)
    items = list(ImportBatchItem.objects.filter(batch=batch).order_by("position"))
    assert items[0].name == f"{path}:2" and items[0].article.title == "Harbour delays, day 11"
    fetched = Article.objects.get(source_url=local_http.url("/bridges"))
    assert fetched.state == AnalysisState.ANALYZED and "12 bridges" in fetched.raw_text
    assert local_http.hits == ["/bridges"]
    errors = {i.name.split(":")[-1]: i.error for i in items if i.outcome == "failed"}
    assert "not valid JSON" in errors["4"]
    assert "exactly one of 'text' and 'url'" in errors["5"]
    assert "Unknown field(s) body" in errors["6"]
    assert "got a list" in errors["7"]
    assert "empty" in errors["8"]
    assert items[-1].outcome == "duplicate" and items[-1].article_id == items[0].article_id


def test_url_list_from_stdin_and_a_second_run_fetches_nothing(local_http, settings, committed):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/a"] = Page(HTML.encode())
    local_http.pages["/b"] = Page(article_text(21).encode(), content_type="text/plain")
    listing = (
        f"# today's wires\n{local_http.url('/a')}\n\n{local_http.url('/b')}\n"
        f"{local_http.url('/missing')}\n"
    ).encode()
    with committed():
        ingest("-", stdin=listing)
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.duplicates, batch.failed) == (3, 0, 0)
    a, b = (
        Article.objects.get(source_url=local_http.url("/a")),
        Article.objects.get(source_url=local_http.url("/b")),
    )
    assert a.state == b.state == AnalysisState.ANALYZED
    # A page that is not there: the article is stored, its fetch failed with the reason.
    missing = Article.objects.get(source_url=local_http.url("/missing"))
    assert missing.state == AnalysisState.FAILED and "HTTP 404" in missing.error
    hits = len(local_http.hits)

    out = ingest("-", stdin=listing)
    again = ImportBatch.objects.latest("id")
    assert (again.created, again.duplicates, again.failed) == (0, 3, 0)
    assert len(local_http.hits) == hits  # known URLs are not fetched again
    assert "created 0, duplicates 3, new versions 0, failed 0." in out


def test_a_bad_line_of_a_url_list_fails_alone(tmp_path):
    path = tmp_path / "wires.urls"
    path.write_text("https://example.org/a\nftp://example.org/file\nnot a url\n")
    inputs = batch_inputs_read(sources=[str(path)])
    assert [i.url for i in inputs] == [
        "https://example.org/a", "ftp://example.org/file", "not a url"
    ]  # fmt: skip
    batch = batch_create(kind="command", source=str(path), total=len(inputs))
    batch_items_ingest(batch=batch, inputs=inputs[1:])
    bad = ImportBatchItem.objects.filter(outcome="failed").values_list("name", "error")
    assert {name for name, _ in bad} == {"ftp://example.org/file", "not a url"}
    assert all("Only http:// and https://" in error for _, error in bad)


def test_a_url_with_a_control_character_fails_its_line_alone(tmp_path):
    # A NUL reached PostgreSQL (which refuses it in text) from a URL list and
    # stopped the whole import at that line: only ingest errors fail an item alone.
    path = tmp_path / "wires.urls"
    path.write_bytes(b"https://example.org/a\x00b\nhttps://example.org/c\x7fd\n")
    inputs = batch_inputs_read(sources=[str(path)])
    batch = batch_create(kind="command", source=str(path), total=len(inputs))
    batch_items_ingest(batch=batch, inputs=inputs)
    bad = ImportBatchItem.objects.filter(outcome="failed").values_list("error", flat=True)
    assert len(bad) == 2 and all("control character" in error for error in bad)
    assert not Article.objects.exists()


def test_plain_text_on_stdin_is_one_article(committed):
    text = "Story\n\nThe mayor said 12 bridges closed.\n"
    with committed():
        out = ingest("-", stdin=text.encode())
    item = ImportBatchItem.objects.get()
    assert (item.name, item.outcome) == ("-", "created")
    assert item.article.raw_text == text and item.article.title == "Story"
    assert "Batch " in out and ": 1 input; created 1, duplicates 0" in out
    # Lines that look like a list, but not all URLs: still one text.
    mixed = b"Links of the day\n\nhttps://example.org/a\nThe mayor said 12 bridges closed.\n"
    ingest("-", stdin=mixed)
    assert ImportBatchItem.objects.latest("pk").outcome == "created"
    assert ImportBatchItem.objects.filter(outcome="failed").count() == 0


def test_stdin_that_is_not_text_fails_as_one_item():
    ingest("-", stdin=b"Headline\n\nThe caf\xe9 said 3 people left.\n", status=2)
    item = ImportBatchItem.objects.get()
    assert item.name == "-" and "not valid UTF-8" in item.error


def test_exit_status_is_2_when_an_item_fails_and_the_rest_are_imported(tmp_path):
    (tmp_path / "ok.txt").write_text(article_text(60), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match=r"^1 of 2 inputs would fail\.$") as raised:
        call_command("ingest", str(tmp_path), dry_run=True, stdout=io.StringIO())
    assert raised.value.returncode == 2 and not Article.objects.exists()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 of 2 inputs failed\.$") as raised:
        call_command("ingest", str(tmp_path), stdout=out)
    assert raised.value.returncode == 2
    assert Article.objects.count() == 1  # the good file was imported all the same
    assert "created 1, duplicates 0, new versions 0, failed 1." in out.getvalue()
    # Without failures: status 0, and the summary's counts of one are singular.
    (tmp_path / "empty.txt").unlink()
    dry = ingest(tmp_path, dry_run=True)
    assert (
        "Dry run, nothing written: 1 input; would create 0, 1 duplicate, 0 new versions, "
        "0 would fail." in dry
    )
    assert ": 1 input; created 0, duplicates 1, new versions 0, failed 0." in ingest(tmp_path)


def test_failed_analyses_make_wait_exit_2(local_http, settings, monkeypatch):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **kw: func())
    out = ingest(local_http.url("/missing"), wait=True, timeout=60, status=2)
    assert "Analyses: 0 analysed, 1 failed, 0 pending." in out
    assert ImportBatch.objects.get().failed == 0  # the item itself was stored


def test_a_txt_of_urls_is_a_list_and_a_single_url_argument_is_one_item(tmp_path):
    listing = tmp_path / "wires.txt"
    listing.write_text("https://example.org/a\n# note\nhttps://example.org/b\n")
    article = tmp_path / "story.txt"
    article.write_text(article_text(30))
    inputs = batch_inputs_read(
        sources=[str(listing), str(article), "https://example.org/c", str(tmp_path / "nope")]
    )
    assert [i.url for i in inputs] == [
        "https://example.org/a", "https://example.org/b", None, "https://example.org/c", None
    ]  # fmt: skip
    assert inputs[2].path == article and inputs[4].error == "No such file or folder."


def test_a_private_address_fails_the_item_only(tmp_path, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    path = tmp_path / "list.urls"
    path.write_text("http://127.0.0.1:9/x\n")
    (tmp_path / "ok.txt").write_text(article_text(40))
    ingest(path, tmp_path / "ok.txt", status=2)
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.failed) == (1, 1)
    assert "private or local address" in ImportBatchItem.objects.get(outcome="failed").error


def test_user_owns_the_batch_and_its_articles(folder):
    owner = editor()
    ingest(folder, user="editor", status=2)
    batch = ImportBatch.objects.get()
    assert batch.created_by == owner
    assert set(Article.objects.values_list("created_by", flat=True)) == {owner.pk}
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        ingest(folder, user="ghost")


def test_nothing_to_import_is_an_error(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(CommandError, match="Nothing to import"):
        ingest(tmp_path)


def test_stdin_with_json_lines_is_read_as_json_lines():
    lines = [json.dumps({"text": article_text(50)}), "", json.dumps({"text": article_text(51)})]
    out = ingest("-", stdin="\n".join(lines).encode())
    names = list(ImportBatchItem.objects.order_by("position").values_list("name", "outcome"))
    assert names == [("-:1", "created"), ("-:3", "created")]
    assert "created 2, duplicates 0, new versions 0, failed 0." in out


def test_a_file_gone_since_the_walk_fails_alone(folder):
    inputs = batch_inputs_read(sources=[str(folder)])
    (folder / "one.txt").unlink()
    batch = batch_create(kind="command", source=str(folder), total=len(inputs))
    batch_items_ingest(batch=batch, inputs=inputs)
    gone = ImportBatchItem.objects.get(name__endswith="one.txt")
    assert gone.outcome == "failed" and "The file cannot be read: No such file" in gone.error
    assert (batch.state, batch.created, batch.failed) == ("done", 3, 4)


def test_an_interrupted_import_says_how_far_it_got(folder):
    inputs = batch_inputs_read(sources=[str(folder)])
    batch = batch_create(kind="command", source=str(folder), total=len(inputs))

    def stop(result):
        if result.position == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch_items_ingest(batch=batch, inputs=inputs, on_item=stop)
    batch.refresh_from_db()
    assert batch.state == "interrupted" and batch.finished_at
    assert (batch.total, batch.processed) == (7, 2)


def story(ships: int, *, removed: bool = False) -> str:
    """A story with a full header (title, byline, publication, date), as wires send it."""
    tail = "" if removed else " The port authority said it could not confirm the cause."
    return (
        "Harbour delays grow after the storm\n\n"
        "  • Article by: JO SMITH\n  • Portsmouth Herald\n  • March 3, 2024 - 9:15 AM\n\n"
        f"PORTSMOUTH - The harbour master, Jo Smith, said on Friday that {ships} ships had "
        "been delayed by the storm. Officials said about 300 containers were stuck on the "
        f"quay, and the ferry company reportedly cancelled every crossing until Sunday.{tail}\n"
    )


def test_an_updated_story_is_a_new_version_not_a_duplicate(tmp_path, committed):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "story.txt").write_text(story(12), encoding="utf-8")
    (second / "story.txt").write_text(story(14, removed=True), encoding="utf-8")
    with committed():
        ingest(first)
    article = Article.objects.get()

    dry = ingest(second, dry_run=True)
    assert "new version" in dry and "0 new versions" not in dry
    assert Article.objects.count() == 1 and article.versions.count() == 0

    with committed():
        out = ingest(second)
    batch = ImportBatch.objects.latest("pk")
    assert (batch.created, batch.duplicates, batch.versions, batch.failed) == (0, 0, 1, 0)
    assert "new versions 1" in out
    item = ImportBatchItem.objects.get(batch=batch)
    assert item.outcome == "version" and item.article_id == article.pk
    article.refresh_from_db()
    assert article.version == 2 and Article.objects.count() == 1

    with committed():
        ingest(second)  # the same update again: nothing new
    batch = ImportBatch.objects.latest("pk")
    assert (batch.created, batch.duplicates, batch.versions) == (0, 1, 0)


def test_a_markdown_file_is_imported_as_plain_text(tmp_path):
    (tmp_path / "hospital.md").write_text(MARKDOWN_ARTICLE, encoding="utf-8")
    ingest(tmp_path)
    article = Article.objects.get()
    assert article.title == MARKDOWN_TITLE and article.publication == "Northern Herald"
    assert "*" not in article.raw_text and not article.raw_text.startswith("#")


def test_a_lone_surrogate_in_a_json_line_fails_that_line_alone(tmp_path):
    # JSON's "\ud83d" without its pair: text that cannot be encoded, in any field.
    lines = [
        json.dumps({"text": article_text(70)}),
        json.dumps({"text": "Surrogates\n\nThe mayor said \ud83d 12 bridges closed."}),
        json.dumps({"text": article_text(71), "title": "Harbour \udc00 delays"}),
        json.dumps({"url": "https://example.org/\ud800"}),
        json.dumps({"text": article_text(72)}),
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = ingest(path, wait=True, timeout=60, status=2)
    batch = ImportBatch.objects.get()
    assert batch.state == "done" and (batch.total, batch.created, batch.failed) == (5, 2, 3)
    items = list(ImportBatchItem.objects.filter(batch=batch).order_by("position"))
    assert [i.outcome for i in items] == ["created", "failed", "failed", "failed", "created"]
    assert [i.error for i in items[1:4]] == [
        "Surrogate characters are not allowed: U+D83D (in 'text').",
        "Surrogate characters are not allowed: U+DC00 (in 'title').",
        "Surrogate characters are not allowed: U+D800 (in 'url').",
    ]
    assert items[3].name == f"{path}:4"
    assert "created 2, duplicates 0, new versions 0, failed 3." in out


def test_a_page_s_source_in_json_lines_is_checked_as_it_is_imported(tmp_path, committed):
    """A {"text": ...} item holding a page's source becomes the page's article (as a
    pasted one does), so a dry run after it must call it a duplicate: it checked
    the tags instead and said it would create the article again."""
    path = tmp_path / "cms.jsonl"
    path.write_text(json.dumps({"text": "<!doctype html>" + HTML}) + "\n", encoding="utf-8")
    with committed():
        ingest(path)
    article = Article.objects.get()
    assert "12 bridges" in article.raw_text and "<" not in article.raw_text
    dry = ingest(path, dry_run=True)
    assert "would create 0, 1 duplicate" in dry, dry
    with committed():
        ingest(path)
    batch = ImportBatch.objects.latest("pk")
    assert (batch.created, batch.duplicates) == (0, 1) and Article.objects.count() == 1
