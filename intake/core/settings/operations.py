"""Settings of running the service: metrics, log format, shutdown, orphan clean-up."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from intake.core.settings.declaring import Secret, setting


def _check_listen(value: str) -> str | None:
    if value == "":
        return None
    host, _, port = value.rpartition(":")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "use an IP address and port, e.g. 127.0.0.1:9464, or empty for none"
    if not port.isdigit() or not 0 < int(port) < 65536:
        return "use an IP address and port, e.g. 127.0.0.1:9464, or empty for none"
    return None


@dataclass(frozen=True)
class OperationsSettings:
    metrics_listen: str = setting(
        "127.0.0.1:9464",
        "Address:port of a listener of its own serving /metrics (Prometheus text) for "
        "`intake serve` and `intake worker`, apart from the public port. Empty: none. A "
        "second process on one machine needs another port (or 127.0.0.1:0 for any free one).",
        check=_check_listen,
    )
    metrics_token: Secret = setting(
        Secret(""),
        "When set, /metrics is also served on the public port to requests carrying "
        "`Authorization: Bearer <token>` (404 for others). Empty: never on the public port.",
    )
    log_format: str = setting(
        "text",
        "json: one JSON object per line (timestamp, level, logger, message, request_id, "
        "event, ...), for log collectors. text: plain lines for a developer's terminal.",
        choices=("text", "json"),
    )
    shutdown_grace_seconds: float = setting(
        20.0,
        "On SIGTERM: the node says not ready at once, stops accepting, and gives requests "
        "in flight this long to finish before it closes them (resumable uploads go on "
        "elsewhere).",
        minimum=0,
    )
    shutdown_notice_seconds: float = setting(
        0.0,
        "On SIGTERM, how long the node goes on serving while /readyz says not ready, so "
        "that a load balancer checking it stops sending before the port closes (e.g. "
        "twice the check interval).",
        minimum=0,
    )
    orphan_grace_seconds: int = setting(
        86400,
        "The janitor deletes objects under submissions/ whose submission has no row this "
        "long after it began (a node that died between storing and committing), and "
        "segments (from versions before upload tails) under incoming/ no upload owns. Keep "
        "it longer than the slowest upload.",
        minimum=60,
    )
