"""Request plumbing the settings point at: the client's address behind proxies."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES trusted proxies in
    front, the X-Forwarded-For entry the outermost of them added (as DRF's
    throttles read it). Entries further left are the client's own and can be forged."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
