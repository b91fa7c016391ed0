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
        sys.stdout.flush()  # inside the try: a reader gone by now is a broken pipe too
    except BrokenPipeError:
        # `yekuo export events … | head`: the reader has what it wanted. Quiet, as a Unix filter is; the
        # idiom of Python's documentation (signal, "Note on SIGPIPE"): stdout to devnull so the exit's
        # flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
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
