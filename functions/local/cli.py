"""``masteria``: the command line of the local runtime.

masteria dev       start the embedded database, migrate, seed the demo company, serve the API on
                   http://127.0.0.1:8000 and pump the queues into their handlers (Ctrl-C stops)
masteria migrate   apply the database migrations (DATABASE_URL, or the embedded database)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

from functions import manifest
from masteria import bootstrap
from masteria.bootstrap import Container, local_secret
from masteria.observability import logger
from masteria.settings import Settings

LOCAL_POOL_SIZE = 30


def _container() -> Container:
    instance = Container(Settings(), queue_configs=manifest.local_queue_configs())
    bootstrap.install(instance)
    return instance


def migrate(_: argparse.Namespace) -> int:
    revision = _container().migrate()
    print(f"database at revision {revision}")
    return 0


def dev(args: argparse.Namespace) -> int:
    import uvicorn

    from functions.local.events import EventRouter
    from functions.local.http import local_app
    from functions.local.pump import QueuePump
    from functions.local.sandbox.app import Sandbox
    from functions.local.sandbox.demo import connect_demo
    from functions.local.schedules import ScheduleLoop
    from masteria.tenancy.demo import DEMO_EMAIL, ensure_demo_company

    container = _container()
    # one process runs every function here, each on its own threads: a Lambda-sized pool would churn
    pool = max(container.settings.database_pool_size, LOCAL_POOL_SIZE)
    container.settings = container.settings.model_copy(update={"database_pool_size": pool})
    host, port = args.host or container.settings.local_host, args.port or container.settings.local_port
    hosts_sandbox = "GRAPH_BASE_URL" not in os.environ
    if hosts_sandbox:  # WhatsApp is this runtime's sandbox unless told otherwise
        sandboxed = container.settings.model_copy(update={"graph_base_url": f"http://{host}:{port}/sandbox"})
        container.settings = sandboxed
    settings = container.settings
    sandbox = Sandbox()
    if settings.database_url is None:
        print(f"starting the embedded PostgreSQL (data in {settings.masteria_data_dir.resolve() / 'pg'}) …")
    print(f"database at revision {container.migrate()}")
    password = local_secret(settings.masteria_data_dir, "demo_password")[:20]
    created = ensure_demo_company(
        db=container.database, clock=container.clock, tokens=container.token_config, password=password
    )
    stop = threading.Event()
    pump = QueuePump(container.queue, manifest.queue_consumers(), stop=stop)
    schedules = ScheduleLoop(
        manifest.schedules(),
        stop=stop,
        one_time=lambda: container.local_scheduler.fire_due(container.queue, container.clock.now()),
    )
    events = EventRouter(container.queue, manifest.FUNCTIONS, stop=stop)
    pump.start()
    schedules.start()
    events.start()
    server = uvicorn.Server(
        uvicorn.Config(local_app(sandbox), host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    )

    def announce() -> None:
        # Only once the socket accepts connections, so the printed URL works when it is read.
        while not server.started and not stop.wait(0.05):
            pass
        if server.started:
            whatsapp = ""
            if hosts_sandbox:
                try:
                    number = connect_demo(container, sandbox, f"http://{host}:{port}")
                    whatsapp = (
                        f"WhatsApp: the sandbox (number {number}); write as a customer with\n"
                        f"  curl -X POST http://{host}:{port}/sandbox/numbers/{number}/inbound"
                        """ -H 'content-type: application/json' -d '{"from": "5511987650001", "text": "Oi!"}'\n"""
                    )
                except Exception:
                    logger.exception("could not connect the demo company to the sandbox")
            print(
                f"\nMaster IA is running at http://{host}:{port}  (API docs: http://{host}:{port}/docs)\n"
                f"demo login{' (created now)' if created else ''}: {DEMO_EMAIL} / {password}\n"
                f"{whatsapp}"
                "press Ctrl-C to stop\n",
                flush=True,
            )

    threading.Thread(target=announce, name="announce", daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled once it has shut down: a clean stop
    finally:
        print("stopping: finishing the work in hand (queued work resumes at the next start) …", flush=True)
        stop.set()
        pump.join()
        schedules.join(timeout=5)
        events.join(timeout=5)
        container.close()
    print("stopped")
    return 0


def sandbox(args: argparse.Namespace) -> int:
    """The sandbox alone (another team's tests, a second machine): Meta's Graph API stand-in, no product."""
    import uvicorn
    from fastapi import FastAPI

    from functions.local.sandbox.app import Sandbox
    from functions.local.sandbox.app import router as sandbox_router

    app = FastAPI(title="Master IA sandbox of Meta's Graph API")
    app.include_router(sandbox_router(Sandbox()))
    print(f"sandbox at http://{args.host}:{args.port}/sandbox (set GRAPH_BASE_URL to it); Ctrl-C stops", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="masteria", description="Master IA's local runtime and tools")
    commands = parser.add_subparsers(dest="command", required=True)
    dev_parser = commands.add_parser("dev", help="run the product locally (API, queues, schedules)")
    dev_parser.add_argument("--host", help="address to listen on (default LOCAL_HOST, 127.0.0.1)")
    dev_parser.add_argument("--port", type=int, help="port to listen on (default LOCAL_PORT, 8000)")
    dev_parser.set_defaults(run=dev)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=migrate)
    sandbox_parser = commands.add_parser("sandbox", help="run only the sandbox of Meta's Graph API")
    sandbox_parser.add_argument("--host", default="127.0.0.1")
    sandbox_parser.add_argument("--port", type=int, default=8001)
    sandbox_parser.set_defaults(run=sandbox)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        code = 130
    return code


if __name__ == "__main__":
    sys.exit(main())
