"""Statements for rows written on a hot path, built without the ORM's per-query machinery.

`QuerySet.bulk_create` prepares every object through the ORM's full machinery; creating an order writes
some twenty node, clock and event rows, and that preparation was most of a new order's time
(bench/lifecycle.py). Here rows go in one multi-row INSERT (`insert_rows`, SQLite's path), or, on
PostgreSQL, as one JSON parameter of a prepared statement (`json_rows`, `fetch_prepared`); values still
come from each field (`pre_save`, `get_db_prep_save` where the field would change them), so defaults,
auto_now_add and JSON behave as usual.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from operator import attrgetter

import orjson
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import AutoField
from django.utils import timezone
from psycopg import Cursor, errors, pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.types.datetime import TimestamptzLoader
from psycopg.types.json import set_json_loads


def insert_rows(model, objs: list) -> None:
    """Insert `objs` in one statement, when nobody needs their keys back (pre_save is applied to each,
    so auto_now_add is set on the objects too)."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField) and not f.generated]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    with connection.cursor() as cursor:
        cursor.execute(sql + ", ".join([row] * len(objs)), params)


def json_rows(model, objs: list, exclude: tuple[str, ...] = ()) -> str:
    """`objs` as a JSON array of {column: value}, for `jsonb_populate_recordset(NULL::table, %s::jsonb)`
    (PostgreSQL): a whole set of rows as one parameter, so that a hot statement's text, and its prepared
    plan, do not depend on how many rows it writes."""
    plan = _json_plan(model, exclude)
    return json_dumps([{column: get(obj) for column, get in plan} for obj in objs])


def json_row(model, obj, exclude: tuple[str, ...] = ()) -> str:
    """One object as JSON {column: value}, for `jsonb_populate_record(NULL::table, %s::jsonb)`."""
    return json_dumps({column: get(obj) for column, get in _json_plan(model, exclude)})


def json_values(model, rows: list[dict], exclude: tuple[str, ...] = ()) -> str:
    """Like json_rows, from rows given as {column: value} instead of model objects (a new order's twenty
    rows: building the objects only to read them back cost more than writing them). A missing column takes
    its field's default, as a new object would, and an auto_now(_add) column the current time."""
    defaults, made, now_columns, prepared = _json_defaults(model, exclude)
    if now_columns:
        now = timezone.now()
        defaults = {**defaults, **dict.fromkeys(now_columns, now)}
    out = []
    for values in rows:
        row = {**defaults, **values}
        for column, field in made:
            if column not in values:
                row[column] = field.get_default()
        for column, field in prepared:
            row[column] = field.get_db_prep_save(row[column], connection)
        out.append(row)
    return json_dumps(out)


@cache
def _json_defaults(model, exclude: tuple[str, ...]) -> tuple[dict, tuple, tuple, tuple]:
    """For json_values: each column's fixed default, the columns whose default is made anew for each row (a
    callable such as uuid4; `list` and `dict` give the same JSON every time, so they count as fixed), the
    auto_now(_add) columns, and the fields to prepare."""
    columns = json_columns(model, exclude)
    fields = [f for f in model._meta.concrete_fields if f.column in columns]
    made = tuple(
        (f.column, f) for f in fields if f.has_default() and callable(f.default) and f.default not in (list, dict)
    )
    defaults = {f.column: f.get_default() for f in fields}
    now_columns = tuple(f.column for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    prepared = tuple((f.column, f) for f in fields if not isinstance(f, _AS_JSON) and f.column not in now_columns)
    return defaults, made, now_columns, prepared


def json_columns(model, exclude: tuple[str, ...] = ()) -> list[str]:
    """The columns json_rows and json_row write, in their order."""
    return [column for column, _ in _json_plan(model, exclude)]


def json_dumps(value) -> str:
    """JSON for PostgreSQL to read: datetimes in ISO 8601 with their offset (orjson writes them itself,
    in C, as `datetime.isoformat` would), decimals exact."""
    return orjson.dumps(value, default=_json_default).decode()


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@cache
def _json_plan(model, exclude: tuple[str, ...]) -> list:
    plan = []
    for f in model._meta.concrete_fields:
        if isinstance(f, AutoField) or f.generated or f.name in exclude:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            get = partial(_pre_save, f)
        elif isinstance(f, _AS_JSON):
            get = attrgetter(f.attname)
        else:
            get = partial(_prep_attribute, f)
        plan.append((f.column, get))
    return plan


def _prep_attribute(field, obj):
    return field.get_db_prep_save(getattr(obj, field.attname), connection)


def _pre_save(field, obj):
    return field.pre_save(obj, True)


# Fields whose Python values go into the JSON as they are (datetimes and decimals through _json_default)
# and which PostgreSQL reads back into the column's type; any other field's value is prepared by the field.
_AS_JSON = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.DateTimeField,
    models.ForeignKey,
    models.JSONField,
)


@cache
def postgresql() -> bool:
    """Whether the default database is PostgreSQL: fixed for the process, while each `connection.vendor`
    is a thread-local look-up (several per action on the write path)."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def fetch_prepared(sql: str, params: list) -> list[tuple]:
    """Run a hot statement (one that returns rows) and return them; on PostgreSQL it is planned once per
    connection.

    Django binds parameters on the client and never prepares (its connections must work behind a
    transaction-mode pooler), so PostgreSQL parses and plans every statement again, and for the write
    path's statements planning cost more than running them. Here the statement is prepared on the
    server once per connection and then run through libpq directly (`_Prepared`). yekuo connects to
    PostgreSQL directly; behind a pooler in transaction mode YEKUO_DB_PREPARE=0 sends them unprepared,
    through Django's cursor.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: every attribute of the `connection` proxy is a lookup
    if not (postgresql() and settings.YEKUO_DB_PREPARE):
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    db.ensure_connection()
    raw = db.connection
    prepared = getattr(db, "_yekuo_prepared", None)
    if prepared is None or prepared.connection is not raw:
        prepared = db._yekuo_prepared = _Prepared(raw)
    with db.wrap_database_errors:
        return prepared.run(sql, params)


class _Prepared:
    """The hot statements of one psycopg connection, prepared once and run by libpq's PQexecPrepared.

    psycopg's cursor does the same with a prepared statement, but around it runs generators, a wait loop,
    a cache look-up by query and result bookkeeping: a tenth of the Python of an action
    (bench/instructions.py). Here each statement keeps its own Transformer, whose column loaders are set
    from its first result and kept (a prepared statement's columns do not change). Parameters are sent as
    text and typed by the server from the statement, as a literal would be.
    """

    def __init__(self, raw):
        self.connection, self.pgconn = raw, raw.pgconn
        self.context = Cursor(raw)  # only as the adaptation context of the Transformers
        # psycopg's own loader, which it runs in C; Django's subclass (for its cursors) runs in Python.
        # Both give aware datetimes for the same instants.
        self.context.adapters.register_loader("timestamptz", TimestamptzLoader)
        set_json_loads(orjson.loads, self.context)  # the write path reads an order's log as one json value
        self.statements: dict[str, _Statement] = {}

    def run(self, sql: str, params: list) -> list[tuple]:
        if not self.connection.autocommit and self.pgconn.transaction_status == _IDLE:
            # Inside Django's atomic() (autocommit off) psycopg sends BEGIN with the first command: let its
            # cursor run this one, so that the transaction starts, and ends, where Django expects.
            self.context.execute(sql, params)
            return self.context.fetchall()
        statement = self.statements.get(sql) or self._prepare(sql)
        values = statement.transformer.dump_sequence(params, [_TEXT] * len(params))
        result = self.pgconn.exec_prepared(statement.name, values)
        if result.status == _FATAL_ERROR and self._lost(result):
            # DISCARD or DEALLOCATE ALL dropped them (yekuo sends neither): prepare again, outside a transaction.
            self.statements.clear()
            statement = self._prepare(sql)
            result = self.pgconn.exec_prepared(statement.name, values)
        if result.status != _TUPLES_OK:
            raise self._error(result)
        statement.transformer.set_pgresult(result, set_loaders=not statement.loaded)
        statement.loaded = True
        return statement.transformer.load_rows(0, result.ntuples, tuple)

    def _prepare(self, sql: str) -> "_Statement":
        name = f"yekuo_{len(self.statements)}".encode()
        result = self.pgconn.prepare(name, _numbered_placeholders(sql).encode())
        if result.status != _COMMAND_OK:
            raise self._error(result)
        statement = self.statements[sql] = _Statement(name, Transformer(self.context))
        return statement

    def _lost(self, result) -> bool:
        return (
            result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000"  # invalid_sql_statement_name
            and self.pgconn.transaction_status == _IDLE
        )

    def _error(self, result):
        return errors.error_from_result(result, encoding=self.connection.info.encoding)


_TEXT = PyFormat.TEXT
_IDLE = pq.TransactionStatus.IDLE
_TUPLES_OK, _COMMAND_OK, _FATAL_ERROR = pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK, pq.ExecStatus.FATAL_ERROR


@dataclass
class _Statement:
    name: bytes
    transformer: Transformer
    loaded: bool = False


def _numbered_placeholders(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's `$1`, `$2`…; the hot statements have no other `%`."""
    parts = sql.split("%s")
    if any("%" in part for part in parts):
        raise ValueError(f"a prepared statement may use only %s placeholders: {sql[:80]}")
    return "".join(f"{part}${i}" if i < len(parts) else part for i, part in enumerate(parts, start=1))
