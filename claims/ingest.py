"""Getting article text out of an uploaded file or a URL.

HTML is reduced to the article's text by trafilatura, a maintained extractor
(never a hand-written tag stripper). URLs are fetched with a time and size
limit, and only from public addresses unless INGEST_ALLOW_PRIVATE_URLS is on:
a pasted link must not make the server reach into the newsroom's own network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests
import trafilatura
from django.conf import settings

from claims import analysis

TEXT_TYPES = {".txt": "text", ".md": "text", ".markdown": "text", ".html": "html", ".htm": "html"}
MAX_REDIRECTS = 3


class IngestError(ValueError):
    """Input that cannot become an article; the message is for the user."""


def text_from_upload(upload, *, max_bytes: int) -> str:
    """Text of an uploaded .txt, .md or .html file (a Django UploadedFile)."""
    name = getattr(upload, "name", "") or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    kind = TEXT_TYPES.get(suffix)
    if kind is None:
        raise IngestError(f"Unsupported file type {suffix or '(none)'}: use .txt, .md or .html.")
    if getattr(upload, "size", 0) and upload.size > max_bytes * 4:
        raise IngestError(f"The file is {upload.size:,} bytes, too large to be an article.")
    data = upload.read(max_bytes * 4 + 1)
    return html_to_text(_decode(data)) if kind == "html" else _decode(data)


def _decode(data: bytes) -> str:
    try:
        return analysis.decode_input(data)
    except analysis.InputError as exc:
        raise IngestError(f"The file cannot be read as an article: {exc}.") from None


def html_to_text(html: str) -> str:
    """The article text of an HTML page; scripts, navigation and markup dropped."""
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text or not text.strip():
        raise IngestError("No article text was found in the HTML.")
    title = trafilatura.extract_metadata(html)
    heading = title.title if title is not None and title.title else None
    return f"{heading}\n\n{text}" if heading and not text.startswith(heading) else text


def text_from_url(url: str) -> str:
    """Fetch a page and return its article text."""
    response = _fetch(url)
    content_type = response.headers.get("Content-Type", "").lower()
    body = _read_limited(response)
    if "html" in content_type or body.lstrip()[:1] == b"<":
        return html_to_text(_decode(body))
    if content_type.startswith("text/") or not content_type:
        return _decode(body)
    raise IngestError(f"The URL returned {content_type.split(';')[0]}, not an article.")


def _fetch(url: str) -> requests.Response:
    for _ in range(MAX_REDIRECTS + 1):
        _check_url(url)
        try:
            response = requests.get(
                url,
                timeout=settings.INGEST_URL_TIMEOUT,
                stream=True,
                allow_redirects=False,  # each hop is checked before it is followed
                headers={"User-Agent": "claim-tracker/1.0 (newsroom fact-checking)"},
            )
        except requests.Timeout:
            raise IngestError(
                f"The URL did not answer within {settings.INGEST_URL_TIMEOUT:g} s."
            ) from None
        except requests.RequestException as exc:
            raise IngestError(f"The URL could not be fetched: {type(exc).__name__}.") from None
        if response.is_redirect:
            url = urljoin(url, response.headers.get("Location", ""))
            response.close()
            continue
        if response.status_code >= 400:
            response.close()
            raise IngestError(f"The URL returned HTTP {response.status_code}.")
        return response
    raise IngestError("The URL redirected too many times.")


def _read_limited(response: requests.Response) -> bytes:
    limit = settings.INGEST_URL_MAX_BYTES
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise IngestError(f"The page is larger than {limit:,} bytes.")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise IngestError(f"The URL could not be read: {type(exc).__name__}.") from None
    finally:
        response.close()
    return b"".join(chunks)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IngestError("Only http:// and https:// URLs can be fetched.")
    if settings.INGEST_ALLOW_PRIVATE_URLS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise IngestError(f"The host {parts.hostname} could not be found.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise IngestError(
                f"The URL points to a private or local address ({address}), which is not allowed."
            )
