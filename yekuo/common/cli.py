"""Helpers for management commands: JSON on stdout, one error line on stderr and exit code 2."""

import json
from collections.abc import Callable
from functools import wraps

from django.core.management.base import CommandError

from yekuo.common.errors import YekuoError


def print_json(command, data) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=None, default=str))


def exit_on_error(handler: Callable) -> Callable:
    """Turn a YekuoError into `yekuo: error: <code>: <message>` and exit status 2."""

    @wraps(handler)
    def wrapper(self, *args, **options):
        try:
            return handler(self, *args, **options)
        except YekuoError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from exc

    return wrapper
