"""Every extra a locked package asks of another is pinned with that extra.

pip 23.x, which Python 3.11 ships, installs the locks with --require-hashes. When a
package asks for a dependency with an extra (jusText: ``lxml[html_clean]>=4.4.2``)
and the lock pins that dependency only without it (``lxml==6.1.3``), pip resolves
the extra on its own: it takes the newest release, and refuses it as unpinned. The
lock installed until lxml 6.2.0 came out, then failed on every fresh machine. Read
from the installed packages' own metadata, offline."""

import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?==\S+", re.M)


def pinned_extras(lock: str) -> dict[str, set[str]]:
    """Each pinned project and the extras its pins carry, spelt as in the lock."""
    pins: dict[str, set[str]] = {}
    for name, extras in PIN.findall(lock):
        spelt = {extra.strip() for extra in extras.split(",") if extra.strip()}
        pins.setdefault(canonicalize_name(name), set()).update(spelt)
    return pins


def unpinned_extras(lock: str) -> list[str]:
    pins = pinned_extras(lock)
    missing = []
    for name, extras in sorted(pins.items()):
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:  # another platform's package
            continue
        environments = [{"extra": extra} for extra in ("", *extras)]
        for raw in requires:
            wanted = Requirement(raw)
            if not wanted.extras or canonicalize_name(wanted.name) not in pins:
                continue
            if wanted.marker and not any(wanted.marker.evaluate(e) for e in environments):
                continue
            if not wanted.extras <= pins[canonicalize_name(wanted.name)]:
                missing.append(f"{name} asks for {raw}")
    return missing


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_extra_asked_for_is_pinned_with_it(lock):
    assert unpinned_extras((ROOT / lock).read_text()) == []


def test_the_check_finds_the_extra_that_broke_the_lock():
    lock = (ROOT / "requirements.lock").read_text()
    broken = re.sub(r"^lxml\[html_clean\]==", "lxml==", lock, flags=re.M)
    assert broken != lock
    assert unpinned_extras(broken) == ["justext asks for lxml[html_clean]>=4.4.2"]
