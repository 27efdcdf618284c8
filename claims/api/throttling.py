"""API throttles whose counters are atomic in a shared cache.

DRF's SimpleRateThrottle reads a list of timestamps, appends, and writes it back:
requests that arrive together all read the same list and all pass (2,050
concurrent requests passed a 2000/hour limit). Here each window is one counter,
created with ``cache.add`` and raised with ``cache.incr``: both are single atomic
commands on Redis (SET NX, INCRBY) and locked in the local-memory cache. A fixed
window lets a client send up to twice the rate across a window's edge; never more.

The client's address is DRF's ``get_ident``: REMOTE_ADDR, or the address
NUM_PROXIES hops back in X-Forwarded-For (settings.NUM_PROXIES, 0 by default), so
a made-up X-Forwarded-For is not a new client. The clock is DRF's ``timer``
(time.time), which tests pin to a window's start.
"""

from __future__ import annotations

import math

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


class AtomicRateThrottle(SimpleRateThrottle):
    cache = cache

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.count = self.hit(self.key)
        return self.count <= self.num_requests

    def hit(self, key: str) -> int:
        """Count one request in the current window; returns the count so far."""
        window = int(self.timer() // self.duration)
        self.window_end = (window + 1) * self.duration
        counter = f"{key}:{window}"
        # incr first: the counter exists on every request but a window's first, and
        # a failed add cost Redis a third round trip (Django's incr is EXISTS + INCRBY).
        for _ in range(3):
            try:
                return self.cache.incr(counter)
            except ValueError:  # the window's first request: add the counter
                if self.cache.add(counter, 1, self.duration + 1):
                    return 1
        return self.num_requests + 1  # the cache keeps losing the key: refuse

    def wait(self) -> float | None:
        return float(max(1, math.ceil(self.window_end - self.timer())))


class AnonThrottle(AtomicRateThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle:anon:{self.get_ident(request)}"


class UserThrottle(AtomicRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return f"throttle:user:{request.user.pk}"
        return f"throttle:user-anon:{self.get_ident(request)}"


class FailedAuthThrottle(AtomicRateThrottle):
    """Failed authentications per client address (a guessed or stale token)."""

    scope = "auth_failure"

    def get_cache_key(self, request, view=None):
        return f"throttle:auth-failure:{self.get_ident(request)}"

    def exceeded(self, request) -> bool:
        """Over the limit already (nothing counted)."""
        if self.rate is None:
            return False
        window = int(self.timer() // self.duration)
        self.window_end = (window + 1) * self.duration
        count = self.cache.get(f"{self.get_cache_key(request)}:{window}", 0)
        return count >= self.num_requests

    def record(self, request) -> None:
        if self.rate is not None:
            self.hit(self.get_cache_key(request))
