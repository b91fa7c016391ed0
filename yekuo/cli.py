"""The `yekuo` console command: Django's management commands with yekuo's settings preset."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = sys.argv[1:] if argv is None else argv
    try:
        execute_from_command_line(["yekuo", *args])
    except DatabaseError as exc:
        # Django's own commands (createsuperuser, changepassword, …) on a database that was never migrated or
        # is down: the same one line as yekuo's commands (common.cli.exit_on_error), not a traceback. Not for
        # `migrate` itself, whose advice would be to run itself.
        from yekuo.common.cli import database_error_line

        line = None if args[:1] == ["migrate"] else database_error_line(exc)
        if line is None:
            raise
        sys.stderr.write(f"CommandError: {line}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
