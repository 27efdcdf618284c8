"""A request body over REQUEST_BODY_MAX_BYTES is refused (413) from its headers,
before anything reads it: Django streams uploaded files to disk whatever their
size, and the CSRF check reads a POST's whole form, files included, before any
login check, so without the limit an anonymous client made the server write as
much as it sent (300 MB in 5 s over gunicorn). Over real HTTP (live_server), with
a raw socket that declares a large body and sends only its start: the answer must
come without the rest."""

from __future__ import annotations

import json
import socket

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

BOUNDARY = "b0undary"
CSRF_COOKIE = "a" * 32


def post_declaring(live_server, path: str, declared: int) -> tuple[int, bytes]:
    """POST ``path`` declaring a multipart body of ``declared`` bytes, send 64 KiB
    of it, and return the status and body of the answer (within 10 s)."""
    host, port = live_server.thread.host, live_server.thread.port
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {declared}\r\nConnection: close\r\n"
        # A CSRF cookie, as any client gets from the login page: with it, the CSRF
        # check reads the form (the upload too) to find the token.
        f"Cookie: csrftoken={CSRF_COOKIE}\r\n\r\n"
    ).encode()
    start = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + b"A" * 65536
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + start)
        answer = b""
        while b"\r\n\r\n" not in answer or not _complete(answer):
            chunk = sock.recv(65536)  # socket.timeout here: the server waits for the body
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _complete(answer: bytes) -> bool:
    headers, _, body = answer.partition(b"\r\n\r\n")
    for line in headers.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


@pytest.mark.parametrize("path", ["/accounts/login/", "/articles/new/", "/claims/1/comments/"])
def test_a_huge_upload_to_a_page_is_refused_before_it_is_read(live_server, settings, path):
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    status, body = post_declaring(live_server, path, 5 * 1024**3)  # 5 GiB declared
    assert status == 413
    assert b"larger than the limit of 1,000,000 bytes" in body


def test_a_huge_upload_to_the_api_is_a_413_in_the_error_shape(live_server, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    status, body = post_declaring(live_server, "/api/v1/factchecks/import/", 5 * 1024**3)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def test_the_default_limit_lets_a_fact_check_import_file_through(settings):
    """The default is above the largest upload the app reads."""
    assert settings.REQUEST_BODY_MAX_BYTES > settings.FACTCHECK_IMPORT_MAX_BYTES
    assert settings.REQUEST_BODY_MAX_BYTES > 4 * settings.INGEST_MAX_BYTES


def test_a_body_within_the_limit_is_read_as_before(live_server, settings):
    """Under the limit nothing changes: the login page's CSRF check reads the form
    (and refuses it, having no token)."""
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    host, port = live_server.thread.host, live_server.thread.port
    body = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--{BOUNDARY}--\r\n"
    request = (
        f"POST /accounts/login/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        answer = sock.recv(65536)
    assert answer.split()[1] == b"403"  # CSRF, as before


def post_head(live_server, path: str, declared: int, extra: str = "") -> tuple[int, bytes, bytes]:
    """As post_declaring, with the answer's headers too."""
    host, port = live_server.thread.host, live_server.thread.port
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {declared}\r\nConnection: close\r\n{extra}\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + f"--{BOUNDARY}\r\n".encode())
        answer = b""
        while not _complete(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    headers, _, body = answer.partition(b"\r\n\r\n")
    return int(headers.split()[1]), headers.lower(), body


def test_a_person_whose_upload_is_too_large_gets_a_page_that_says_so(live_server, settings):
    """A person in a browser (the new-article form's file) gets an HTML page in
    words they know (the file, its size in MB, the limit), that nothing was kept,
    and a way back to the form; not a line of plain text about a request body."""
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    status, headers, body = post_head(live_server, "/articles/new/", 30 * 1024**2)
    page = body.decode()
    assert status == 413
    assert b"content-type: text/html" in headers
    assert "<title>" in page and "too large" in page
    assert "30.0 MB" in page and "1.0 MB" in page  # what they sent, what fits
    assert 'href="/articles/new/"' in page  # back to the form


def test_an_htmx_request_too_large_gets_a_fragment(live_server, settings):
    """htmx swaps a 4xx answer into the page (base.html's htmx-config): a fragment,
    not a whole page inside the form."""
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    status, headers, body = post_head(
        live_server, "/claims/1/comments/", 5 * 1024**2, "HX-Request: true\r\n"
    )
    assert status == 413 and b"content-type: text/html" in headers
    assert b"<html" not in body and b"too large" in body


@pytest.mark.parametrize("path", ["/articles/new/", "/api/v1/factchecks/import/"])
def test_the_413_has_the_security_headers_of_every_answer(client, settings, path):
    """The 413 was made before SecurityMiddleware and the Content-Security-Policy
    middleware ran, so it went out without their headers (nosniff, the policy), an
    HTML page among them. Neither reads the body: the limit can come after them."""
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    response = client.post(path, CONTENT_LENGTH=str(50 * 1024**2))
    assert response.status_code == 413
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x"])
def test_the_413_page_leads_back_to_this_site_only(client, settings, path):
    """The page's way back was the request's path as it came: a form posted (by
    another site's page) to //evil.example/x (gunicorn keeps the two slashes) gave
    a link to that site."""
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    response = client.post("/", PATH_INFO=path, CONTENT_LENGTH=str(30 * 1024**2))
    page = response.content.decode()
    assert response.status_code == 413 and "too large" in page
    assert 'href="/">open the form again' in page
    assert "evil.example" not in page
