"""Moderator accounts: who they are, what role they have, how they prove it.

A moderator proves who they are with a bearer token: an API token (``intake moderator
token`` or an admin issues it; it lasts until replaced or its expiry) or a session token
from logging in with a password. A change of password, role or disabled ends every token
of the account; each token can be listed (with its last use) and revoked on its own.
Tokens are ``imod_`` and 256 random bits, stored as SHA-256 hashes;
passwords are argon2id hashes. Login attempts are counted per account and client address,
and per address, before the password is checked (the address kept as an HMAC of it, never
the address itself); past the limits in the window a login
is refused (429) until the window ends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import secrets
from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.core.errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from intake.core.ids import hash_token, new_id
from intake.moderation.passwords import Busy, Passwords
from intake.moderation.ports import ModeratorRepository
from intake.moderation.records import Moderator, Role, TokenInfo, TokenKind
from intake.safeguards.addresses import AddressKeys
from intake.submissions.records import AuditEntry

TOKEN_PREFIX = "imod_"  # noqa: S105 (a prefix, not a secret)
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
RESERVED_NAMES = frozenset({"system", "submitter", "admin-cli"})
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class LoginRules:
    max_failures: int = 5
    """Attempts of one account from one address in the window."""
    window: dt.timedelta = dt.timedelta(minutes=15)
    session: dt.timedelta = dt.timedelta(hours=12)
    max_per_address: int = 30
    """Failed attempts from one address in the window, whatever the names."""
    api_token: dt.timedelta = dt.timedelta(days=90)


@dataclass(frozen=True)
class IssuedToken:
    moderator: Moderator
    token: str
    expires_at: dt.datetime | None
    token_id: str


def new_moderator_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _invalid(field: str, code: str, detail: str) -> ValidationFailed:
    return ValidationFailed([{"field": field, "code": code, "detail": detail}])


def check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise _invalid("password", "bad_length",
                       f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters.")  # fmt: skip


class ModeratorService:
    def __init__(
        self,
        accounts: ModeratorRepository,
        passwords: Passwords,
        rules: LoginRules,
        addresses: AddressKeys,
        clock: Clock = utcnow,
    ) -> None:
        self._accounts = accounts
        self._passwords = passwords
        self._rules = rules
        self._addresses = addresses
        self._clock = clock

    def _audit(self, actor: str, action: str, target: Moderator, **detail: object) -> AuditEntry:
        detail = {"moderator_id": target.id, "moderator": target.name, **detail}
        return AuditEntry("", self._clock(), actor, action, None, None, detail)

    async def add(self, name: str, role: Role, password: str | None, actor: str) -> Moderator:
        """A new account; without a password it can only use API tokens."""
        if not NAME.match(name) or name in RESERVED_NAMES:
            raise _invalid("name", "bad_name", "Use 2-80 of a-z 0-9 . _ - (not system/submitter).")
        if password is not None:
            check_password(password)
        now = self._clock()
        moderator = Moderator(new_id(), name, role, False, now, now,
                              await self._passwords.hash(password) if password else "")  # fmt: skip
        added = await self._accounts.add(moderator, self._audit(actor, "moderator_added", moderator,
                                                                role=role.value))  # fmt: skip
        if not added:
            raise Conflict(f"A moderator named {name} exists already.")
        return moderator

    async def find(self, moderator_id: str) -> Moderator:
        moderator = await self._accounts.get(moderator_id)
        if moderator is None:
            raise NotFound("No moderator has this id.")
        return moderator

    async def named(self, name: str) -> Moderator:
        moderator = await self._accounts.by_name(name)
        if moderator is None:
            raise NotFound(f"No moderator is named {name}.")
        return moderator

    async def all(self) -> list[Moderator]:
        return await self._accounts.all()

    async def change(
        self,
        moderator: Moderator,
        actor: str,
        *,
        role: Role | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> Moderator:
        values: dict[str, object] = {}
        if role is not None and role is not moderator.role:
            values["role"] = role.value
        if disabled is not None and disabled != moderator.disabled:
            values["disabled"] = disabled
        if password is not None:
            check_password(password)
            values["password_hash"] = await self._passwords.hash(password)
        if not values:
            return moderator
        shown = {k: v for k, v in values.items() if k != "password_hash"}
        action = "moderator_changed" if shown else "moderator_password_set"
        audit = self._audit(actor, action, moderator, **shown)
        if not await self._accounts.change(moderator.id, audit, self._clock(), **values):
            raise NotFound("No moderator has this id.")
        return await self.find(moderator.id)

    async def issue_token(self, moderator: Moderator, actor: str) -> IssuedToken:
        """A new API token for the account (its earlier one stops working)."""
        if moderator.disabled:
            raise Conflict(f"{moderator.name} is disabled; enable the account first.")
        token, token_id, now = new_moderator_token(), new_id(), self._clock()
        expires_at = now + self._rules.api_token
        audit = self._audit(actor, "moderator_token_issued", moderator, token_id=token_id)
        await self._accounts.add_token(moderator.id, hash_token(token), TokenKind.API,
                                       token_id=token_id, now=now, expires_at=expires_at,
                                       audit=audit)  # fmt: skip
        return IssuedToken(moderator, token, expires_at, token_id)

    async def tokens(self, moderator: Moderator) -> list[TokenInfo]:
        """The account's live tokens (API and sessions) with their last use."""
        return await self._accounts.tokens(moderator.id, self._clock())

    async def revoke_token(self, moderator: Moderator, token_id: str, actor: str) -> None:
        """End one token of the account; 404 when it holds none with this id."""
        audit = self._audit(actor, "moderator_token_revoked", moderator, token_id=token_id)
        if not await self._accounts.revoke_token(moderator.id, token_id, audit):
            raise NotFound("This account has no live token with this id.")

    async def authenticate(self, token: str | None) -> Moderator:
        """The moderator holding ``token``; :class:`Unauthorized` otherwise."""
        if not token or not token.startswith(TOKEN_PREFIX):
            raise Unauthorized("Send a moderator token as Authorization: Bearer imod_...")
        moderator = await self._accounts.by_token_hash(hash_token(token), self._clock())
        if moderator is None:
            raise Unauthorized("This moderator token is not known, expired or revoked.")
        return moderator

    async def sign_out(self, moderator: Moderator, token: str) -> None:
        """Forget the session token ``moderator`` signed in with: it stops working at once."""
        audit = self._audit(moderator.name, "moderator_signed_out", moderator)
        await self._accounts.drop_token(hash_token(token), audit)

    async def purge(self) -> int:
        """Forget failed-login counts whose window ended and expired session tokens."""
        now = self._clock()
        return await self._accounts.purge(now - self._rules.window, now)

    async def login(self, name: str, password: str, client: str) -> IssuedToken:
        """A session token for the right password; 429 after too many attempts.

        Each attempt is counted before its password is checked, per account and address
        and per address alone, in one atomic step each: a burst of concurrent attempts
        gets no more checks than the limits allow, and a right password past the limit
        does not get in. A success gives its attempts back.
        """
        now = self._clock()
        since = now - self._rules.window
        address = self._addresses.of(client)
        keys = ((f"{name[:120]}|{address}", self._rules.max_failures),
                (f"*|{address}", self._rules.max_per_address))  # fmt: skip
        for key, limit in keys:
            count, first_at = await self._accounts.count_attempt(key, now, since)
            if count > limit:
                await self._accounts.refund_attempt(key)
                wait = math.ceil((first_at + self._rules.window - now).total_seconds())
                raise TooManyRequests(
                    f"Too many login attempts from this address; wait {max(wait, 1)} s.",
                    retry_after_seconds=max(wait, 1),
                    limit=limit,
                )
        moderator = await self._accounts.by_name(name)
        stored = moderator.password_hash if moderator and not moderator.disabled else ""
        try:
            right = await self._passwords.verify(stored, password)
        except Busy:
            for key, _ in keys:
                await self._accounts.refund_attempt(key)
            raise TooManyRequests(
                "Too many logins are being checked right now; try again in a second.",
                retry_after_seconds=1,
            ) from None
        if not right or moderator is None:
            raise Unauthorized("The name or the password is wrong.")
        await self._accounts.clear_failures(keys[0][0], since)
        await self._accounts.refund_attempt(keys[1][0])
        token, token_id = new_moderator_token(), new_id()
        expires_at = now + self._rules.session
        audit = self._audit(moderator.name, "moderator_logged_in", moderator, token_id=token_id)
        await self._accounts.add_token(moderator.id, hash_token(token), TokenKind.SESSION,
                                       token_id=token_id, now=now, expires_at=expires_at,
                                       audit=audit)  # fmt: skip
        return IssuedToken(dataclasses.replace(moderator, password_hash=""), token, expires_at,
                           token_id)  # fmt: skip
