"""The host's floor for one durable action: what a round trip and a committed one-row UPDATE cost.

    .venv/bin/python bench/pg_floor.py [--round-trips 2000]

An action of the write path (yekuo/orders/store.py) is two round trips to PostgreSQL: one SELECT, and one
statement that writes and commits. This measures the same two with nothing of yekuo in them (`SELECT 1` and
`UPDATE` of one row of a one-row table, prepared, autocommit), as CPU of this process (psycopg and Python)
and of its PostgreSQL backend, read from /proc (so PostgreSQL must run on this machine). It tells what of an
action's cost no change to yekuo can remove on this host, as `host_day_loop_per_s` tells its Python speed.
bench/lifecycle.py prints these figures with its own. The last line is JSON:
{"client_us_per_round_trip": …, "pg_us_per_select": …, "pg_us_per_commit": …, "floor_us_per_action": …}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, round_trips: int = 2000) -> dict:
    """Best of three runs of `round_trips` of each statement, in µs per statement."""
    import psycopg

    with psycopg.connect(url, autocommit=True, prepare_threshold=0) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id int PRIMARY KEY, n bigint NOT NULL)")
        conn.execute("INSERT INTO bench_floor VALUES (1, 0) ON CONFLICT DO NOTHING")
        backend = conn.info.backend_pid

        def run(sql: str) -> tuple[float, float]:
            client, server = time.process_time(), cpu_seconds(backend)
            for _ in range(round_trips):
                conn.execute(sql).fetchall()
            return ((time.process_time() - client) / round_trips * 1e6,
                    (cpu_seconds(backend) - server) / round_trips * 1e6)  # fmt: skip

        select = min((run("SELECT 1") for _ in range(3)), key=sum)
        commit = min((run("UPDATE bench_floor SET n = n + 1 WHERE id = 1 RETURNING n") for _ in range(3)), key=sum)
        conn.execute("DROP TABLE bench_floor")
    client = (select[0] + commit[0]) / 2
    return {
        "client_us_per_round_trip": round(client),
        "pg_us_per_select": round(select[1]),
        "pg_us_per_commit": round(commit[1]),
        "floor_us_per_action": round(2 * client + select[1] + commit[1]),
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.lifecycle import database_url, recreate_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=2000)
    args = parser.parse_args()
    recreate_database()
    print(json.dumps(measure(database_url(), args.round_trips)))


if __name__ == "__main__":
    main()
