"""Simulators of the partner services, run in a thread of the test process (real HTTP on 127.0.0.1)."""

import threading
from contextlib import contextmanager

import pytest

from yekuo.partners.simulators import elicence, identity, utilities

MODULES = {"elicence": elicence, "identity": identity, "utilities": utilities}


@contextmanager
def running(name: str, **options):
    """The simulator serving on a free port; yields its server (options may be changed on it while it runs)."""
    server = MODULES[name].make_server("127.0.0.1", 0, quiet=True, **options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url_of(server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


@pytest.fixture
def services_at(settings):
    """Point yekuo's adapters at simulators: services_at(elicence=server, identity=server)."""

    def point(**servers):
        for name, server in servers.items():
            setattr(settings, f"YEKUO_{name.upper()}_URL", url_of(server))
        settings.YEKUO_ELICENCE_TIMEOUT = settings.YEKUO_IDENTITY_TIMEOUT = 0.5
        settings.YEKUO_ELICENCE_RETRIES = settings.YEKUO_IDENTITY_RETRIES = 1

    return point


def set_mode(server, **options):
    server.RequestHandlerClass.options.update(options)
