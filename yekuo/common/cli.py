"""Helpers for management commands: JSON on stdout, one error line on stderr and exit code 2."""

import json
from collections.abc import Callable
from functools import wraps

from django.core.management.base import CommandError
from django.db import OperationalError

from yekuo.common.errors import YekuoError


def print_json(command, data) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=None, default=str))


def exit_on_error(handler: Callable) -> Callable:
    """Turn a YekuoError into `yekuo: error: <code>: <message>` and exit status 2; a database that cannot be
    reached (or, SQLite, stays locked) into `database_unavailable`, the code the API answers with, not a
    traceback (a write is one statement or one transaction, so the command can simply be run again)."""

    @wraps(handler)
    def wrapper(self, *args, **options):
        try:
            return handler(self, *args, **options)
        except YekuoError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from exc
        except OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"database_unavailable: {reason}; run the command again", returncode=2) from exc

    return wrapper
