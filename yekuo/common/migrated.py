"""A database that was never migrated is not a database that is down: tell the two apart, and say what to do.

A fresh database (an empty SQLite file, a newly created PostgreSQL database) answers every query with
"no such table" (SQLite, an OperationalError) or `relation … does not exist` (PostgreSQL, a ProgrammingError).
Retrying does not help; migrating does. The commands (`common.cli`), the API (`common.api.exception_handler`)
and the pages (`web.middleware`) turn such an error into `database_not_migrated` with the command to run, and
keep `database_unavailable` for a database that cannot be reached or is busy.
"""

from __future__ import annotations

import logging
import re

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

CODE = "database_not_migrated"
ADVICE = "run `yekuo migrate` (or `make run`, which also loads the calendar, the regulations and the demo)"

# SQLite's messages, and PostgreSQL's SQLSTATE codes (undefined_table, undefined_column).
_SQLITE = re.compile(r"^no such (table|column): (\S+)")
_POSTGRES_STATES = {"42P01", "42703"}
_QUOTED = re.compile(r'"([^"]+)"')
logger = logging.getLogger(__name__)


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str] | None:
    """The migrations this code has that the database has not applied ("app.0002_name"), or None when the
    database cannot be asked (it is down, or in a transaction that has failed)."""
    connection = connections[using]
    if connection.in_atomic_block:
        return None  # a failed PostgreSQL transaction refuses every statement until it is rolled back
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:  # the error being explained is reported by the caller; this one only here
        logger.info("cannot read the migration state: %s", exc)
        return None
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def missing_object(exc: BaseException) -> str | None:
    """The table or column a database error says does not exist (None for any other error)."""
    if not isinstance(exc, DatabaseError):
        return None
    text = str(exc).strip()
    found = _SQLITE.match(text)
    if found:
        return found.group(2)
    if getattr(exc.__cause__, "sqlstate", None) in _POSTGRES_STATES:
        quoted = _QUOTED.search(text)
        return quoted.group(1) if quoted else "a table"
    return None


def not_migrated_message(exc: BaseException, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """One line saying the database lacks its tables and what to run, when `exc` is that; else None.

    When the database can be asked, its migration state confirms it: a missing table in a fully migrated
    database is a bug to report, not advice to migrate."""
    missing = missing_object(exc)
    if missing is None:
        return None
    pending = pending_migrations(using)
    if pending == []:
        return None
    name = connections[using].settings_dict.get("NAME")
    return f"the database {name} has no {missing}: it was never migrated, or lacks a migration; {ADVICE}"


def check_migrated(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Before serving: one line saying which migrations are missing and what to run, or None when none is (or
    the database cannot be asked: then the pages and the API answer `database_unavailable` until it can)."""
    pending = pending_migrations(using)
    if not pending:
        return None
    name = connections[using].settings_dict.get("NAME")
    what = "was never migrated" if len(pending) == len(_all_migrations(using)) else f"lacks {len(pending)} migrations"
    return f"the database {name} {what} (first missing: {pending[0]}); {ADVICE}"


def _all_migrations(using: str) -> list:
    return list(MigrationExecutor(connections[using]).loader.graph.nodes)
