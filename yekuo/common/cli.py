"""Helpers for management commands: JSON on stdout, one error line on stderr and exit code 2."""

import json
from collections.abc import Callable
from functools import wraps

from django.core.management.base import CommandError
from django.db import DatabaseError, OperationalError

from yekuo.common import migrated
from yekuo.common.errors import YekuoError


def print_json(command, data) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=None, default=str))


def database_error_line(exc: DatabaseError) -> str | None:
    """`<code>: <message>` for a database that was never migrated (`database_not_migrated`: run `yekuo
    migrate`) or that cannot be reached or, SQLite, stays locked (`database_unavailable`: a write is one
    statement or one transaction, so the command can simply be run again); None for any other error."""
    message = migrated.not_migrated_message(exc)
    if message is not None:
        return f"{migrated.CODE}: {message}"
    if isinstance(exc, OperationalError):
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"database_unavailable: {reason}; run the command again"
    return None


def exit_on_error(handler: Callable) -> Callable:
    """Turn a YekuoError into `<code>: <message>` on stderr and exit status 2, and so a database that was never
    migrated or cannot be reached (`database_error_line`), the codes the API answers with, and a file that cannot
    be opened or written (`file_error`), not a traceback."""

    @wraps(handler)
    def wrapper(self, *args, **options):
        try:
            return handler(self, *args, **options)
        except YekuoError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from exc
        except DatabaseError as exc:
            line = database_error_line(exc)
            if line is None:
                raise
            raise CommandError(line, returncode=2) from exc
        except OSError as exc:
            if exc.filename is None:  # not a file named on the command line (a closed pipe, a socket)
                raise
            # `--output /no/such/dir/x`, a read-only or full disk: the file and why, not a traceback
            raise CommandError(f"file_error: {exc.filename}: {exc.strerror}", returncode=2) from exc

    return wrapper
