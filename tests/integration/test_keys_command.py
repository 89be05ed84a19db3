"""``intake keys``: a new master key put first and ``rotate`` rewraps every data key,
``status`` says how many each master key wraps; the files stay readable throughout."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from intake.adapters.db.data_keys import SqlDataKeyRepository
from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.transactions import Database
from intake.keys.keyring import KeyRing
from intake.keys.master import MasterKeys
from tests.conftest import ROOT


async def intake(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, out.decode()
    return out.decode().strip()


async def test_generate_rotate_and_status(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_DATABASE_URL=url, INTAKE_SERVER_DATA_DIR=str(tmp_path / "var"),
               INTAKE_SERVER_STORAGE_DIR=str(ROOT / "storage"))  # fmt: skip
    old, new = await intake(env, "keys", "generate", "old"), await intake(env, "keys", "generate")
    assert old.startswith("old:") and new.startswith("k") and len(new.split(":")[1]) == 44

    engine = create_engine(url)
    await migrate(engine)
    repository = SqlDataKeyRepository(Database(engine))
    made = {}
    for submission in ("s1", "s2", "s3"):
        made[submission] = await KeyRing(repository, MasterKeys.parse(old)).for_writing(submission)
    await KeyRing(repository, MasterKeys.parse(old)).destroy("s3")

    env["INTAKE_KEYS_MASTER_KEY"] = f"{new},{old}"
    before = await intake(env, "keys", "status")
    assert "old: 2 data keys (listed)" in before and "destroyed data keys" in before
    assert await intake(env, "keys", "rotate") == (
        f"2 data keys rewrapped with master key {new.split(':')[0]!r}"
    )
    env["INTAKE_KEYS_MASTER_KEY"] = new
    after = await intake(env, "keys", "status")
    assert f"{new.split(':')[0]}: 2 data keys" in after and "old" not in after
    ring = KeyRing(repository, MasterKeys.parse(new))
    assert {s: await ring.for_reading(s) for s in ("s1", "s2")} == {
        s: made[s] for s in ("s1", "s2")
    }
    await engine.dispose()
