"""The ``palace`` command: serve, worker, migrate, seed-demo, create-user, backup, restore."""

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from palace import checks, metrics_files
from palace.keeper import WorkerKeeper
from palace.settings import ConfigError, get_settings
from palace.web import logging as request_log

log = logging.getLogger("palace")
T = TypeVar("T")


def _setup_logging() -> None:
    level = os.environ.get("PALACE_LOG_LEVEL", "INFO").upper()
    log_format = os.environ.get("PALACE_LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in request_log.FORMATS:
        raise ConfigError(f"PALACE_LOG_FORMAT must be one of {', '.join(request_log.FORMATS)}")
    request_log.setup(level, log_format)  # times in UTC that say so, or JSON lines
    # Tortoise logs every connection open and close at INFO: noise for an operator.
    logging.getLogger("tortoise").setLevel(logging.WARNING)


def _fail(message: str) -> int:
    print(f"palace: {message}", file=sys.stderr)
    return 2


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if problem := asyncio.run(checks.services_problem()):
        return _fail(problem)
    # Before the app (and prometheus-client) is imported here or in uvicorn's processes.
    metrics_files.use_directory(get_settings().var_dir, tidy=True)
    worker = None
    if args.with_worker:
        worker = WorkerKeeper([sys.executable, "-m", "palace", "worker"])
        worker.start()
        # uvicorn re-raises SIGTERM after its own shutdown; turn it into SystemExit so the
        # `finally` below still stops the worker instead of leaving it orphaned.
        signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "palace.web.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("PALACE_TRUSTED_PROXIES", "127.0.0.1"),
            access_log=False,
            log_level=os.environ.get("PALACE_LOG_LEVEL", "info").lower(),
        )
    finally:
        if worker is not None:
            worker.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    if problem := asyncio.run(checks.services_problem()):
        return _fail(problem)
    metrics_files.use_directory(get_settings().var_dir, tidy=False)
    from workers import runner

    runner.run(burst=args.burst)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from palace.migrate import migrate

    if problem := asyncio.run(checks.database_problem()):
        return _fail(problem)
    asyncio.run(migrate())
    print("Database is up to date.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from palace.demo import seed as demo

    report = _with_database(demo.seed_demo)
    if report is None:
        return 2
    print(f"Created {report.summary()}." if report.changed else "Nothing to change.")
    for skipped in report.skipped:
        print(f"Skipped {skipped}.")
    print("Demo logins (card number / password) - for trying Palace out, never in production:")
    for account in demo.ACCOUNTS:
        print(f"  {account.role.value:<7} {account.card_no}  {account.password}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from palace.models import Role
    from palace.services.accounts import accounts
    from palace.services.core.errors import AccountError

    password = args.password or getpass.getpass("Password: ")

    async def create() -> object:
        return await accounts.register(
            card_no=args.card,
            name=args.name,
            phone=args.phone,
            password=password,
            role=Role(args.role),
        )

    try:
        member = _with_database(create)
    except AccountError as error:
        problems = ", ".join(f"{field}: {code}" for field, code in error.fields.items())
        return _fail(f"account not created ({problems or error.code})")
    if member is None:
        return 2
    print(f"Created {args.role} account {member}.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from palace import backup
    from palace.settings import get_settings

    try:
        backup.backup(get_settings().database_url, args.file)
    except backup.BackupError as error:
        return _fail(str(error))
    print(f"Backed up to {args.file}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from palace import backup
    from palace.settings import get_settings

    try:
        backup.restore(get_settings().database_url, args.file, force=args.force)
    except backup.BackupError as error:
        return _fail(str(error))
    print(f"Restored {args.file}; run `palace migrate` if it came from an older release.")
    return 0


def _with_database(action: Callable[[], Awaitable[T]]) -> T | None:
    from palace.db import close_database, open_database

    async def run() -> T | None:
        if problem := await checks.database_problem():
            _fail(problem)
            return None
        await open_database()
        try:
            return await action()
        finally:
            await close_database()

    return asyncio.run(run())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="palace", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default=os.environ.get("PALACE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PALACE_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=1, help="web processes")
    serve.add_argument("--with-worker", action="store_true", help="also run a background worker")
    serve.set_defaults(run=cmd_serve)
    worker = sub.add_parser("worker", help="run the background worker")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.set_defaults(run=cmd_worker)
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        run=cmd_migrate
    )
    sub.add_parser("seed-demo", help="load the demo palace and accounts").set_defaults(
        run=cmd_seed_demo
    )
    create = sub.add_parser("create-user", help="create an account with a role")
    create.add_argument("--card", required=True, help="union card number")
    create.add_argument("--name", required=True)
    create.add_argument("--phone", required=True)
    create.add_argument("--role", choices=["member", "desk", "staff", "admin"], default="member")
    create.add_argument("--password", help="asked for when not given")
    create.set_defaults(run=cmd_create_user)
    _backup_parsers(sub)
    return parser


def _backup_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    backup = sub.add_parser("backup", help="copy the database to FILE (safe while running)")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(run=cmd_backup)
    restore = sub.add_parser(
        "restore", help="load a backup into the configured database (stop Palace first)"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument(
        "--force", action="store_true", help="replace everything in a database that is not empty"
    )
    restore.set_defaults(run=cmd_restore)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        _setup_logging()
        code = args.run(args)
    except ConfigError as error:
        code = _fail(f"configuration error: {error}")
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
