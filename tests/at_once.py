"""Run one call from several threads at once, each on its own database connection
(a double click, a client's retries): for the tests of what two requests at the
same moment leave behind."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def at_once(call: Callable[[], object], times: int, timeout: float = 60) -> list:
    """``call()``'s results from ``times`` threads released together; any
    exception one raised is raised here, after all have ended."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:  # noqa: BLE001 (raised below, in the test's thread)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    return results
