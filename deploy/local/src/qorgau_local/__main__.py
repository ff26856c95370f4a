"""`python -m qorgau_local run | migrate | topics | smsc | chaos`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from contextlib import nullcontext
from typing import TextIO

from .config import LocalSettings


async def _smsc(
    host: str,
    port: int,
    auto_reply: str | None,
    http_port: int | None,
    recording: TextIO | None = None,
) -> None:
    import json
    import time

    from .smsc import DevSmsc, Sms, SmscBehaviour, control_app

    def show(sms: Sms) -> None:
        print(f"[smsc] SMS to {sms.destination} ({sms.parts} part(s)): {sms.text}", flush=True)
        if recording is not None:  # one JSON line per whole SMS, with when it was complete
            line = {"at": time.time(), "to": sms.destination, "parts": sms.parts, "text": sms.text}
            recording.write(json.dumps(line, ensure_ascii=False) + "\n")
            recording.flush()

    smsc = DevSmsc(
        host=host, port=port, behaviour=SmscBehaviour(auto_reply=auto_reply), on_sms=show
    )
    await smsc.start()
    print(f"[smsc] development SMSC listening on {host}:{port}", flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    waits: list[asyncio.Task[object]] = [asyncio.create_task(done.wait())]
    if http_port:
        import uvicorn

        config = uvicorn.Config(
            control_app(smsc), host=host, port=http_port, log_config=None, lifespan="off"
        )
        # uvicorn takes over SIGINT/SIGTERM while it serves: either way ends the SMSC.
        waits.append(asyncio.create_task(uvicorn.Server(config).serve()))
        print(f"[smsc] control endpoint on http://{host}:{http_port}", flush=True)
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in waits:
        task.cancel()
    await asyncio.gather(*waits, return_exceptions=True)
    await smsc.stop()


def _smsc_control(url: str, action: str, values: list[str]) -> None:
    """Talk to a running SMSC's control endpoint: reply PHONE TEXT | set K=V... | drop."""
    import httpx

    if action == "reply":
        if len(values) < 2:
            sys.exit("usage: smsc reply PHONE TEXT")
        body: object = {"from": values[0], "text": " ".join(values[1:])}
        response = httpx.post(f"{url}/mo", json=body)
    elif action == "set":
        changes = dict(v.split("=", 1) for v in values if "=" in v)
        response = httpx.post(f"{url}/behaviour", json=changes)
    else:
        response = httpx.post(f"{url}/drop")
    print(response.text)
    if response.is_error:
        sys.exit(1)


async def _migrate(settings: LocalSettings) -> None:
    from .stack import Stack

    stack = Stack(settings)
    try:
        await stack.prepare()
    finally:
        stack.stop()


async def _deploy_job(command: str, replication: int) -> None:
    """One-shot jobs for compose and Kubernetes: no demo data, configured endpoints only."""
    from qorgau_common.kafka import ensure_topics
    from qorgau_common.settings import ServiceSettings

    from .stack import migrate_all

    settings = ServiceSettings()
    if command == "topics":
        created = await ensure_topics(settings.kafka_bootstrap_servers, replication=replication)
        print(f"topics ready; created: {', '.join(created) or 'none'}")
    else:
        await migrate_all(settings.database_url)
        print("migrations applied")


def main() -> None:
    parser = argparse.ArgumentParser(prog="qorgau_local", description="Qorgau on one machine")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start everything and run until Ctrl-C")
    sub.add_parser("migrate", help="create topics, apply migrations and seed the demo roster")
    topics = sub.add_parser(
        "topics", help="create every topic and DLQ (QORGAU_KAFKA_BOOTSTRAP_SERVERS); a deploy job"
    )
    topics.add_argument("--replication", type=int, default=1)
    sub.add_parser(
        "schemas", help="apply every service's migrations (QORGAU_DATABASE_URL); a deploy job"
    )
    docs = sub.add_parser("docs", help="write AsyncAPI and OpenAPI documents")
    docs.add_argument("--out", default="docs/api", help="folder to write into")
    chaos = sub.add_parser(
        "chaos",
        help="the fault suite: load the stack, kill its parts, count the SMS (docs/chaos.md)",
    )
    chaos.add_argument("--reports", type=int, default=3000, help="reports to submit")
    chaos.add_argument("--rate", type=float, default=20.0, help="reports per second")
    chaos.add_argument(
        "--faults",
        default="postgres,broker,intake,routing,notify",
        help="parts to kill, in order, spread over the submission",
    )
    chaos.add_argument("--down-s", type=float, default=1.0, help="how long a part stays dead")
    chaos.add_argument(
        "--settle-s", type=float, default=180.0, help="longest wait for everything to settle"
    )
    chaos.add_argument("--state-dir", default=".qorgau/chaos", help="each run's data and logs")
    chaos.add_argument(
        "--env", action="append", metavar="NAME=VALUE", help="a service setting (repeatable)"
    )
    smsc = sub.add_parser(
        "smsc",
        help="run only the development SMSC, or control a running one",
        description="serve (default) | reply PHONE TEXT | set switch=value ... | drop",
    )
    smsc.add_argument(
        "action", nargs="?", default="serve", choices=["serve", "reply", "set", "drop"]
    )
    smsc.add_argument("values", nargs="*", help="reply: PHONE TEXT; set: switch=value ...")
    smsc.add_argument("--port", type=int, default=2775)
    smsc.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 in a container)"
    )
    smsc.add_argument("--auto-reply", help="answer every alert with this, e.g. 1")
    smsc.add_argument("--http-port", type=int, help="serve the control endpoint on this port")
    smsc.add_argument("--record", help="append every SMS received to this file (JSON lines)")
    smsc.add_argument(
        "--control", default="http://127.0.0.1:2776", help="control endpoint to talk to"
    )
    args = parser.parse_args()
    if args.command == "smsc":
        if args.action == "serve":
            with open(args.record, "a", encoding="utf-8") if args.record else nullcontext() as rec:
                asyncio.run(_smsc(args.host, args.port, args.auto_reply, args.http_port, rec))
        else:
            _smsc_control(args.control, args.action, args.values)
        return
    if args.command == "chaos":
        from .chaos import main as chaos_main

        sys.exit(chaos_main(args))
    if args.command == "docs":
        from pathlib import Path

        from .docs import write_docs

        for path in write_docs(Path(args.out)):
            print(f"wrote {path}")
        return
    if args.command in ("topics", "schemas"):
        asyncio.run(_deploy_job(args.command, getattr(args, "replication", 1)))
        return
    settings = LocalSettings()
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return
    sys.exit(asyncio.run(__import__("qorgau_local.stack", fromlist=["run"]).run(settings)))


if __name__ == "__main__":
    main()
