"""API throttles whose counters are atomic in a shared cache.

DRF's SimpleRateThrottle reads a list of timestamps, appends, and writes it back:
requests that arrive together all read the same list and all pass (2,050
concurrent requests passed a 2000/hour limit). Here each window is one counter,
raised and given its expiry in one atomic round trip on Redis (tracker.cache.count:
SET NX EX, INCR), and with ``cache.add``/``cache.incr`` (each locked) in the
local-memory cache. A fixed window lets a client send up to twice the rate across a
window's edge; never more.

The client's address is DRF's ``get_ident``: REMOTE_ADDR, or the address
NUM_PROXIES hops back in X-Forwarded-For (settings.NUM_PROXIES, 0 by default), so
a made-up X-Forwarded-For is not a new client. The clock is DRF's ``timer``
(time.time), which tests pin to a window's start.
"""

from __future__ import annotations

import math

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from tracker.cache import count


class AtomicRateThrottle(SimpleRateThrottle):
    cache = cache
    # Whether this throttle also refuses a client address that sent too many bad
    # tokens (FailedAuthThrottle), read in the same round trip as its own count.
    refuses_failed_auth = False

    def allow_request(self, request, view) -> bool:
        self.key = self.get_cache_key(request, view) if self.rate is not None else None
        if self.rate is not None and self.key is None:
            return True  # not this throttle's request: another one counts it
        blocker = FailedAuthThrottle() if self.refuses_failed_auth else None
        peek = (blocker.counter(request),) if blocker and blocker.rate is not None else ()
        if self.key is not None:
            self.count, peeked = self.hit(self.key, peek=peek)
        elif peek:  # this throttle is off, the address's block still holds
            self.count, peeked = 0, [self.cache.get(peek[0])]
        else:
            return True
        if peek and (peeked[0] or 0) >= blocker.num_requests:
            self.window_end = blocker.window_end  # wait() tells the block's end
            return False
        return self.key is None or self.count <= self.num_requests

    def hit(self, key: str, peek: tuple[str, ...] = ()) -> tuple[int, list]:
        """Count one request in the current window and read the ``peek`` keys, in
        one round trip on Redis (tracker.cache.count); returns the count so far and
        the peeked values."""
        window = int(self.timer() // self.duration)
        self.window_end = (window + 1) * self.duration
        try:
            return count(self.cache, f"{key}:{window}", self.duration + 1, peek=peek)
        except ValueError:  # a counter that cannot be counted (lost, or not a number): refuse
            return self.num_requests + 1, [None] * len(peek)

    def wait(self) -> float | None:
        return float(max(1, math.ceil(self.window_end - self.timer())))


class AnonThrottle(AtomicRateThrottle):
    scope = "anon"
    refuses_failed_auth = True

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle:anon:{self.get_ident(request)}"


class UserThrottle(AtomicRateThrottle):
    scope = "user"
    refuses_failed_auth = True

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return f"throttle:user:{request.user.pk}"
        return f"throttle:user-anon:{self.get_ident(request)}"


class FailedAuthThrottle(AtomicRateThrottle):
    """Failed authentications per client address (a guessed or stale token).

    ThrottledTokenAuthentication counts each bad token and answers 429 instead of
    401 once the address is past the limit; the user and anonymous throttles then
    refuse every request from that address, whatever it sends, until the window
    ends. They read this counter in the round trip of their own count: checking it
    on its own before each token's look-up was a second Redis round trip on every
    API request."""

    scope = "auth_failure"

    def get_cache_key(self, request, view=None):
        return f"throttle:auth-failure:{self.get_ident(request)}"

    def counter(self, request) -> str:
        """The key of the address's count in the current window."""
        window = int(self.timer() // self.duration)
        self.window_end = (window + 1) * self.duration
        return f"{self.get_cache_key(request)}:{window}"

    def record(self, request) -> bool:
        """Count a failed authentication; whether the address is now past the limit."""
        if self.rate is None:
            return False
        failures, _ = self.hit(self.get_cache_key(request))
        return failures > self.num_requests
