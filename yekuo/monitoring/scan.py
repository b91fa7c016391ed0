"""The warning scan (R9). Filled in below."""


def add_arguments(parser):
    parser.add_argument("--at", help="Scan as of this instant (ISO 8601 with offset); default now")


def run(command, **options):
    raise NotImplementedError
