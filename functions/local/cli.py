"""``masteria``: the command line of the local runtime.

masteria dev       start the embedded database, migrate, seed the demo company, serve the API on
                   http://127.0.0.1:8000 and pump the queues into their handlers (Ctrl-C stops)
masteria migrate   apply the database migrations (DATABASE_URL, or the embedded database)
masteria sandbox   only the sandboxes (Meta's Graph API, AWS End User Messaging SMS, an OpenAI-compatible AI)
masteria worker F  pump function F's queue in this process (``masteria dev`` starts these itself)
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

from functions import manifest
from masteria import bootstrap
from masteria.bootstrap import Container, local_secret
from masteria.observability import logger
from masteria.settings import Settings

if TYPE_CHECKING:
    from functions.local.events import EventRouter
    from functions.local.pump import QueuePump
    from functions.local.relay import BackgroundRelay
    from functions.local.schedules import ScheduleLoop

LOCAL_POOL_SIZE = 30
# Functions ``masteria dev`` runs in a process of their own, as Lambda runs every function. The campaign and
# cadence senders post each message at its slot: sharing one interpreter with the API and the other consumers,
# their requests waited behind them for the interpreter lock, and the sends came late and in bursts (100,000
# cadence steps at 80/s: 92 in the busiest second at the sandbox).
OWN_PROCESS = ("campaign_sender", "cadence_sender")
WORKER_STOP_SECONDS = 60  # a worker finishes its slice of sending (20 s at most) before it stops
PUMP_STOP_SECONDS = 30  # in-process handlers get this long to finish their batch; a stuck one is left behind


def _container() -> Container:
    instance = Container(Settings(), queue_configs=manifest.local_queue_configs())
    bootstrap.install(instance)
    return instance


def migrate(_: argparse.Namespace) -> int:
    revision = _container().migrate()
    print(f"database at revision {revision}")
    return 0


def _freeze_heap() -> None:
    """Leave what start-up made (modules, botocore's service models, the app) out of the garbage collector's
    full collections: in the sandbox they otherwise walk it all, stalling it for 100 to 200 ms now and then
    during a campaign, a stall that bunches the arrival times pacing is measured by. (Not in ``masteria dev``:
    there, with the start-up heap frozen, full collections of what is left came so often that a card's move
    took half as long again.)"""
    gc.collect()
    gc.freeze()


def dev(args: argparse.Namespace) -> int:
    import uvicorn

    from functions.local.events import EventRouter
    from functions.local.http import local_app
    from functions.local.pump import QueuePump
    from functions.local.relay import BackgroundRelay
    from functions.local.sandbox.ai import AiSandbox
    from functions.local.sandbox.app import Sandbox
    from functions.local.sandbox.demo import connect_demo
    from functions.local.sandbox.sms import SmsSandbox
    from functions.local.sandbox.sms_demo import connect_sms_demo
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
    hosts_sms_sandbox = "SMS_ENDPOINT_URL" not in os.environ
    if hosts_sms_sandbox:  # SMS is this runtime's SMS sandbox unless told otherwise
        sms = f"http://{host}:{port}/sandbox/sms"
        update = {"sms_endpoint_url": sms, "sns_trusted_cert_base": f"{sms}/"}
        container.settings = container.settings.model_copy(update=update)
    if "AI_BASE_URL" not in os.environ and "AI_API_KEY" not in os.environ:  # the AI sandbox unless told otherwise
        ai = f"http://{host}:{port}/sandbox/openai/v1"
        container.settings = container.settings.model_copy(update={"ai_base_url": ai})
    settings = container.settings
    sandbox, sms_sandbox, ai_sandbox = Sandbox(), SmsSandbox(), AiSandbox()
    if settings.database_url is None:
        print(f"starting the embedded PostgreSQL (data in {settings.masteria_data_dir.resolve() / 'pg'}) …")
    print(f"database at revision {container.migrate()}")
    password = local_secret(settings.masteria_data_dir, "demo_password")[:20]
    created = ensure_demo_company(
        db=container.database, clock=container.clock, tokens=container.token_config, password=password
    )
    stop = threading.Event()
    relay = BackgroundRelay(container.relay_events, stop=stop)  # a response never waits for the event bus
    container.database.after_events = relay.submit
    relay.start()
    workers = [_start_worker(name, container) for name in OWN_PROCESS]
    pump = QueuePump(container.queue, [f for f in manifest.queue_consumers() if f.name not in OWN_PROCESS], stop=stop)
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
        uvicorn.Config(
            local_app(sandbox, sms_sandbox=sms_sandbox, ai_sandbox=ai_sandbox, web_dist=settings.web_dist_dir),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
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
            sms_line = ""
            if hosts_sms_sandbox and not getattr(args, "no_sms_demo", False):
                try:
                    origination = connect_sms_demo(container, sms_sandbox, f"http://{host}:{port}")
                    sms_line = (
                        f"SMS: the SMS sandbox (number {origination}); write as a customer with\n"
                        f"  curl -X POST 'http://{host}:{port}/sandbox/sms/numbers/{origination}/inbound'"
                        """ -H 'content-type: application/json' -d '{"from": "5511987650001", "text": "Oi!"}'\n"""
                    )
                except Exception:
                    logger.exception("could not connect the demo company to the SMS sandbox")
            ai_line = f"AI: an OpenAI-compatible sandbox at http://{host}:{port}/sandbox/openai/v1 (any API key)\n"
            print(
                f"\nMaster IA is running at http://{host}:{port}  (API docs: http://{host}:{port}/docs)\n"
                f"demo login{' (created now)' if created else ''}: {DEMO_EMAIL} / {password}\n"
                f"{whatsapp}{sms_line}{ai_line}"
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
        try:
            _stop(stop, (pump, schedules, events, relay), workers)
        except KeyboardInterrupt:  # a second Ctrl-C: stop now
            print("stopping now, without the work in hand (it is redelivered at the next start)", flush=True)
            for process in workers:
                process.kill()
        container.close()
    print("stopped")
    return 0


def _stop(
    stop: threading.Event,
    threads: tuple[QueuePump, ScheduleLoop, EventRouter, BackgroundRelay],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    pump, schedules, events, relay = threads
    stop.set()
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    if not pump.join(timeout=PUMP_STOP_SECONDS):
        print(
            f"work in hand did not finish in {PUMP_STOP_SECONDS} s: stopping without it "
            "(it is redelivered at the next start)",
            flush=True,
        )
    schedules.join(timeout=5)
    events.join(timeout=5)
    relay.join(timeout=5)
    for process in workers:
        try:
            process.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()


def _start_worker(function: str, container: Container) -> subprocess.Popen[bytes]:
    """``masteria worker <function>`` on this runtime's database, data folder and Graph API."""
    settings, urls = container.settings, container.database_urls
    env = {
        **os.environ,
        "DATABASE_URL": urls.owner,
        "DATABASE_APP_URL": urls.app,
        "MASTERIA_DATA_DIR": str(settings.masteria_data_dir.resolve()),
        "GRAPH_BASE_URL": settings.graph_base_url,
        **({"AI_BASE_URL": settings.ai_base_url} if settings.ai_base_url else {}),
    }
    command = [sys.executable, "-m", "functions.local.cli", "worker", function, "--runtime-pid", str(os.getpid())]
    return subprocess.Popen(command, env=env)  # noqa: S603 - this interpreter, our module, a manifest name


def worker(args: argparse.Namespace) -> int:
    """Pump one function's queue until SIGINT or SIGTERM; exit at once if the runtime that started it dies."""
    from functions.local.pump import QueuePump

    if args.runtime_pid is not None and os.getppid() != args.runtime_pid:
        return 1  # the runtime died before this worker started
    spec = manifest.by_name(args.function)
    container = _container()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    pump = QueuePump(container.queue, [spec], stop=stop)
    pump.start()
    parent = args.runtime_pid or os.getppid()
    try:
        while not stop.wait(0.2):
            if os.getppid() != parent:  # the runtime was killed: so is its worker, claims in hand and all
                os._exit(1)
    except KeyboardInterrupt:
        pass
    stop.set()
    pump.join()
    container.close()
    return 0


def sandbox(args: argparse.Namespace) -> int:
    """The sandboxes alone (another team's tests, a second machine): Meta's Graph API, AWS End User Messaging SMS
    and OpenAI-compatible AI stand-ins, no product."""
    import uvicorn
    from fastapi import FastAPI

    from functions.local.sandbox.ai import AiSandbox
    from functions.local.sandbox.ai import router as ai_router
    from functions.local.sandbox.app import Sandbox
    from functions.local.sandbox.app import router as sandbox_router
    from functions.local.sandbox.openai_spec import chat_completion_errors
    from functions.local.sandbox.sms import SmsSandbox
    from functions.local.sandbox.sms import router as sms_router
    from masteria.adapters.aws.sms_voice import request_problems

    app = FastAPI(title="Master IA sandboxes of Meta's Graph API, AWS End User Messaging SMS and an OpenAI-like AI")
    # first: the Graph side's GET /sandbox/{version}/{node} is broader
    app.include_router(sms_router(SmsSandbox()))
    app.include_router(ai_router(AiSandbox()))
    app.include_router(sandbox_router(Sandbox()))
    base = f"http://{args.host}:{args.port}/sandbox"
    print(
        f"sandbox at {base} (set GRAPH_BASE_URL to it), SMS at {base}/sms (set SMS_ENDPOINT_URL to it and"
        f" SNS_TRUSTED_CERT_BASE to {base}/sms/), AI at {base}/openai/v1 (the model's base URL, any API key);"
        " Ctrl-C stops",
        flush=True,
    )
    request_problems("SendTextMessage", {})  # botocore's service model loaded now, and frozen with the rest
    chat_completion_errors({})  # OpenAI's document too
    _freeze_heap()
    # Arrival times stamped when a request comes, not when the thread posting status webhooks lets go (as Meta's
    # edge would): the interpreter hands over within a millisecond, not Python's default five.
    sys.setswitchinterval(0.001)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def configure_logging() -> None:
    """Other libraries' warnings plainly on stderr; ours are JSON lines already, written once (not again by
    the root logger)."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger(logger.name).propagate = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="masteria", description="Master IA's local runtime and tools")
    commands = parser.add_subparsers(dest="command", required=True)
    dev_parser = commands.add_parser("dev", help="run the product locally (API, queues, schedules)")
    dev_parser.add_argument("--host", help="address to listen on (default LOCAL_HOST, 127.0.0.1)")
    dev_parser.add_argument("--port", type=int, help="port to listen on (default LOCAL_PORT, 8000)")
    dev_parser.add_argument(
        "--no-sms-demo", action="store_true", help="no SMS sender for the demo company on the SMS sandbox"
    )
    dev_parser.set_defaults(run=dev)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=migrate)
    sandbox_parser = commands.add_parser(
        "sandbox", help="run only the sandboxes (Meta's Graph API, AWS End User Messaging SMS, OpenAI-compatible AI)"
    )
    sandbox_parser.add_argument("--host", default="127.0.0.1")
    sandbox_parser.add_argument("--port", type=int, default=8001)
    sandbox_parser.set_defaults(run=sandbox)
    worker_parser = commands.add_parser("worker", help="pump one queue-triggered function (masteria dev starts it)")
    worker_parser.add_argument("function", choices=[f.name for f in manifest.queue_consumers()])
    worker_parser.add_argument("--runtime-pid", type=int, help="exit as soon as this parent process is gone")
    worker_parser.set_defaults(run=worker)
    args = parser.parse_args(argv)
    configure_logging()
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        code = 130
    return code


if __name__ == "__main__":
    sys.exit(main())
