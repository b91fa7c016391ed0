"""One multi-row INSERT for rows whose keys nobody needs back.

`QuerySet.bulk_create` prepares every object through the ORM's full machinery and, on PostgreSQL, asks
for the new keys back; creating an order writes some twenty node, clock and event rows, and that
preparation was most of the time a new order took (bench/lifecycle.py). The values are still prepared by
each field itself (`pre_save`, `get_db_prep_save`), so defaults, auto_now_add and JSON behave as usual.
"""

from django.db import connection
from django.db.models import AutoField


def insert_rows(model, objs: list) -> None:
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField) and not f.generated]
    rows, params = [], []
    for obj in objs:
        rows.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join(rows)}", params)
