"""The garbage collector of a web process, set for requests: tracker/wsgi.py and
bench/server.py call ``tune_for_requests()`` once the app is loaded.

Python's cyclic collector walks every tracked object of a generation when it
runs. A gunicorn worker holds some 120k of them once Django, DRF and the
project's views are imported, and they live as long as the process. Each full
(generation 2) collection walked them all: 80-120 ms, falling on about one queue
request in 30-70, and collections took 4-5 ms of an average queue request at a
million claims (in process, timed with gc.callbacks). ``gc.freeze()`` moves them
out of the collector's sight: collections then walk only what requests made,
about 1.5 ms a queue request and no such pause (README, "Benchmarks").
"""

from __future__ import annotations

import gc


def tune_for_requests() -> None:
    """Load the URLconf (and with it every view module), then freeze what is loaded."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports the views before the freeze
    gc.collect()  # garbage the imports left is freed, not frozen
    gc.freeze()
