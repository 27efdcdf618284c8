"""What a bulk import reads: files, folders, URL lists, JSON Lines and stdin, as
a list of inputs (``BatchInput``), one per future article.

The whole list is made before anything is ingested, so the progress bar knows
its total (and its ETA means something), but a file's text is read only when its
turn comes (``BatchInput.load``): a folder of 1,000 articles is walked at once,
never held in memory at once. A line or a file that cannot be read becomes an
input that fails with the reason, so one bad line never stops the others.

How an argument is read:

* ``-``: stdin: JSON Lines if its first line that is not blank or a ``#``
  comment starts with ``{``; a URL list if every such line is an http(s) URL;
  otherwise the whole of it is one article's text (as ``manage.py analyze -``);
* ``http://...`` or ``https://...``: one URL;
* a folder: every .txt, .md and .html file under it (recursively, in name order;
  hidden files and folders and other types are skipped);
* a ``.jsonl``/``.ndjson`` file: JSON Lines; a ``.urls`` file: a URL list; a
  ``.txt`` file (or one without a suffix) whose every line is a URL or a comment:
  a URL list; any other .txt, .md or .html file: one article.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from claims.ingest import (
    TEXT_TYPES,
    IngestError,
    refuse_surrogates,
    text_from_bytes,
    text_from_path,
)

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
URL_LIST_SUFFIXES = {".urls"}
ITEM_KEYS = {"text", "url", "title"}
URL_PREFIXES = ("http://", "https://")


@dataclass(frozen=True)
class BatchInput:
    """One input: a file to read, a text, a URL, or the reason it cannot be one."""

    name: str  # a file path, a URL, or "list.jsonl:3" for a line
    path: Path | None = None
    text: str | None = None
    url: str | None = None
    title: str = ""
    error: str = ""

    def load(self) -> tuple[str | None, str | None]:
        """(text, url), one of them set; IngestError if the input is unusable."""
        if self.error:
            raise IngestError(self.error)
        if self.path is not None:
            try:
                return text_from_path(self.path, max_bytes=settings.INGEST_MAX_BYTES), None
            except OSError as exc:  # gone since the folder was walked, unreadable, ...
                raise IngestError(f"The file cannot be read: {exc.strerror or exc}.") from None
        return self.text, self.url


def batch_input_from_object(obj, *, name: str) -> BatchInput:
    """An input from a JSON object ``{"text": ...}`` or ``{"url": ...}``, with an
    optional ``"title"``; IngestError naming what is wrong with its shape. Shared
    by JSON Lines and the API, so both accept exactly the same items."""
    if not isinstance(obj, dict):
        raise IngestError(f"Expected an object with 'text' or 'url', got {_json_type(obj)}.")
    unknown = sorted(set(obj) - ITEM_KEYS)
    if unknown:
        raise IngestError(f"Unknown field(s) {', '.join(unknown)}: use text or url, and title.")
    given = [key for key in ("text", "url") if key in obj]
    if len(given) != 1:
        raise IngestError("Give exactly one of 'text' and 'url'.")
    for key in (*given, "title"):
        if key in obj and not isinstance(obj[key], str):
            raise IngestError(f"'{key}' must be a string, not {_json_type(obj[key])}.")
    title = obj.get("title", "")
    try:
        for key in (*given, "title"):
            refuse_surrogates(obj.get(key, ""), f"'{key}'")
    except IngestError as exc:  # the item fails alone, named without its unprintable URL
        return BatchInput(name=name, error=str(exc))
    if given == ["url"]:
        return BatchInput(name=obj["url"].strip() or name, url=obj["url"].strip(), title=title)
    return BatchInput(name=name, text=obj["text"], title=title)


def batch_inputs_read(*, sources: Sequence[str], stdin: BinaryIO | None = None) -> list[BatchInput]:
    """Every input named by the command's arguments, in order (see the module's doc)."""
    inputs: list[BatchInput] = []
    for source in sources:
        inputs.extend(_source_read(source, stdin))
    return inputs


def _source_read(source: str, stdin: BinaryIO | None) -> list[BatchInput]:
    if source == "-":
        return _stdin_read(stdin.read() if stdin is not None else b"")
    if source.lower().startswith(URL_PREFIXES):
        return [BatchInput(name=source, url=source)]
    path = Path(source)
    if path.is_dir():
        return [BatchInput(name=str(p), path=p) for p in _folder_files(path)]
    if not path.is_file():
        return [BatchInput(name=source, error="No such file or folder.")]
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES or suffix in URL_LIST_SUFFIXES:
        kind = "jsonl" if suffix in JSONL_SUFFIXES else "urls"
        return _list_read(path.read_bytes(), source, kind=kind)
    if suffix in ("", ".txt") and _is_url_list(path):
        return _list_read(path.read_bytes(), source, kind="urls")
    return [BatchInput(name=source, path=path)]


def _stdin_read(data: bytes) -> list[BatchInput]:
    """JSON Lines, a URL list, or one article's text (see the module's doc): an
    article piped in must not become one failed "URL" per line."""
    lines = [line for _, line in _content_lines(data)]
    if lines and lines[0].startswith(b"{"):
        return _list_read(data, "-", kind="jsonl")
    if lines and all(_looks_like_url(line) for line in lines):
        return _list_read(data, "-", kind="urls")
    if not data.strip():
        return []
    try:
        return [BatchInput(name="-", text=text_from_bytes(data))]
    except IngestError as exc:
        return [BatchInput(name="-", error=str(exc))]


def _folder_files(folder: Path) -> list[Path]:
    """The article files under ``folder``. os.walk does not follow symbolic links
    to folders, so a link loop cannot make the walk endless."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in TEXT_TYPES:
                found.append(Path(root) / name)
    return sorted(found)


def _is_url_list(path: Path) -> bool:
    """A .txt whose every line is a URL or a comment is a list, not an article (an
    article's first line is its headline). Only the first 64 KiB is looked at."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    lines = [line for _, line in _content_lines(head)]
    return bool(lines) and all(_looks_like_url(line) for line in lines)


def _looks_like_url(line: bytes) -> bool:
    return line.lower().startswith(tuple(p.encode() for p in URL_PREFIXES)) and b" " not in line


def _content_lines(data: bytes) -> Iterable[tuple[int, bytes]]:
    """(line number, stripped line) of the lines that are neither blank nor comments."""
    for number, line in enumerate(data.split(b"\n"), 1):
        line = line.strip()
        if line and not line.startswith(b"#"):
            yield number, line


def _list_read(data: bytes, origin: str, *, kind: str) -> list[BatchInput]:
    """A URL list (``kind`` "urls") or JSON Lines ("jsonl")."""
    inputs = []
    for number, raw in _content_lines(data):
        name = f"{origin}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            inputs.append(BatchInput(name=name, error="The line is not valid UTF-8."))
            continue
        if kind == "urls":
            inputs.append(BatchInput(name=line, url=line))
        else:
            inputs.append(_jsonl_input(line, name))
    return inputs


def _jsonl_input(line: str, name: str) -> BatchInput:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return BatchInput(name=name, error=f"The line is not valid JSON: {exc.msg}.")
    try:
        found = batch_input_from_object(obj, name=name)
    except IngestError as exc:
        return BatchInput(name=name, error=str(exc))
    if found.url is None:
        return found
    return BatchInput(name=f"{name} {found.url}", url=found.url, title=found.title)


def _json_type(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
