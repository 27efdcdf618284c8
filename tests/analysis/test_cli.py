"""`manage.py analyze` as newsroom scripts and the scorer call it: a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_42d87ab533acdf14.txt"


def run(*args, stdin: bytes | None = None, env_extra=None):
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "manage.py", "analyze", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=120,
        env=env,
    )


def test_json_output_follows_the_contract():
    proc = run(str(SEED), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["article"]["author"] == "Ellen Barry"
    text = SEED.read_text(encoding="utf-8")
    for claim in doc["claims"]:
        assert text[claim["start"] : claim["end"]] == claim["text"]
        assert set(claim) >= {
            "text",
            "start",
            "end",
            "sentence",
            "kind",
            "source",
            "sourcing_strength",
            "hedges",
            "confidence",
            "checkworthiness",
        }


def test_stdin_dash_reads_standard_input():
    proc = run("-", "--json", stdin=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["article"]["title"] == "Russia says Assad isn't leaving"


def test_table_without_json_is_readable():
    proc = run(str(SEED))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "Ellen Barry" in out
    assert "very_low" in out.splitlines()[8]  # worst first


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "input is empty"),
        (b"   \n\t \n", "input is empty"),
        ("\ufeff".encode(), "input is empty"),  # a byte-order mark and nothing else
        ("\ufeff\n\u200b\u200b \n\u2060\n".encode(), "input is empty"),
        (b"Caf\xe9 owners said prices rose.", "not valid UTF-8"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Police said \x01\x02\x03\x04\x05\x06 text", "binary"),
    ],
)
def test_unusable_input_exits_non_zero_with_one_line(data, message):
    proc = run("-", "--json", stdin=data)
    assert proc.returncode != 0
    err = proc.stderr.decode().strip()
    assert message in err
    assert len(err.splitlines()) == 1
    assert proc.stdout == b""


def test_over_the_size_limit_is_refused():
    proc = run(
        "-",
        "--json",
        stdin=b"Officials said it rained. " * 100,
        env_extra={"ANALYSIS_MAX_BYTES": "1000"},
    )
    assert proc.returncode != 0
    assert "over the limit" in proc.stderr.decode()


def test_the_size_error_says_the_files_real_size():
    # The command reads at most one byte past the limit: it used to report that
    # many ("input is 101 bytes") for a file of any size over it.
    proc = run(str(SEED), "--json", env_extra={"ANALYSIS_MAX_BYTES": "100"})
    assert proc.returncode == 1
    size = SEED.stat().st_size
    assert proc.stderr.decode().strip().splitlines() == [
        f"CommandError: input is {size:,} bytes, over the limit of 100 bytes"
    ]


def test_the_size_error_of_stdin_claims_no_size():
    proc = run(
        "-", stdin=b"Officials said it rained. " * 100, env_extra={"ANALYSIS_MAX_BYTES": "100"}
    )
    assert proc.returncode == 1
    assert proc.stderr.decode().strip().splitlines() == [
        "CommandError: input is over the limit of 100 bytes"
    ]


def test_missing_file_is_a_clear_error():
    proc = run("/nonexistent/article.txt")
    assert proc.returncode != 0
    assert "cannot read /nonexistent/article.txt" in proc.stderr.decode()


def test_text_without_claims_is_an_empty_list():
    proc = run("-", "--json", stdin=b"Weather\n\nSunny.\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["claims"] == []
