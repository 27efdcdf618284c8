"""Real published pages through URL ingest and the engine: trafilatura's own
evaluation set (~990 pages, many of them news articles) served over HTTP and
added by URL as a newsroom adds them.

    .venv/bin/python bench/realpages.py /work/.mirror/adbar+trafilatura/repo
    .venv/bin/python bench/realpages.py MIRROR --no-engine      # extraction figures only
    .venv/bin/python bench/realpages.py MIRROR --json out.json  # every page, for reading

MIRROR is a clone (bare or not) of https://github.com/adbar/trafilatura; the pages
(tests/eval/*.html) and their expectations (tests/evaldata.json) are read from it
with git (``--rev``, default HEAD) into ``--pages`` (default ./pages, ignored by
git), so it runs on a fresh machine.

Each page is served by a local HTTP server with a real Content-Type: every other
page says ``text/html`` alone, the others add the charset the page declares in its
<meta> (or utf-8 when its bytes are UTF-8, none otherwise), as servers do. The page
is fetched with ``text_from_url`` (the app's own fetch, decoding and extraction;
the only change is that private addresses are allowed, for 127.0.0.1), checked as
an article is (``checked_text``), and analysed by the engine. Reported:

* pages refused and why (IngestError messages), crashes (any other exception: must
  be 0), time per page (fetch and extraction, engine) p50/p99/max;
* claims per page, claims that hold boilerplate markers ("Sign up for our
  newsletter", "Photo: Getty Images", "All rights reserved", ...);
* titles: empty, carrying a site name ("Headline | Site", "Headline - Site"), equal
  to the one evaldata.json expects;
* on the English pages: recall of evaldata.json's "with" snippets in our text and
  leakage of its "without" snippets.

No database, broker or network beyond 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import traceback
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Boilerplate that a claim should never hold: page furniture, not a proposition.
BOILERPLATE = re.compile(
    r"\b(?:cookies?|subscribe|subscription|newsletter|sign up|sign in|log in|"
    r"all rights reserved|advertisement|advertising|sponsored|share this|share on|"
    r"read more|click here|follow us|related articles?|related stories|photo credit|"
    r"getty images|shutterstock|\(photo|photo:|image:|credit:|reuters/|ap photo|"
    r"comments?\b|terms of (?:use|service)|privacy policy|javascript|your browser|"
    r"copyright|\u00a9)",
    re.IGNORECASE,
)
# "Headline | Site", "Headline - Site", "Headline — Site", "Site :: Headline"
SEPARATOR = r"\s(?:\||-|\u2013|\u2014|::|\u00b7|\u00bb|\u2022)\s"
SITE_SUFFIX = re.compile(SEPARATOR + r"+\S")
_WORDS = "the a an of to in and is are was were that this for on with as by at from it be has"
ENGLISH_WORDS = set((_WORDS + " have had not but or which who will would said they their").split())


def english(entry: dict, html: bytes) -> bool:
    """An English page: its <html lang> says so, or its expected snippets are English
    by their function words (evaldata.json keeps no language)."""
    lang = re.search(rb"<html[^>]*\blang\s*=\s*[\"']?([a-zA-Z]{2})", html[:4096])
    if lang:
        return lang.group(1).lower() == b"en"
    words = re.findall(r"[a-z]+", " ".join(entry.get("with", [])).lower())
    return len(words) >= 8 and sum(w in ENGLISH_WORDS for w in words) / len(words) > 0.15


def extract_pages(mirror: str, rev: str, folder: Path) -> dict:
    """The pages and evaldata.json from the mirror, with git (a bare clone works)."""
    folder.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", mirror]
    data = json.loads(
        subprocess.run(
            [*git, "show", f"{rev}:tests/evaldata.json"], check=True, capture_output=True
        ).stdout
    )
    archive = subprocess.run(
        [*git, "archive", "--format=tar", rev, "tests/eval"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                (folder / Path(member.name).name).write_bytes(tar.extractfile(member).read())
    return data


def content_type(i: int, body: bytes) -> str:
    """Every other page without a charset; the rest with the one it declares."""
    if i % 2 == 0:
        return "text/html"
    from claims.ingest import _META_CHARSET

    found = _META_CHARSET.search(body[:8192])
    if found:
        return f"text/html; charset={found.group(1).decode('ascii', 'replace')}"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "text/html"
    return "text/html; charset=utf-8"


def serve(folder: Path, types: dict[str, str]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            name = unquote(self.path.lstrip("/"))
            path = folder / name
            if name not in types or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", types[name])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def squash(text: str) -> str:
    return " ".join(text.split())


def one_page(url: str, entry: dict, is_english: bool, engine: bool) -> dict:
    from claims import analysis
    from claims.ingest import IngestError, article_fields, checked_text, text_from_url

    row = {"file": entry["file"], "english": is_english}
    start = time.perf_counter()
    try:
        text = checked_text(text_from_url(url))
    except IngestError as exc:
        row["refused"] = str(exc)
        return row
    except Exception:
        row["crash"] = traceback.format_exc(limit=4)
        return row
    row["fetch_s"] = time.perf_counter() - start
    row["title"] = article_fields(text)["title"]
    row["expected_title"] = entry.get("title")
    flat = squash(text)
    row["missing"] = [s for s in entry.get("with", []) if squash(s) not in flat]
    row["leaked"] = [s for s in entry.get("without", []) if squash(s) and squash(s) in flat]
    row["n_with"], row["n_without"] = len(entry.get("with", [])), len(entry.get("without", []))
    row["chars"] = len(text)
    row["text"] = text
    if engine:
        start = time.perf_counter()
        try:
            result = analysis.analyze(text)
        except Exception:
            row["crash"] = traceback.format_exc(limit=6)
            return row
        row["engine_s"] = time.perf_counter() - start
        row["claims"] = [c.text for c in result.claims]
        row["boilerplate_claims"] = [c.text for c in result.claims if BOILERPLATE.search(c.text)]
    return row


def same(title: str, expected: str) -> bool:
    """Equal but for spacing and case (some sites capitalise titles in CSS)."""
    return squash(title).casefold() == squash(expected).casefold()


def extra_part(title: str, expected: str) -> bool:
    """The expected title with a part beyond a separator: "Headline | Site"."""
    title, expected = squash(title).casefold(), squash(expected).casefold()
    if not expected or title == expected:
        return False
    if title.startswith(expected):
        return bool(re.match(SEPARATOR + r"\s*\S", title[len(expected) :]))
    return title.endswith(expected) and bool(
        re.search(r"\S\s*" + SEPARATOR + "$", title[: -len(expected)])
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def report(rows: list[dict], engine: bool) -> dict:
    done = [r for r in rows if "refused" not in r and "crash" not in r]
    eng = [r for r in done if r["english"]]
    titles = [r["title"] for r in done]
    expected = [r for r in done if r.get("expected_title")]
    out = {
        "pages": len(rows),
        "english": sum(r["english"] for r in rows),
        "refused": len([r for r in rows if "refused" in r]),
        "refused_why": dict(Counter(r["refused"] for r in rows if "refused" in r)),
        "crashes": len([r for r in rows if "crash" in r]),
        "fetch_s": [round(pct([r["fetch_s"] for r in done], q), 3) for q in (0.5, 0.99, 1.0)],
        "titles_empty": sum(not t for t in titles),
        "titles_with_separator": sum(bool(SITE_SUFFIX.search(t)) for t in titles),
        # The expected title (evaldata.json) and more around it: "Headline | Site".
        "titles_with_extra_part": sum(
            extra_part(r["title"], r["expected_title"]) for r in expected
        ),
        "titles_as_expected": f"{sum(same(r['title'], r['expected_title']) for r in expected)}"
        f"/{len(expected)}",
        "english_with_recall": round(
            1 - sum(len(r["missing"]) for r in eng) / max(1, sum(r["n_with"] for r in eng)), 4
        ),
        "english_without_leakage": round(
            sum(len(r["leaked"]) for r in eng) / max(1, sum(r["n_without"] for r in eng)), 4
        ),
        "english_pages_all_with_found": sum(not r["missing"] for r in eng),
        "english_pages_ingested": len(eng),
    }
    if engine:
        analysed = [r for r in done if "engine_s" in r]
        claims = [len(r["claims"]) for r in analysed]
        bad = [c for r in analysed for c in r["boilerplate_claims"]]
        out |= {
            "engine_s": [
                round(pct([r["engine_s"] for r in analysed], q), 3) for q in (0.5, 0.99, 1.0)
            ],
            "claims_per_page": [
                round(statistics.mean(claims), 1) if claims else 0,
                pct(claims, 0.5),
                pct(claims, 1.0),
            ],
            "claims": sum(claims),
            "pages_without_claims": sum(not c for c in claims),
            "boilerplate_claims": len(bad),
            "boilerplate_markers": dict(
                Counter(BOILERPLATE.search(c).group().lower() for c in bad).most_common(15)
            ),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", help="a clone of github.com/adbar/trafilatura (bare is fine)")
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--pages", type=Path, default=ROOT / "pages")
    parser.add_argument("--no-engine", action="store_true", help="extraction figures only")
    parser.add_argument("--english", action="store_true", help="only the English pages")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every page's row here")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django
    from django.conf import settings

    django.setup()
    # trafilatura's "discarding data" warnings would be mixed into the report.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    # 127.0.0.1 only: the one place this is allowed (URL ingest refuses private
    # addresses by default).
    settings.INGEST_ALLOW_PRIVATE_URLS = True

    data = extract_pages(args.mirror, args.rev, args.pages)
    entries = [e for e in data.values() if (args.pages / e["file"]).is_file()]
    entries.sort(key=lambda e: e["file"])
    bodies = {e["file"]: (args.pages / e["file"]).read_bytes() for e in entries}
    flags = {e["file"]: english(e, bodies[e["file"]]) for e in entries}
    if args.english:
        entries = [e for e in entries if flags[e["file"]]]
    if args.limit:
        entries = entries[: args.limit]
    types = {e["file"]: content_type(i, bodies[e["file"]]) for i, e in enumerate(entries)}
    httpd, base = serve(args.pages, types)
    rows = []
    try:
        if not args.no_engine:
            from claims.analysis.nlp import get_nlp

            get_nlp()  # loaded once, outside the timings
        for i, entry in enumerate(entries):
            url = f"{base}/{quote(entry['file'])}"
            rows.append(one_page(url, entry, flags[entry["file"]], not args.no_engine))
            if (i + 1) % 100 == 0:
                print(f"  {i + 1}/{len(entries)}", file=sys.stderr)
    finally:
        httpd.shutdown()
        httpd.server_close()
    summary = report(rows, not args.no_engine)
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    for r in rows:
        if "crash" in r:
            print(f"CRASH {r['file']}\n{r['crash']}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
