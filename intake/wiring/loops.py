"""The background loops of each command, listed in one place.

intake serve     janitor (unless uploads.janitor_seconds = 0), lapsed-lease sweep,
                 webhook dispatcher (when webhooks.urls and webhooks.dispatch),
                 job workers (when workers.in_process)
intake worker    job workers
intake janitor   none: one round, then it exits
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from enum import StrEnum

from intake.adapters.webhook_sender import HttpWebhookSender
from intake.core.background import Background, every
from intake.core.clock import Clock, utcnow
from intake.core.errors import ConfigurationError
from intake.core.settings import Settings
from intake.jobs.worker import Worker
from intake.webhooks.dispatcher import Dispatcher, DispatchRules
from intake.wiring.janitor import Janitor
from intake.wiring.services import Services


class Loop(StrEnum):
    JANITOR = "janitor"
    LEASE_SWEEP = "lapsed-lease sweep"
    WEBHOOKS = "webhook dispatcher"
    WORKERS = "job workers"


def serve_loops(settings: Settings) -> list[Loop]:
    """What ``intake serve`` runs beside the web, as its settings say."""
    hooks = settings.webhooks
    if hooks.urls and not hooks.secret:
        raise ConfigurationError("webhooks.secret: needed when webhooks.urls is set")
    loops = [Loop.JANITOR] if settings.uploads.janitor_seconds else []
    loops.append(Loop.LEASE_SWEEP)
    if hooks.urls and hooks.dispatch:
        loops.append(Loop.WEBHOOKS)
    if settings.workers.in_process:
        loops.append(Loop.WORKERS)
    return loops


WORKER_LOOPS = (Loop.WORKERS,)


@contextlib.asynccontextmanager
async def run_loops(
    loops: Sequence[Loop],
    settings: Settings,
    services: Services,
    worker: Worker | None,
    clock: Clock = utcnow,
) -> AsyncIterator[Background]:
    """Start ``loops`` and stop them (each finished) on the way out."""
    background = Background()
    async with contextlib.AsyncExitStack() as stack:
        sender = None
        if Loop.WEBHOOKS in loops:
            sender = HttpWebhookSender(settings.webhooks.timeout_seconds)
            stack.push_async_callback(sender.close)
        stack.push_async_callback(background.stop)  # stops the loops before the sender closes
        if Loop.JANITOR in loops:
            janitor = Janitor(settings, services, clock)
            background.start(
                Loop.JANITOR, every(Loop.JANITOR, settings.uploads.janitor_seconds, janitor.round)
            )
        if Loop.LEASE_SWEEP in loops:
            queue = services.repositories.moderation
            period = max(1.0, settings.moderation.lease_seconds / 4)
            background.start(
                Loop.LEASE_SWEEP,
                every(Loop.LEASE_SWEEP, period, lambda: queue.return_lapsed(clock())),
            )
        if sender is not None:
            dispatcher = Dispatcher(
                services.repositories.outbox, sender, DispatchRules.from_settings(settings), clock
            )
            poll = settings.webhooks.poll_seconds
            background.start(Loop.WEBHOOKS, every(Loop.WEBHOOKS, poll, dispatcher.run_once))
        if Loop.WORKERS in loops and worker is not None:
            poll = settings.workers.poll_seconds
            for number in range(1, settings.workers.concurrency + 1):
                name = f"job worker {number}"
                background.start(name, every(name, poll, worker.run_one))
        yield background
