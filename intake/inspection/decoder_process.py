"""The inside of a decoder process: limits set on itself, then one file at a time.

Runs in a spawned process (see :mod:`intake.inspection.decoders`) and imports only the
standard library until a task names its function, so the web and worker processes never
load Pillow or PyAV. Before its first task the process

- caps its address space (``RLIMIT_AS``): a file that needs more memory fails, the
  process with it, and nothing else on the node;
- leaves the network: a new network namespace holding only a loopback that is down
  (``unshare(CLONE_NEWNET)``, inside a new user namespace when not privileged), so a
  crafted file cannot make a decoder reach anything; where the kernel refuses, it says
  so in its greeting and goes on (PyAV is opened with ``protocol_whitelist=file``
  anyway);

and before each task it allows itself ``cpu_seconds`` more CPU time (``RLIMIT_CPU``): a
file that spins is stopped by the kernel (SIGXCPU).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

M_ARENA_MAX = -8
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class ProcessLimits:
    memory_bytes: int = 0
    """Address space of the process (0: no limit)."""
    cpu_seconds: int = 0
    """CPU time one task may use (0: no limit)."""
    isolate_network: bool = True


def _unshare(flags: int) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.unshare(flags) == 0)


def _map_self(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def isolate_network() -> str:
    """Leave the network; what was done, in words for the log."""
    uid, gid = os.getuid(), os.getgid()
    try:
        if _unshare(CLONE_NEWNET):
            return "network namespace"
        if _unshare(CLONE_NEWUSER | CLONE_NEWNET):
            _map_self(uid, gid)
            return "user and network namespaces"
    except OSError as exc:
        return f"network not isolated: {exc}"
    return f"network not isolated: unshare refused ({os.strerror(ctypes.get_errno())})"


def _limit_memory(limit: int) -> None:
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _allow_cpu(seconds: int) -> None:
    """Let the next task use ``seconds`` of CPU from now (SIGXCPU past it, SIGKILL a
    little later)."""
    if not seconds:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + seconds
    new_hard = soft + 5 if hard == resource.RLIM_INFINITY else min(hard, soft + 5)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, new_hard))


def call(target: str, args: tuple[Any, ...]) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


def serve(conn: Connection, limits: ProcessLimits) -> None:
    """Greet with how the network was left, then answer tasks until the pipe closes:
    ``("ok", result)``, ``("rejected", reason)``, ``("memory", "")`` or ``("error", text)``."""
    from intake.core.errors import MediaRejected

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)  # threads' arenas would eat the address space
    greeting = isolate_network() if limits.isolate_network else "network not isolated: off"
    _limit_memory(limits.memory_bytes)
    conn.send(greeting)
    while True:
        try:
            target, args = conn.recv()
        except (EOFError, OSError):
            return
        _allow_cpu(limits.cpu_seconds)
        try:
            answer: tuple[str, Any] = ("ok", call(target, args))
        except MediaRejected as exc:
            answer = ("rejected", exc.detail)
        except MemoryError:
            answer = ("memory", "")
        except Exception as exc:
            answer = ("error", f"{type(exc).__name__}: {exc}"[:500])
        conn.send(answer)
