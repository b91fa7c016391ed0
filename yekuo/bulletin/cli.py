"""The bulletin from the console: `yekuo report monthly --month YYYY-MM --format xlsx|pdf|html [--output FILE]`
(the indicators' `report` command hands these formats here) and the company a command works for."""

from __future__ import annotations

import sys
from pathlib import Path

from yekuo.accounts.models import Company
from yekuo.common.errors import InvalidInput

FORMATS = ("xlsx", "pdf", "html")


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


def write_bulletin(month: str, fmt: str, output: str | None, *, company: str | None = None, stdout=None) -> dict:
    """Freeze the month's bulletin as a new revision and write it in `fmt` to `output` (stdout when none:
    HTML as text, the binary formats as bytes). Returns what was written, for the command's summary line."""
    from yekuo.bulletin import render, services

    if fmt not in FORMATS:
        raise InvalidInput(f"format {fmt!r} is not one of {', '.join(FORMATS)}", field="format")
    run = services.report_run_create(company_for(company), month, source="cli")
    body = {"xlsx": render.xlsx, "pdf": render.pdf, "html": render.html}[fmt](run)
    data = body.encode("utf-8") if isinstance(body, str) else body
    if output:
        Path(output).write_bytes(data)
    else:
        stream = getattr(stdout, "_out", None) or sys.stdout
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(data)
            buffer.flush()
        else:
            stream.write(data.decode("utf-8") if fmt == "html" else data.hex())
    return {
        "month": month,
        "revision": run.revision,
        "format": fmt,
        "bytes": len(data),
        "output": output or "-",
        "changes": len(run.changes),
        "checksum": run.checksum,
    }
