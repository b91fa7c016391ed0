"""The query planner's statistics (P4).

PostgreSQL keeps its own (autovacuum analyzes a table as it grows). SQLite has none until ANALYZE runs, and
without them it guesses that an equality on any indexed column finds ten rows: for a company's whole list it
then reads every order of each branch and sorts them all, where the index on created_at gives the newest
twenty at once, and for an alarm filter it passes over the partial index that holds only the orders with a
running clock (a few in ten). With statistics it takes both. So the embedded database is analyzed after
migrating (orders migration 0005) and every night (`refresh_statistics_nightly`); ANALYZE reads each index
once, about a second at 100,000 orders.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def refresh_statistics(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Analyze an SQLite database; True when it did (PostgreSQL needs nothing: autovacuum does it)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
