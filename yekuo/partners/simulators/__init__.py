"""Local simulators of the partner services (R2, R4), each a separate process: `yekuo simulate NAME --port N`.

Each module exposes `serve(host, port, **options)` (runs until SIGTERM/SIGINT), `make_server(host, port,
**options)` (a server not yet serving, for tests that run it in a thread), and `add_arguments(parser)` with
`command(options)` for `yekuo simulate`. They behave like the real services closely enough for the demo and the
tests, including their failures (options `mode`, `delay`, `fail_rate`).
"""
