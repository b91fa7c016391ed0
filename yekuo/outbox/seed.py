"""The destinations yekuo ships with, pointed at the local simulators for the demo (`yekuo outbox seed`).

Existing rows are never changed: in production an administrator sets the partners' real addresses in admin.
Other apps add their destinations to DEFAULTS (code → name, transport, path under their simulator's URL)."""

from django.conf import settings

from yekuo.outbox.models import Destination

# code: (name, transport, setting naming the base URL, path)
DEFAULTS: dict[str, tuple[str, str, str, str]] = {
    "utility_water": ("供水单位", "http_json", "YEKUO_UTILITIES_URL", "/water"),
    "utility_gas": ("供气单位", "http_json", "YEKUO_UTILITIES_URL", "/gas"),
    "utility_heating": ("供热单位", "http_json", "YEKUO_UTILITIES_URL", "/heating"),
    "utility_telecom": ("通信单位", "http_json", "YEKUO_UTILITIES_URL", "/telecom"),
}


def seed_destinations(base_url: str | None = None) -> list[str]:
    """Create the missing default destinations; returns the codes created."""
    created = []
    for code, (name, transport, url_setting, path) in DEFAULTS.items():
        if Destination.objects.filter(code=code).exists():
            continue
        base = (base_url or getattr(settings, url_setting, "")).rstrip("/")
        Destination.objects.create(
            code=code, name=name, transport=transport, url=f"{base}{path}", secret=settings.YEKUO_PARTNER_SECRET
        )
        created.append(code)
    return created


def seed_demo() -> dict:
    """The demo's step (`yekuo demo`), before its orders: the orders' messages (e.g. the filings to the
    construction-approval platform, R6) must find their destinations pointed at the simulators; an unknown
    code would be created disabled and without an address, and its deliveries would wait for ever."""
    return {"destinations created": len(seed_destinations())}
