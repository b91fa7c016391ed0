"""Multi-row INSERTs built from model instances, for rows written on a hot path.

`QuerySet.bulk_create` prepares every object through the ORM's full machinery; creating an order writes
some twenty node, clock and event rows, and that preparation was most of a new order's time
(bench/lifecycle.py). The values are still prepared by each field itself (`pre_save`,
`get_db_prep_save`), so defaults, auto_now_add and JSON behave as usual.
"""

from django.db import connection
from django.db.models import AutoField


def insert_statement(model, objs: list, returning: str | None = None) -> tuple[str, list]:
    """The INSERT of `objs` (pre_save applied to each, so auto_now_add is set on the objects too)."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField) and not f.generated]
    rows, params = [], []
    for obj in objs:
        rows.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join(rows)}"
    return (f"{sql} RETURNING {qn(returning)}" if returning else sql), params


def insert_rows(model, objs: list) -> None:
    """Insert `objs` in one statement, when nobody needs their keys back."""
    if not objs:
        return
    with connection.cursor() as cursor:
        cursor.execute(*insert_statement(model, objs))


def fetch_prepared(sql: str, params: list) -> list[tuple]:
    """Run a hot statement and return its rows; on PostgreSQL it is planned once per connection.

    Django binds parameters on the client and never prepares (its connections must work behind a
    transaction-mode pooler), so PostgreSQL parses and plans every statement again, and for the write
    path's two statements planning cost more than running them. Here psycopg binds on the server and
    prepares the statement (it keeps the last 100 per connection). yekuo connects to PostgreSQL
    directly; behind a pooler in transaction mode these statements would have to go unprepared.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall() if cursor.description else []
