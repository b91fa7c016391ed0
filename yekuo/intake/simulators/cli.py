"""A government platform pushing signed applications and receiving callbacks (docs/platforms.md)."""

import json
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import CommandError


def add_arguments(parser):
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="yekuo's base URL")
    parser.add_argument("--platform", default="approval_platform", help="platform code (default approval_platform)")
    parser.add_argument("--key-id", default=None, help="the platform's key id (default: issue one locally)")
    parser.add_argument("--secret", default=None, help="the key's secret")
    parser.add_argument("--rate", type=float, default=5.0, help="pushes per second (0: as fast as possible)")
    parser.add_argument("--duplicates", type=float, default=0.3, help="share of pushes repeating an earlier one")
    parser.add_argument("--bad", type=float, default=0.05, help="share of faulty pushes")
    parser.add_argument("--count", type=int, default=None, help="stop after this many pushes")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    parser.add_argument("--concurrency", type=int, default=4, help="pushes in flight at once")
    parser.add_argument("--listen", default=None,
                        help="host:port of the callback server (default: the port of YEKUO_PLATFORM_CALLBACK_URL; "
                             "'off' for none)")  # fmt: skip
    parser.add_argument("--callback-secret", default=None, help="verify callbacks with it (default: settings)")
    parser.add_argument("--linger", type=float, default=0.0, help="seconds to keep receiving callbacks at the end")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--address",
        action="append",
        default=None,
        help="a site address to use (repeat it; default: addresses in the demo's service areas)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def _local_key(code: str) -> tuple[str, str]:
    """Issue a key for the platform on the local database (creating the platform for the only company)."""
    from yekuo.accounts.models import Company
    from yekuo.intake import credentials
    from yekuo.intake.models import Platform
    from yekuo.intake.platforms import platform_ensure

    platform = Platform.objects.filter(code=code).first()
    if platform is None:
        company = Company.objects.order_by("pk").first()
        if company is None:
            raise CommandError("no company: run `yekuo demo` first, or give --key-id and --secret")
        platform = platform_ensure(code, company)
    issued = credentials.key_issue(platform)
    return issued.key.key_id, issued.secret


def command(options):
    from yekuo.intake.simulators.platform import run

    if bool(options["key_id"]) != bool(options["secret"]):
        raise CommandError("give both --key-id and --secret, or neither")
    key_id, secret = (options["key_id"], options["secret"]) if options["key_id"] else _local_key(options["platform"])
    listen = options["listen"]
    if listen is None:
        listen = f"127.0.0.1:{urlsplit(settings.YEKUO_PLATFORM_CALLBACK_URL).port or 8790}"
    elif listen == "off":
        listen = None
    print(json.dumps({"platform": options["platform"], "key_id": key_id, "started": int(time.time())}), flush=True)
    run(url=options["url"], code=options["platform"], key_id=key_id, secret=secret, rate=options["rate"],
        duplicates=options["duplicates"], bad=options["bad"], count=options["count"], duration=options["duration"],
        concurrency=options["concurrency"], listen=listen, linger=options["linger"], seed=options["seed"],
        callback_secret=options["callback_secret"] if options["callback_secret"] is not None
        else settings.YEKUO_PARTNER_SECRET, quiet=options["quiet"], addresses=options["address"])  # fmt: skip
