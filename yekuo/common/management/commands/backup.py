"""`yekuo backup`: the database and the uploaded files in one .tar.gz (common/backup, docs/operations)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from yekuo.common.backup import backup
from yekuo.common.cli import exit_on_error


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup, or pg_dump -Fc) and the uploaded files into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="The archive to write (default: YEKUO_DATA_DIR/backups/yekuo-<time>.tar.gz)",
        )

    @exit_on_error
    def handle(self, *args, output=None, **options):
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.DATA_DIR) / "backups" / f"yekuo-{stamp}.tar.gz"
        manifest = backup(output)
        self.stdout.write(f"{output}: {manifest['database']} database and {manifest['media_files']} uploaded files")
