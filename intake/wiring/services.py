"""The domain services, built over a store and the repositories."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.keys.keyring import KeyRing
from intake.moderation.accounts import LoginRules, ModeratorService
from intake.moderation.look import ModerationLook
from intake.moderation.media import ModerationMedia
from intake.moderation.passwords import Passwords
from intake.moderation.publishing import Publisher
from intake.moderation.queue import ModerationRules, ModerationService
from intake.safeguards.addresses import AddressKeys
from intake.safeguards.idempotency import Idempotency
from intake.safeguards.rate_limits import RateLimiter
from intake.submissions.drafts import DraftService
from intake.submissions.erasure import Erasure
from intake.submissions.policy import IntakePolicy
from intake.submissions.receiving import SubmissionService
from intake.submissions.retention import Retention, RetentionRules
from intake.submissions.submitter import SubmitterService
from intake.uploads.resumable import UploadRules, UploadService
from intake.wiring.addresses import address_keys
from intake.wiring.database import Repositories
from intake.wiring.keys import key_ring, sealing

IDEMPOTENCY_HOURS = 24


@dataclass(frozen=True)
class Services:
    store: ObjectStore
    """The bucket, every object of a submission sealed with its data key."""
    keys: KeyRing
    repositories: Repositories
    submissions: SubmissionService
    drafts: DraftService
    uploads: UploadService
    submitter: SubmitterService
    idempotency: Idempotency
    rate_limiter: RateLimiter
    moderators: ModeratorService
    moderation: ModerationService
    moderation_look: ModerationLook
    moderation_media: ModerationMedia
    retention: Retention
    publisher: Publisher


def login_rules(settings: Settings) -> LoginRules:
    m = settings.moderation
    return LoginRules(
        max_failures=m.login_max_failures,
        window=dt.timedelta(seconds=m.login_window_seconds),
        session=dt.timedelta(seconds=m.session_seconds),
        max_per_address=m.login_max_per_address,
        api_token=dt.timedelta(days=m.api_token_days),
    )


@contextlib.asynccontextmanager
async def open_accounts(
    settings: Settings,
    repos: Repositories,
    clock: Clock = utcnow,
    addresses: AddressKeys | None = None,
) -> AsyncIterator[ModeratorService]:
    """Moderator accounts, with the threads that hash their passwords; without
    ``addresses`` (a command that never logs anyone in) login attempts are keyed by a
    secret of this process only."""
    passwords = Passwords(
        settings.moderation.hash_threads, waiting=settings.moderation.hash_waiting
    )
    keys = addresses or AddressKeys(os.urandom(32))
    try:
        yield ModeratorService(repos.moderators, passwords, login_rules(settings), keys, clock)
    finally:
        passwords.close()


def _upload_rules(settings: Settings) -> UploadRules:
    return UploadRules(
        expire_after=dt.timedelta(seconds=settings.uploads.expire_seconds),
        lease=dt.timedelta(seconds=settings.uploads.lease_seconds),
    )


def _rate_limiter(
    settings: Settings, repos: Repositories, addresses: AddressKeys, clock: Clock
) -> RateLimiter:
    rate = settings.rate
    return RateLimiter(
        repos.rate_counters,
        {"submissions": rate.submissions, "uploads": rate.uploads},
        dt.timedelta(seconds=rate.window_seconds),
        addresses,
        clock,
        ceilings={"submissions": rate.global_submissions, "uploads": rate.global_uploads},
    )


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings, bucket: ObjectStore, repos: Repositories, clock: Clock = utcnow
) -> AsyncIterator[Services]:
    """Every service, each telling time by ``clock``, over ``bucket`` sealed."""
    policy = IntakePolicy.from_settings(settings)
    keys = key_ring(settings, repos, clock)
    addresses = address_keys(settings)
    with sealing(settings, bucket, keys) as store:
        async with open_accounts(settings, repos, clock, addresses) as moderators:
            publisher = Publisher(store, bucket, repos.submissions, repos.published_copies, clock,
                                  settings.inspection.temp_dir or None)  # fmt: skip
            yield _services(settings, store, keys, repos, policy, moderators, addresses, clock,
                            publisher)  # fmt: skip


def _services(
    settings: Settings,
    store: ObjectStore,
    keys: KeyRing,
    repos: Repositories,
    policy: IntakePolicy,
    moderators: ModeratorService,
    addresses: AddressKeys,
    clock: Clock,
    publisher: Publisher,
) -> Services:
    drafts = DraftService(repos.submissions, repos.uploads, policy, clock, keys)
    uploads = UploadService(store, repos.uploads, keys, policy.uploads, _upload_rules(settings),
                            clock)  # fmt: skip
    erasure = Erasure(store, repos.submissions, uploads, keys, repos.published_copies)
    return Services(
        publisher=publisher,
        store=store,
        keys=keys,
        repositories=repos,
        submissions=SubmissionService(store, repos.submissions, policy, clock, keys),
        drafts=drafts,
        uploads=uploads,
        submitter=SubmitterService(repos.submissions, repos.uploads, drafts, erasure, clock),
        idempotency=Idempotency(repos.idempotency, dt.timedelta(hours=IDEMPOTENCY_HOURS), clock),
        rate_limiter=_rate_limiter(settings, repos, addresses, clock),
        moderators=moderators,
        moderation=ModerationService(
            repos.moderation, repos.submissions, ModerationRules.from_settings(settings), clock
        ),
        retention=Retention(
            repos.submissions, erasure, RetentionRules.from_settings(settings), clock
        ),
        moderation_look=ModerationLook(repos.moderation_views, repos.submissions, clock),
        moderation_media=ModerationMedia(store, repos.submissions, repos.moderation, clock),
    )
