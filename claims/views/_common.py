"""What the dashboard's views share: who may read, htmx detection, safe redirects."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from claims import tasks
from claims.selectors import (
    Key,
    keyset_arms,
    keyset_order,
    keyset_position,
    keyset_token,
    keyset_untoken,
    keyset_value,
)
from claims.workflow import NotPermitted, StaleVersion, WorkflowError

PANEL_ID = "claim-panel"


def reader(view):
    """Logged in (else to the login page) and allowed to read claims (else 403):
    every dashboard page. Each view says so itself rather than a middleware, so
    /api/ (token auth) and /admin/ (its own login) are left alone."""
    checked = permission_required("claims.view_claim", raise_exception=True)(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return checked(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and not is_htmx(request):
            return redirect_to_login(request.get_full_path())
        return session_expired(request)

    return wrapped


SESSION_EXPIRED = "Your session expired: log in again."


def session_expired(request: HttpRequest) -> HttpResponse:
    """A form sent, or a part of a page asked for, without a session (it expired
    since the page was loaded): the login page as a whole page, then back to the
    page the user was on. Not a redirect to the login page answered in place: htmx
    swapped that whole page into the form's target, and its ``next`` was the
    POST-only URL, which a browser then asked for with GET (405)."""
    messages.warning(request, SESSION_EXPIRED)
    login = redirect_to_login(_page_of(request)).url
    if is_htmx(request):
        # htmx loads HX-Redirect as a full page, whatever the status.
        response = HttpResponse(SESSION_EXPIRED, status=401, content_type="text/plain")
        response["HX-Redirect"] = login
        return response
    return HttpResponseRedirect(login)


def _page_of(request: HttpRequest) -> str:
    """The page a request came from (htmx says which; a form sends its ``next``
    field or at least its Referer) if it is on this site, else the page the
    request's own URL belongs to; never a POST-only URL: /claims/<pk>/plan/
    stands for the claim page, a URL with no page of its own for the queue."""
    sent = (
        request.headers.get("HX-Current-URL"),
        request.POST.get("next"),
        request.headers.get("Referer"),
    )
    for url in sent:
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(url)
            page = _page_at(parts.path, parts.query)
            if page:
                return page
    return _page_at(request.path, "") or reverse("dashboard:queue")


def _page_at(path: str, query: str) -> str | None:
    """``path`` if it is a dashboard page, the page of a dashboard form's URL
    (named "<page>-<action>"), or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "dashboard":
        return None
    if "-" not in match.url_name:
        return path + (f"?{query}" if query else "")
    kwargs = {"pk": match.kwargs["pk"]} if "pk" in match.kwargs else {}
    try:
        return reverse(f"dashboard:{match.url_name.split('-')[0]}", kwargs=kwargs)
    except NoReverseMatch:
        return None


def embedded_mode() -> bool:
    """Whether tasks run in-process (the embedded mode: no broker, no worker and
    no Celery beat), so that nothing scheduled ever happens by itself: pages say
    so rather than promise a poll or a retry."""
    return tasks.embedded_mode()


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_panel(request: HttpRequest) -> bool:
    """An htmx request from the article page's side panel."""
    return is_htmx(request) and request.headers.get("HX-Target") == PANEL_ID


def status_for(exc: WorkflowError) -> int:
    """HTTP status of a refused change: the same codes as the API."""
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, StaleVersion):
        return 409
    return 400


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` field if it is a path of this site ("/..."), else ``default``.
    Never a bare word: redirect() would take "none" for a URL name (a 500), and a
    relative "x.y" would lead under the form's own URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def redirect_next(request: HttpRequest, default: str):
    return HttpResponseRedirect(safe_next(request, default))


def history_fresh(view):
    """Pages that change in place (htmx swaps) or from other pages: Back and
    Forward load them again. With only ``Vary: Cookie``, Chromium's history
    showed the copy it kept from before the change (a claim "Unstarted" after it
    was started, its new comment missing). never_cache's ``no-store`` is what
    makes Chromium ask again: ``private, no-cache, must-revalidate`` was not
    enough on history navigation (tests/browser/test_history_fresh.py)."""
    return never_cache(view)


def only_once(view):
    """No caching of pages that show a secret once (a new API key)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


# --- Keyset pages --------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One keyset page of a list (the queue, the articles): its rows, where it
    starts, and the tokens of the pages either side (None at an end)."""

    rows: list
    start: int  # 1-based index of the first row among all matching claims
    next: str | None
    previous: str | None

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1


def _cursor(request, keys: list[Key]) -> tuple[list | None, bool, int]:
    """The position, the direction and the index of the first row of the page
    asked for (?after= or ?before=); a forged or stale token is the first page."""
    for param, backwards in (("after", False), ("before", True)):
        token = request.GET.get(param)
        if not token:
            continue
        try:
            data = keyset_untoken(token)
            position = [keyset_value(k, v) for k, v in zip(keys, data["p"], strict=True)]
            start = data["i"]
            if isinstance(start, bool) or not isinstance(start, int) or start < 1:
                raise ValueError(start)
        except (ValueError, TypeError, KeyError):
            break
        return position, backwards, start
    return None, False, 1


def keyset_page(request, qs, keys: list[Key], size: int) -> KeysetPage:
    """The page ?after= or ?before= asks for (the first without either): a range
    of the index that ``keys`` follow, whatever the page's depth (OFFSET paging
    read every row before the page: the queue's /?page=2000 took 8.4 s at 1M)."""
    position, backwards, start = _cursor(request, keys)
    qs = keyset_order(qs, keys)
    if backwards:
        qs = qs.reverse()
    if position is None:
        rows = list(qs[: size + 1])
    else:
        # Part by part (keyset_arms: each an equality prefix and a range of the
        # sort's index), nearest first, until the page is full: keyset_after's one
        # OR walked the index from the first row of the position's first key (the
        # queue's level), 0.45-1.5 s a page deep in a level at a million claims.
        rows = []
        for arm in keyset_arms(keys, position, backwards):
            rows += qs.filter(arm)[: size + 1 - len(rows)]
            if len(rows) > size:
                break
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        start = max(start - len(rows), 1)

    def token(row, at: int) -> str:
        return keyset_token({"p": keyset_position(row, keys), "i": at})

    has_next = backwards or more
    has_previous = (more if backwards else position is not None) and start > 1
    return KeysetPage(
        rows=rows,
        start=start,
        next=token(rows[-1], start + len(rows)) if rows and has_next else None,
        previous=token(rows[0], start) if rows and has_previous else None,
    )
