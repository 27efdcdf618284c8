"""Settings for the test suite: the normal settings with DJANGO_ENV=test.

pytest-django imports the settings before any conftest runs, so the test
profile has to be chosen here (pyproject.toml points pytest at this module)."""

import os

os.environ.setdefault("DJANGO_ENV", "test")

from tracker.settings import *  # noqa: E402, F403
