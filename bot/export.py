"""`parley export --out conversations.jsonl`: every conversation in the tracker store, one JSON line each."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="export every conversation from Redis to a JSONL file",
        description="Write each conversation (sender_id + its events, as Rasa's tracker "
        "JSON) as one line of JSON. Reads the Redis named by REDIS_URL or endpoints.yml.",
    )
    p.add_argument(
        "--project",
        "-p",
        default=".",
        type=Path,
        help="project folder holding endpoints.yml (default: current folder)",
    )
    p.add_argument("--out", required=True, type=Path, help="JSONL file to write (overwritten)")
    p.add_argument(
        "--sender",
        action="append",
        default=None,
        help="export only this conversation id (repeatable; default: all)",
    )
    p.set_defaults(func=cmd_export)


def export_conversations(tracker_store, out: Path, senders: list[str] | None = None) -> int:
    """Write the conversations to `out`; returns how many were written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for sender in sorted(senders or tracker_store.senders()):
            events = tracker_store.events(sender)
            if not events:
                continue
            record = {"sender_id": sender, "events": [e.to_dict() for e in events]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
            if count % 1000 == 0:
                log.info("event=export.progress conversations=%d", count)
    return count


def cmd_export(args: argparse.Namespace) -> int:
    from bot.config import load_project
    from bot.services import redis_for
    from bot.stores.redis import RedisTrackerStore, connect

    project = load_project(args.project)
    url, embedded = redis_for(project)
    try:
        store = RedisTrackerStore(
            connect(url, project.tracker_store.db), key_prefix=project.tracker_store.key_prefix, url=url
        )
        store.ping()
        count = export_conversations(store, args.out, args.sender)
    finally:
        if embedded is not None:
            embedded.stop()
    print(f"exported {count} conversations to {args.out}")
    return 0
