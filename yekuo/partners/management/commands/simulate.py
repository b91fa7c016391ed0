"""`yekuo simulate NAME --port N`: run a local simulator of a partner service as its own process.

SIMULATORS maps each name to the module whose `serve(host, port, **options)` runs it (other apps add theirs)."""

import importlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SIMULATORS = {
    "elicence": "yekuo.partners.simulators.elicence",
    "identity": "yekuo.partners.simulators.identity",
    "utilities": "yekuo.partners.simulators.utilities",
}
# Where each simulator listens by default: the port of the URL yekuo calls it at.
DEFAULT_URLS = {
    "elicence": "YEKUO_ELICENCE_URL",
    "identity": "YEKUO_IDENTITY_URL",
    "utilities": "YEKUO_UTILITIES_URL",
}


def default_port(name: str) -> int | None:
    setting = DEFAULT_URLS.get(name)
    return urlsplit(getattr(settings, setting)).port if setting else None


class Command(BaseCommand):
    help = "Run a local simulator of a partner service (elicence, identity, utilities) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(SIMULATORS))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=None, help="default: the port of the URL yekuo calls")
        parser.add_argument("--mode", choices=["ok", "error", "slow", "garbage"], default="ok")
        parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
        parser.add_argument("--fail-rate", type=float, default=0.0, help="share of requests answered 500")
        parser.add_argument("--secret", default=None, help="utilities: the signing secret (default: settings)")
        parser.add_argument("--yekuo-url", default=None, help="utilities: where to post the units' answers")
        parser.add_argument("--answer-after", type=float, default=5.0, help="utilities: seconds before answering")
        parser.add_argument("--quiet", action="store_true", help="do not log each request")

    def handle(self, *args, name, host, port, **options):
        port = port or default_port(name)
        if not port:
            raise CommandError(f"{name}: give --port", returncode=2)
        options.setdefault("secret", None)
        options["secret"] = options["secret"] or settings.YEKUO_PARTNER_SECRET
        module = importlib.import_module(SIMULATORS[name])
        keep = ("mode", "delay", "fail_rate", "secret", "yekuo_url", "answer_after", "quiet")
        module.serve(host, port, **{k: options.get(k) for k in keep})
