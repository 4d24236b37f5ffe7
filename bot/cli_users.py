"""`scamline user create EMAIL --role analyst|admin`, `scamline user reset EMAIL` and
`scamline user disable EMAIL`: console accounts from the shell.

The password comes from standard input when that is not a terminal (scripts, tests), from a
hidden prompt otherwise, never from the command line (it would land in shell history and
`ps`). The otpauth:// URI is the last line printed, so a script can enrol the account.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("the two passwords differ")
    return first


def _create(args: argparse.Namespace) -> int:
    from bot.db.session import migrate, session_scope
    from bot.security.totp import qr_svg
    from bot.services.audit import record_audit
    from bot.services.users import UserError, create_user

    password = _read_password()
    migrate()
    try:
        with session_scope() as session:
            enrolment = create_user(session, args.email, args.role, password)
            record_audit(
                session,
                "cli",
                "user_create",
                target_type="user",
                target_id=str(enrolment.user.id),
                detail={"email": enrolment.user.email, "role": args.role},
            )
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.qr_svg:
        with open(args.qr_svg, "w", encoding="utf-8") as handle:
            handle.write(qr_svg(enrolment.uri))
        print(f"QR code written to {args.qr_svg}")
    print(f"Account {enrolment.user.email} ({args.role}) created.")
    print("Add it to an authenticator app (scan the QR code or paste this URI); keep it secret:")
    print(enrolment.uri)
    return 0


def _reset(args: argparse.Namespace) -> int:
    from bot.db.session import migrate, session_scope
    from bot.services.audit import record_audit
    from bot.services.users import UserError, reset_account

    password = _read_password()
    migrate()
    try:
        with session_scope() as session:
            enrolment = reset_account(session, args.email, password)
            record_audit(
                session,
                "cli",
                "user_reset",
                target_type="user",
                target_id=str(enrolment.user.id),
                detail={"email": enrolment.user.email},
            )
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Account {enrolment.user.email}: new password and second factor; sessions ended.")
    print("Add it to an authenticator app (the old codes no longer work); keep it secret:")
    print(enrolment.uri)
    return 0


def _disable(args: argparse.Namespace) -> int:
    from bot.db.session import migrate, session_scope
    from bot.services.audit import record_audit
    from bot.services.users import find_user, set_active

    migrate()
    with session_scope() as session:
        user = find_user(session, args.email)
        if user is None:
            print(f"error: no account for {args.email}", file=sys.stderr)
            return 2
        set_active(user, False)
        record_audit(session, "cli", "user_deactivate", target_type="user", target_id=str(user.id))
        print(f"Account {user.email} disabled; its sessions are ended.")
    return 0


def add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="console accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser(
        "create", help="create an account; prints its otpauth:// URI as the last line"
    )
    create.add_argument("email")
    create.add_argument("--role", choices=("analyst", "admin"), required=True)
    create.add_argument("--qr-svg", default="", help="also write the enrolment QR code here")
    create.set_defaults(handler=_create)
    reset = user_commands.add_parser(
        "reset",
        help="new password (from standard input) and second factor; prints the otpauth:// URI "
        "as the last line; ends the account's sessions",
    )
    reset.add_argument("email")
    reset.set_defaults(handler=_reset)
    disable = user_commands.add_parser("disable", help="deactivate an account, ending its sessions")
    disable.add_argument("email")
    disable.set_defaults(handler=_disable)
