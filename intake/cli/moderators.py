"""``intake moderator``: add, disable, enable, list moderator accounts and issue tokens.

Runs against the database alone (no object store), with the same services as the web app.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from intake.core.errors import ConfigurationError, IntakeError, ValidationFailed
from intake.core.settings import Settings
from intake.moderation.accounts import ModeratorService
from intake.moderation.records import Role
from intake.wiring.database import open_database, repositories
from intake.wiring.services import open_accounts

ACTOR = "admin-cli"


class CommandFailed(Exception):
    """What to tell the operator when the command could not be done."""


ONE_ACCOUNT = (
    ("disable", "disable an account (its tokens stop working)"),
    ("enable", "enable a disabled account"),
    (
        "token",
        "issue a new API token (shown once; its expiry on stderr; the old one stops working)",
    ),
)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("moderator", help="manage moderator accounts")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add an account (asks for its password)")
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.MODERATOR.value)
    source = add.add_mutually_exclusive_group()
    source.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")  # fmt: skip
    source.add_argument("--no-password", action="store_true",
                        help="no password: the account logs in with API tokens only")  # fmt: skip
    for name, text in ONE_ACCOUNT:
        actions.add_parser(name, help=text).add_argument("name")
    actions.add_parser("list", help="list the accounts")


def _password(args: argparse.Namespace, read: Callable[[str], str]) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = read("Password: ")
        again = read("Again: ")
    except EOFError:
        raise CommandFailed("no password given; use --password-stdin") from None
    if again != first:
        raise CommandFailed("the passwords differ")
    return first


async def run(settings: Settings, args: argparse.Namespace) -> str:
    """Carry out ``intake moderator <action>``; what to print."""
    try:
        async with (
            open_database(settings) as database,
            open_accounts(settings, repositories(database, settings)) as accounts,
        ):
            return await _act(accounts, args)
    except ValidationFailed as exc:
        raise CommandFailed("; ".join(e["detail"] for e in exc.errors)) from exc
    except ConfigurationError:
        raise
    except IntakeError as exc:
        raise CommandFailed(exc.detail) from exc


async def _act(accounts: ModeratorService, args: argparse.Namespace) -> str:
    if args.action == "list":
        rows = [f"{m.name}\t{m.role.value}\t{'disabled' if m.disabled else 'enabled'}"
                for m in await accounts.all()]  # fmt: skip
        return "\n".join(rows) or "no moderators"
    if args.action == "add":
        added = await accounts.add(args.name, Role(args.role), _password(args, getpass.getpass),
                                   ACTOR)  # fmt: skip
        return (
            f"added {added.name} ({added.role.value}); issue a token with `intake moderator token`"
        )
    moderator = await accounts.named(args.name)
    if args.action in ("disable", "enable"):
        await accounts.change(moderator, ACTOR, disabled=args.action == "disable")
        return f"{moderator.name} {args.action}d"
    issued = await accounts.issue_token(moderator, ACTOR)
    assert issued.expires_at is not None
    expires = issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    # the token alone on stdout (TOKEN=$(intake moderator token NAME)); the rest for people
    print(f"expires {expires} (moderation.api_token_days); id {issued.token_id}",
          file=sys.stderr)  # fmt: skip
    return issued.token
