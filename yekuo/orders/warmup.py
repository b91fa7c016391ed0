"""Load at server start what the first request would otherwise build: the work tables, the regulations and the
URLconf with the views it imports.

A work table covers every calendar year loaded and takes a few hundred milliseconds to build; a regulation
spec is parsed from its stored text. Both are cached per process (`workcal.selectors.work_table`,
`regulations.selectors`), so without this the first request of each web worker pays for them.
`config/wsgi.py` calls `warm_up()`; with gunicorn's `--preload` (as `yekuo serve` runs it) that happens once,
in the master, and the workers it forks share the result.
"""

import logging

from django.db import DatabaseError
from django.urls import resolve

from yekuo.accounts.models import Company
from yekuo.common.errors import YekuoError
from yekuo.regulations.models import Regulation
from yekuo.regulations.selectors import regulation_spec
from yekuo.workcal.selectors import work_table

logger = logging.getLogger(__name__)


def warm_up() -> bool:
    """Load the URLconf, build every company's work table and parse every stored regulation; True when done.

    A database that is not ready (not migrated, no calendar yet) is not an error here: the caches are
    then filled by the first action, as before.
    """
    resolve("/healthz")  # the URLconf with every view module, and the resolver's tables: else the first request's
    try:
        for code in dict.fromkeys(["default", *Company.objects.values_list("code", flat=True)]):
            work_table(code)
        for code, checksum in Regulation.objects.values_list("code", "checksum"):
            regulation_spec(code, checksum)
        return True
    except (DatabaseError, YekuoError) as exc:
        logger.warning("warm-up skipped, the first requests will build the caches: %s", exc)
        return False
