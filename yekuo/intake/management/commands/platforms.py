"""`yekuo platforms`: partner platforms and their keys (R3; docs/platforms.md).

    yekuo platforms create CODE --company ordos [--route queue|branch|reserve]   # and its first key
    yekuo platforms route CODE queue|branch|reserve
    yekuo platforms hosts CODE [HOST …]              # where its documents may be fetched from (none: any host)
    yekuo platforms rotate CODE [--overlap-hours 72]   # a new key; the old ones expire after the overlap
    yekuo platforms revoke KEY_ID                      # at once
    yekuo platforms list
    yekuo platforms relay                              # node progress callbacks now (the worker does it every minute)

A new key's secret is printed once (JSON) and never stored: hand it to the partner over a safe channel.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yekuo.accounts.models import Company
from yekuo.common.cli import exit_on_error
from yekuo.intake import credentials
from yekuo.intake.models import Platform, PlatformKey
from yekuo.intake.platforms import platform_ensure


def _issued(issued) -> str:
    return json.dumps({"platform": issued.key.platform.code, "key_id": issued.key.key_id, "secret": issued.secret})


class Command(BaseCommand):
    help = "Create platforms, issue, rotate and revoke their keys, set their routes (docs/platforms.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a platform (if missing) and a new key")
        create.add_argument("code")
        create.add_argument("--company", required=True, help="company code")
        create.add_argument("--route", choices=["queue", "branch", "reserve"])
        route = sub.add_parser("route", help="set a platform's route (R3)")
        route.add_argument("code")
        route.add_argument("route", choices=["queue", "branch", "reserve"])
        hosts = sub.add_parser("hosts", help="the hosts its documents may be fetched from (none given: any)")
        hosts.add_argument("code")
        hosts.add_argument("hosts", nargs="*")
        rotate = sub.add_parser("rotate", help="a new key; the live ones expire after the overlap")
        rotate.add_argument("code")
        rotate.add_argument("--overlap-hours", type=int, default=None)
        revoke = sub.add_parser("revoke", help="stop accepting a key now")
        revoke.add_argument("key_id")
        sub.add_parser("list", help="platforms and their keys")
        sub.add_parser("relay", help="enqueue node-progress callbacks now")

    def _platform(self, code):
        platform = Platform.objects.filter(code=code).first()
        if platform is None:
            raise CommandError(f"no platform {code!r}; create it with `yekuo platforms create {code} --company …`")
        return platform

    @exit_on_error
    def handle(self, *args, action, **options):
        if action == "create":
            company = Company.objects.filter(code=options["company"]).first()
            if company is None:
                raise CommandError(f"no company {options['company']!r}")
            platform = platform_ensure(options["code"], company, route=options["route"])
            self.stdout.write(_issued(credentials.key_issue(platform)))
        elif action == "route":
            platform = self._platform(options["code"])
            platform = platform_ensure(platform.code, platform.company, route=options["route"])
            self.stdout.write(f"{platform.code}: {platform.route}")
        elif action == "hosts":
            platform = self._platform(options["code"])
            platform.document_hosts = ", ".join(h.strip().lower() for h in options["hosts"] if h.strip())
            platform.full_clean(validate_unique=False)
            platform.save(update_fields=["document_hosts"])
            self.stdout.write(f"{platform.code}: documents from {platform.document_hosts or 'any host'}")
        elif action == "rotate":
            self.stdout.write(
                _issued(credentials.key_rotate(self._platform(options["code"]), options["overlap_hours"]))
            )
        elif action == "revoke":
            try:
                key = credentials.key_revoke(options["key_id"])
            except PlatformKey.DoesNotExist:
                raise CommandError(f"no key {options['key_id']!r}") from None
            self.stdout.write(f"{key.key_id}: revoked at {timezone.localtime(key.revoked_at).isoformat()}")
        elif action == "list":
            now = timezone.now()
            for platform in Platform.objects.select_related("company").order_by("code"):
                self.stdout.write(f"{platform.code}\t{platform.route}\t{platform.company.code}\t{platform.name}")
                for key in platform.keys.all():
                    live = key.revoked_at is None and (key.expires_at is None or key.expires_at > now)
                    ends = f" expires {timezone.localtime(key.expires_at):%Y-%m-%d %H:%M}" if key.expires_at else ""
                    self.stdout.write(f"  {key.key_id}\t{'live' if live else 'dead'}{ends}")
        elif action == "relay":
            from yekuo.intake.callbacks import relay_progress

            self.stdout.write(f"{relay_progress()} callback(s) enqueued")
