"""CPU cost of sealing: what AES-256-GCM over 64 KiB blocks costs intake per GiB.

Not a test: it prints figures and writes them to ``bench/results/sealing_cost.json``.

In this process alone (no network, no disk), on one thread, 1 GiB by default is sealed
part by part as an upload stores it (``--part`` bytes at a time, 8 MiB as
``s3.part_size``), then opened again as a download reads it, then read back as a video
player seeks (``--range`` bytes at random offsets). Each figure is CPU seconds per GiB
of plaintext (user + system, ``time.process_time``), the median of ``--repeats`` runs.
``make bench`` measures the whole upload path, the sealing included.

    .venv/bin/python bench/sealing_cost.py
    .venv/bin/python bench/sealing_cost.py --gib 0.25 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.backends.openssl.backend import backend

from intake.keys.blocks import BLOCK, Sealer, block_count, sealed_size, span

MiB = 1024 * 1024
GiB = 1024 * MiB
RESULTS = Path(__file__).parent / "results" / "sealing_cost.json"


def cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def measure(total: int, part: int, window: int) -> dict[str, float]:
    """CPU seconds per GiB: sealing ``total`` bytes ``part`` at a time (each part sealed
    and let go, so memory stays small), opening as many parts, reading ranges."""
    sealer = Sealer(os.urandom(32), os.urandom(8), "submissions/2026/12/02/s/f/original")
    data = os.urandom(part)
    parts = total // part
    kept = [sealer.seal(data, n * part // BLOCK) for n in range(4)]

    def seal() -> None:
        for n in range(parts):
            sealer.seal(data, n * part // BLOCK)
        sealer.final(block_count(total))

    def open_parts() -> None:
        for n in range(parts):
            sealer.open(kept[n % 4], (n % 4) * part // BLOCK, plain=total)

    stored = b"".join(kept)
    rng = random.Random(1)

    def seek() -> None:
        for _ in range(max(1, total // window)):
            start = rng.randrange(0, len(kept) * part - window)
            s = span(start, start + window - 1, total)
            sealer.open(stored[s.sealed_start : s.sealed_end + 1], s.first_block, plain=total)

    per = GiB / total
    return {
        "seal_cpu_s_per_gib": cpu(seal) * per,
        "open_cpu_s_per_gib": cpu(open_parts) * per,
        "range_read_cpu_s_per_gib": cpu(seek) * per,
        "storage_overhead_percent": (sealed_size(GiB) / GiB - 1) * 100,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gib", type=float, default=1.0, help="plaintext per run (GiB)")
    parser.add_argument("--part", type=int, default=8 * MiB, help="bytes sealed at a time")
    parser.add_argument("--range", type=int, default=MiB, help="bytes of each range read")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    total = max(args.part, int(args.gib * GiB) // args.part * args.part)
    runs = [measure(total, args.part, args.range) for _ in range(args.repeats)]
    result = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"sealing {total / GiB:.2f} GiB in {args.part // MiB} MiB parts, "
          f"{args.repeats} runs, {backend.openssl_version_text()}")  # fmt: skip
    for key, value in result.items():
        print(f"  {key:28} {value:.4f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": platform.machine(), "python": platform.python_version(),
        "openssl": backend.openssl_version_text(), "part": args.part, "range": args.range,
        "gib": total / GiB, **result,
    }, indent=2) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
