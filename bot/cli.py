"""`scamline`: serve, worker, run, simulate, token, user, eval."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.db.session import migrate
    from bot.metrics_dir import prepared_metrics_dir

    migrate()
    with prepared_metrics_dir(args.workers):
        uvicorn.run(
            "bot.web.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
            proxy_headers=False,
        )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from bot.logging_setup import configure_logging
    from bot.settings import get_settings
    from workers.main import run_worker

    configure_logging(get_settings().log_level)
    queues = args.queues.split(",") if args.queues else None
    run_worker(queues or ("replies", "intake"), burst=args.burst, sweeper=not args.no_sweeper)
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.devserver import run_everything

    return run_everything(args.host, args.port)


def _simulate(args: argparse.Namespace) -> int:
    from bot.simulate import simulate_sms

    return simulate_sms(args.url, args.sender, args.body, args.to, wait=not args.no_wait)


def _simulate_call(args: argparse.Namespace) -> int:
    from bot.simulate_call import simulate_call

    return simulate_call(
        args.url, args.sender, args.digits, args.to, args.forwarded_from, wait=not args.no_wait
    )


def _token(args: argparse.Namespace) -> int:
    from bot.db.session import migrate, session_scope
    from bot.services.api_tokens import DEFAULT_SCOPES, UnknownScope, create_token

    migrate()
    try:
        with session_scope() as session:
            record, token = create_token(session, args.name, args.scope or DEFAULT_SCOPES)
            print(
                f"API token {record.id} created for {args.name!r} with scopes {record.scopes}. "
                "It is shown once; keep it safe:"
            )
    except UnknownScope as exc:
        print(f"scamline token create: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from bot.eval import run

    return run(
        args.files, args.model, args.compare, cross_validation=not args.no_cv and not args.files
    )


def _train(args: argparse.Namespace) -> int:
    from bot.training.pipeline import train_and_install

    return train_and_install(not args.no_corrections, args.force, args.out)


def _purge(args: argparse.Namespace) -> int:
    from bot.db.session import migrate, session_scope
    from bot.services.purge import purge_personal_data
    from bot.settings import get_settings

    migrate()
    settings = get_settings()
    days = args.days if args.days is not None else settings.retention_days
    audit_days = args.audit_days if args.audit_days is not None else settings.audit_retention_days
    with session_scope() as session:
        print(purge_personal_data(session, days, audit_days))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scamline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_running(commands)
    _add_simulate(commands)
    _add_token(commands)

    from bot.cli_users import add_user_commands

    add_user_commands(commands)
    _add_upkeep(commands)
    return parser


def _add_running(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The processes: the web app, a worker, and both at once for development."""
    serve = commands.add_parser("serve", help="run the web app (webhooks, API, console)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="run an RQ worker with its scheduler and sweeper")
    worker.add_argument(
        "--queues",
        default="",
        help="comma-separated, default replies,intake (taken in turn: round robin)",
    )
    worker.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    worker.add_argument("--no-sweeper", action="store_true")
    worker.set_defaults(handler=_worker)

    run = commands.add_parser("run", help="development: Redis if needed, web and worker at once")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.set_defaults(handler=_run)


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser("simulate", help="play Twilio's part against a running bot")
    kinds = simulate.add_subparsers(dest="kind", required=True)
    sms = kinds.add_parser("sms", help="send a correctly signed inbound SMS webhook")
    sms.add_argument("--from", dest="sender", required=True, help="the reporter's number")
    sms.add_argument("--body", required=True)
    sms.add_argument("--to", default="+33700000000", help="the bot's number")
    sms.add_argument("--url", default="", help="bot base URL (default PUBLIC_BASE_URL or :8000)")
    sms.add_argument("--no-wait", action="store_true", help="do not wait for the reply")
    sms.set_defaults(handler=_simulate)
    call = kinds.add_parser("call", help="walk the voice menu with signed requests, as Twilio")
    call.add_argument("--from", dest="sender", required=True, help="the caller's number")
    call.add_argument("--digits", default="", help="the number typed at the menu (without #)")
    call.add_argument("--forwarded-from", default=None, help="simulate a forwarded call")
    call.add_argument("--to", default="+33700000000", help="the bot's number")
    call.add_argument("--url", default="", help="bot base URL (default PUBLIC_BASE_URL or :8000)")
    call.add_argument("--no-wait", action="store_true", help="do not wait for the SMS")
    call.set_defaults(handler=_simulate_call)


def _add_token(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="print a new API token as the last line")
    create.add_argument("name")
    create.add_argument(
        "--scope",
        action="append",
        choices=("numbers:read", "reports:read", "blocklist:read"),
        help="what the token may read; repeat for several (default numbers:read blocklist:read)",
    )
    create.set_defaults(handler=_token)


def _add_upkeep(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Retention, and the classifier's evaluation and training."""
    purge = commands.add_parser(
        "purge", help="delete personal data past retention (also runs daily in the worker)"
    )
    purge.add_argument("--days", type=int, default=None, help="default RETENTION_DAYS (90)")
    purge.add_argument(
        "--audit-days",
        type=int,
        default=None,
        help="audit log retention, default AUDIT_RETENTION_DAYS (365)",
    )
    purge.set_defaults(handler=_purge)

    evaluate = commands.add_parser(
        "eval",
        help="score the classifier on labelled files, or on the held-out sets and by grouped "
        "cross-validation",
    )
    evaluate.add_argument("files", nargs="*", help="labelled JSONL files (default: held-out sets)")
    evaluate.add_argument("--model", type=Path, default=None, help="a model folder to score")
    evaluate.add_argument("--compare", type=Path, default=None, help="a candidate model folder")
    evaluate.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    evaluate.set_defaults(handler=_eval)

    training = commands.add_parser(
        "train", help="train the classifier on the corpus and analysts' corrections"
    )
    training.add_argument("--out", type=Path, default=None, help="default CLASSIFIER_MODEL_DIR")
    training.add_argument("--no-corrections", action="store_true", help="the corpus only")
    training.add_argument("--force", action="store_true", help="install even if worse")
    training.set_defaults(handler=_train)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
