#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def _use_project_venv():
    """Run under the project's .venv when called with a Python that lacks Django,
    so `python manage.py ...` (and the scorer, which calls it so) works whether
    or not the venv is activated."""
    venv_python = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
    if (
        Path(sys.prefix).resolve() == venv_python.parent.parent.resolve()
        or not venv_python.exists()
    ):
        return
    try:
        import django  # noqa: F401
    except ImportError:
        os.execv(str(venv_python), [str(venv_python), *sys.argv])  # noqa: S606


def main():
    _use_project_venv()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if sys.argv[1:2] != ["runserver"]:
        # A command's stdout is its result (`analyze --json`, `create_api_token`):
        # its log lines go to stderr, so `$(...)` and JSON readers get only the result.
        os.environ.setdefault("LOG_STREAM", "stderr")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
