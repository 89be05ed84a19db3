"""Write deploy/seaweedfs-s3.json, the S3 identity compose.yaml mounts into SeaweedFS,
from storage/seaweedfs-s3.json and the keys in the environment (or .env):

    python3 deploy/render-s3-identity.py     # reads INTAKE_S3_ACCESS_KEY_ID/SECRET_ACCESS_KEY
"""

from __future__ import annotations

import os
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dotenv() -> dict[str, str]:
    path = ROOT / ".env"
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.lstrip().startswith("#")}


def main() -> int:
    env = {**_dotenv(), **os.environ}
    try:
        key_id, secret = env["INTAKE_S3_ACCESS_KEY_ID"], env["INTAKE_S3_SECRET_ACCESS_KEY"]
    except KeyError as missing:
        print(f"set {missing.args[0]} in .env or the environment", file=sys.stderr)
        return 2
    template = string.Template((ROOT / "storage" / "seaweedfs-s3.json").read_text())
    target = ROOT / "deploy" / "seaweedfs-s3.json"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(template.substitute(access_key_id=key_id, secret_access_key=secret))
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
