"""`yekuo restore ARCHIVE`: a `yekuo backup` archive back into the configured database and MEDIA_ROOT."""

from pathlib import Path

from django.core.management.base import BaseCommand

from yekuo.common.backup import restore
from yekuo.common.cli import exit_on_error


class Command(BaseCommand):
    help = (
        "Restore a `yekuo backup` archive into the configured (empty) database and the uploads folder; then run "
        "`yekuo migrate` if this yekuo is newer, and `yekuo orders verify`."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="Replace a database that is not empty")

    @exit_on_error
    def handle(self, *args, archive, force=False, **options):
        manifest = restore(archive, force=force)
        self.stdout.write(
            f"restored {manifest['database']} database of {manifest['created_at']} and "
            f"{manifest['media_files']} uploaded files from {archive}"
        )
