"""`scamline user create EMAIL --role analyst|admin`: console accounts from the shell.

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
