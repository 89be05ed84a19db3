"""``intake moderator`` as an operator runs it: add, token, disable, list."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def intake(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_DATA_DIR=str(tmp_path / "var"))
    return subprocess.run(
        [sys.executable, "-m", "intake", "moderator", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_accounts_from_the_command_line(tmp_path: Path) -> None:
    added = intake(
        tmp_path,
        "add",
        "amina",
        "--role",
        "senior",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    token = intake(tmp_path, "token", "amina")
    assert token.returncode == 0 and token.stdout.strip().startswith("imod_")
    assert len(token.stdout.split()) == 1, "the token alone on stdout, for scripts"
    in_90_days = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    assert f"expires {in_90_days:%Y-%m-%d}" in token.stderr
    assert intake(tmp_path, "disable", "amina").stdout.strip() == "amina disabled"
    assert "amina\tsenior\tdisabled" in intake(tmp_path, "list").stdout
    refused = intake(tmp_path, "token", "amina")
    assert refused.returncode == 1 and "disabled" in refused.stderr
    short = intake(tmp_path, "add", "farid", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "12" in short.stderr
