"""Read settings from environment variables and fail loudly on bad values.

A setting that silently falls back to a default when it was mistyped is how a utility ends up
running production on SQLite; every parser here raises ImproperlyConfigured naming the variable.
"""

import ipaddress
import os
from datetime import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def default_web_workers() -> int:
    """Gunicorn's advice, (2 × cores) + 1: a worker waits on the database for about half of each request
    (bench/per_action.py: about 1.6 ms of its own CPU in 3.2 ms of wall time per action, the rest its
    PostgreSQL backend's work and the commit's WAL flush), so one per core leaves the cores idle during
    those waits. Cores this process may run on, not the machine's; at most MAX_DEFAULT_WEB_WORKERS, since
    each worker holds a PostgreSQL connection and a large host would otherwise exhaust max_connections (100 by
    default). WEB_WORKERS sets any number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2 * cores + 1, MAX_DEFAULT_WEB_WORKERS)


MAX_DEFAULT_WEB_WORKERS = 17


def web_workers() -> int:
    """WEB_WORKERS, or default_web_workers(): `yekuo serve`'s web processes (settings.YEKUO_WEB_WORKERS, and
    bench/lifecycle.py, which reads it without starting Django)."""
    return env_int("WEB_WORKERS", default_web_workers(), minimum=1)


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_float(name: str, default: float | None, minimum: float = 0.0, maximum: float = 1.0) -> float | None:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in {"", "none", "off"}:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} must be between {minimum} and {maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_range(name: str, default: str) -> tuple[time, time] | None:
    """`HH:MM-HH:MM` (may cross midnight) as two times; "off" or empty: None."""
    raw = os.environ.get(name, default).strip()
    if raw.lower() in {"", "off", "none"}:
        return None
    try:
        begin, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a time range like 22:00-07:30, or off") from None
    if begin == end:
        raise ImproperlyConfigured(f"{name}={raw!r} is empty; use off for no quiet hours")
    return begin, end


def env_networks(name: str) -> tuple:
    """A comma-separated list of IP addresses or networks (`10.0.0.5, 10.1.0.0/16`), as ip_network objects."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or network") from None
    return tuple(networks)


def env_dir(name: str, default: Path) -> Path:
    path = Path(os.environ.get(name) or default).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"{name}={path} exists and is not a directory")
    return path


def database_from_url(name: str, default: str) -> dict:
    import dj_database_url

    url = os.environ.get(name) or default
    scheme = url.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{name} scheme {scheme!r} is not supported; use sqlite:/// or postgresql://")
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config["ENGINE"].endswith("sqlite3"):
        # SQLite ignores persistent connections across threads; keep behaviour simple and explicit.
        config["CONN_MAX_AGE"] = 0
        # Several processes write to the embedded database (`yekuo serve`'s web workers and its task worker).
        # A deferred transaction that reads and then writes cannot wait for the write lock (SQLite answers
        # "database is locked" at once, to avoid a deadlock), so transactions take it when they begin; in
        # WAL mode readers do not wait for the writer at all (the mode is kept in the file; `synchronous`
        # stays FULL, so a commit is durable as on PostgreSQL).
        config.setdefault("OPTIONS", {}).update(
            timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
        )
    else:
        # PostgreSQL: parameters bound on the server, and a statement run five times on a connection is prepared
        # there (psycopg's `prepare_threshold`), so that the write path's statements are parsed and planned once
        # per connection, not once per action (bench/RESULTS.md, P2). DATABASE_PREPARE=off for a pooler that
        # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        prepare = env_bool("DATABASE_PREPARE", True)
        config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5 if prepare else None)
    return config


def env_url(name: str, default: str) -> str:
    """An http(s) base URL (a partner service's endpoint), without its trailing slash."""
    url = (os.environ.get(name) or default).strip()
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise ImproperlyConfigured(f"{name}={url!r} must be an http:// or https:// URL")
    return url.rstrip("/")


def redis_url(name: str) -> str | None:
    url = os.environ.get(name)
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={url!r} must start with redis://, rediss:// or unix://")
    return url
