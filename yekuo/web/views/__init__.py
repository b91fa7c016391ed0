"""The staff pages; one module per page family. `home` and `healthz` keep their old import path."""

from yekuo.web.views.status import healthz, home

__all__ = ["healthz", "home"]
