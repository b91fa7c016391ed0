"""The bulletin from the console: `yekuo report monthly --month YYYY-MM --format xlsx|pdf|html [--output FILE]`.

The indicators' `report` command (yekuo/reports/management/commands/report.py) serves every format
registered with it; `register()` (called when the app is ready) adds these three. Each run freezes the
month's bulletin as a new revision (R12) and writes that revision's documents: `--format xlsx,pdf` makes one
revision and both its files.
"""

from __future__ import annotations

import sys

from yekuo.accounts.models import Company
from yekuo.common.errors import InvalidInput

FORMATS = ("xlsx", "pdf", "html")
RUN = "bulletin_run"  # the revision made for the command's first bulletin format, kept in its options


def company_for(code: str | None) -> Company:
    """The company named, or the only one; several companies and none named is `invalid_input`."""
    if code:
        found = Company.objects.filter(code=code).first()
        if found is None:
            raise InvalidInput(f"no company {code!r}", field="company")
        return found
    companies = list(Company.objects.order_by("code")[:20])
    if len(companies) == 1:
        return companies[0]
    if not companies:
        raise InvalidInput("there is no company yet (run `yekuo demo` or create one)", field="company")
    raise InvalidInput(
        f"there are several companies; name one with --company ({', '.join(c.code for c in companies)})",
        field="company",
    )


def render_format(fmt: str):
    """The `report` command's renderer of `fmt`: (the month's indicators, the command's options) → bytes."""

    def render(figures: dict, options: dict) -> bytes:
        from yekuo.bulletin import render as documents
        from yekuo.bulletin import services

        if options.get("branch"):
            raise InvalidInput("the bulletin is company-wide: --branch is for --format json", field="branch")
        run = options.get(RUN)  # several formats in one command: one revision, its files
        if run is None:
            run = services.report_run_create(
                company_for(options.get("company")), options["month"], source="cli", figures=figures
            )
            options[RUN] = run
            sys.stderr.write(
                f"bulletin {run.month} revision {run.revision}: {len(run.changes)} changes since the last\n"
            )
        body = getattr(documents, fmt)(run)
        return body.encode("utf-8") if isinstance(body, str) else body

    return render


def register() -> None:
    from yekuo.reports.management.commands.report import register_format

    for fmt in FORMATS:
        register_format(fmt, render_format(fmt), text=fmt == "html")
