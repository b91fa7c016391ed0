"""A whole yekuo in one file, and back (O7): the database and the uploaded files, consistent and restorable.

The archive is a .tar.gz of

- `manifest.json`: the format, when and from what it was made (database vendor, yekuo version, the last
  migration of each app), and the SHA-256 of the database file;
- the database: `database.sqlite3`, a copy made with SQLite's online backup API (`sqlite3.Connection.backup`: a
  consistent snapshot while the server keeps running and writing), or `database.pgdump`, PostgreSQL's custom
  format from `pg_dump -Fc` (one transaction, so consistent too);
- `media/`: the uploaded files (suspension evidence) under MEDIA_ROOT.

A restore goes into an empty database of the same vendor (or, with `force`, replaces the one there), with the
PostgreSQL client tools `pg_dump`/`pg_restore` of the server's major version or newer on PATH for PostgreSQL.
Files are written after the database: an upload added between the dump and the copy of the files is at worst
present without a row pointing to it, never a row without its file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from yekuo.common.errors import YekuoError

FORMAT = 1
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(YekuoError):
    code = "backup"


def backup(output: Path) -> dict:
    """Write the archive to `output`; its manifest is returned."""
    vendor = _vendor()
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yekuo-backup-", dir=output.parent) as scratch:
        dump = Path(scratch) / DUMPS[vendor]
        _dump_sqlite(dump) if vendor == "sqlite" else _dump_postgresql(dump)
        media = Path(settings.MEDIA_ROOT)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "database_file": dump.name,
            "database_sha256": _sha256(dump),
            "yekuo_version": _yekuo_version(),
            "migrations": _last_migrations(),
            "media_files": len(files),
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for path in files:
                archive.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
        partial.replace(output)  # never a half-written archive under the name asked for
    return manifest


def restore(archive_path: Path, *, force: bool = False) -> dict:
    """Restore the archive into the configured database and MEDIA_ROOT; its manifest is returned."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"{archive_path}: no such file")
    vendor = _vendor()
    with tempfile.TemporaryDirectory(prefix="yekuo-restore-") as scratch, tarfile.open(archive_path, "r:gz") as tar:
        # The data filter refuses absolute paths, `..`, links out of the folder and device files.
        tar.extractall(scratch, filter="data")
        root = Path(scratch)
        manifest = _read_manifest(root)
        if manifest["database"] != vendor:
            raise BackupError(f"the archive holds a {manifest['database']} database; this yekuo uses {vendor}")
        dump = root / manifest["database_file"]
        if _sha256(dump) != manifest["database_sha256"]:
            raise BackupError(f"{archive_path}: the database file does not match its checksum; the archive is damaged")
        if connection.introspection.table_names() and not force:
            raise BackupError(
                "the database is not empty; restore into a new database, or add --force to replace this one"
            )
        connection.close()
        _restore_sqlite(dump) if vendor == "sqlite" else _restore_postgresql(dump)
        media = root / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return manifest


# ------------------------------------------------------------------------------------------------ SQLite
def _sqlite_path() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def _dump_sqlite(dump: Path) -> None:
    source = sqlite3.connect(_sqlite_path())
    target = sqlite3.connect(dump)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_sqlite(dump: Path) -> None:
    # The backup API into the live file: pages are replaced under SQLite's own locks, so a server that still has
    # the file open sees either the old database or the restored one.
    source = sqlite3.connect(dump)
    target = sqlite3.connect(_sqlite_path(), timeout=30)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


# ------------------------------------------------------------------------------------------------ PostgreSQL
def _pg_environment() -> dict:
    """libpq's own variables, so that no password appears on a command line (`ps` shows those to everyone)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                          ("NAME", "PGDATABASE")):  # fmt: skip
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client tools (postgresql-client)")
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _dump_postgresql(dump: Path) -> None:
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"])


def _restore_postgresql(dump: Path) -> None:
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={_pg_environment()['PGDATABASE']}", str(dump)])  # fmt: skip


# ------------------------------------------------------------------------------------------------ helpers
def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"backups of a {connection.vendor} database are not supported")
    return connection.vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _yekuo_version() -> str:
    try:
        return version("yekuo")
    except PackageNotFoundError:
        return "unknown"


def _last_migrations() -> dict[str, str]:
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        last[app] = name
    return last


def _read_manifest(root: Path) -> dict:
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError("the archive has no readable manifest.json; it is not a yekuo backup") from None
    if manifest.get("format") != FORMAT or manifest.get("database_file") not in DUMPS.values():
        raise BackupError(f"the archive's format {manifest.get('format')!r} is not one this yekuo restores")
    return manifest
