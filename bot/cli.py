"""`parley`: init, train, run, shell, test, data, translate, export; each --help explains its options."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path

from bot.errors import exit_code

log = logging.getLogger("parley")


def _project_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--project",
        "-p",
        default=".",
        type=Path,
        help="project folder holding config.yml, domain.yml, data/ (default: current folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley", description="Parley: Rasa-compatible assistants and translation."
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to log (default INFO)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log everything, TensorFlow's C++ start-up lines included (also accepted after the command)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser(
        "init",
        help="start a new project from Parley's demo assistant (Rasa 3 layout, default pipeline)",
        description="Write config.yml, domain.yml, endpoints.yml, credentials.yml, data/ and tests/ "
        "into a new project folder, copied from the demo assistant. Refuses to overwrite a project.",
    )
    init.add_argument("folder", type=Path, help="the new project's folder (created if missing)")
    init.set_defaults(func=cmd_init)

    train = sub.add_parser(
        "train",
        help="train the NLU and dialogue models of a project (`parley train nlu`: NLU alone)",
        description="Train NLU (data/ nlu sections) and dialogue policies (rules, stories). "
        "Unchanged config and data are not retrained. `parley train nlu --data ...` trains the NLU "
        "model alone, without a domain.yml.",
    )
    _project_arg(train)
    train.add_argument("--force", action="store_true", help="retrain even when config and data are unchanged")
    train.add_argument("--seed", type=int, default=None, help="random seed for reproducible training")
    train.set_defaults(func=cmd_train)
    train_sub = train.add_subparsers(
        dest="train_command",
        required=False,
        metavar="WHAT",
        help="optional: `nlu` trains the NLU model alone",
    )
    _register_engine(train_sub, "nlu.cli", "add_train_nlu_parser")

    run = sub.add_parser(
        "run",
        help="serve the trained assistant over HTTP (REST channel, parse/translate/conversation APIs)",
        description="Serve the project's trained models. Conversations live in Redis: REDIS_URL, "
        "else endpoints.yml tracker_store.url, else an embedded Redis under <project>/.parley/redis.",
    )
    _project_arg(run)
    run.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1; 0.0.0.0 for all)"
    )
    run.add_argument("--port", type=int, default=5005, help="port to listen on (default 5005, as Rasa)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (default 1; each loads the models, all share one Redis)",
    )
    run.add_argument("--threads", type=int, default=8, help="request threads per process (default 8)")
    run.add_argument(
        "--graceful-timeout",
        type=int,
        default=30,
        help="on SIGTERM, seconds the turns in flight may take to finish before workers stop (default 30)",
    )
    run.add_argument(
        "--read-timeout",
        type=float,
        default=None,
        help="seconds one read of a request may wait for the client (default 10; env PARLEY_READ_TIMEOUT)",
    )
    _auth_args(run)
    run.set_defaults(func=cmd_run)

    shell = sub.add_parser("shell", help="chat with the trained assistant in the terminal")
    _project_arg(shell)
    shell.add_argument("--sender", default="shell", help="conversation id to use (default 'shell')")
    shell.set_defaults(func=cmd_shell)

    test = sub.add_parser(
        "test", help="evaluate models: `parley test nlu`, `parley test core`, `parley test languages`"
    )
    test_sub = test.add_subparsers(dest="test_command", required=True, metavar="WHAT")
    _register_engine(test_sub, "nlu.cli", "add_test_nlu_parser")
    _register_engine(test_sub, "bot.dialogue.evaluate", "add_test_core_parser")
    _register_engine(test_sub, "bot.multilingual.evaluate", "add_test_languages_parser")
    _register_engine(sub, "nlu.cli", "register_data")
    _register_data_validate(sub)
    _register_engine(sub, "nlu.embeddings.cli", "register")
    _register_engine(sub, "translation.cli", "register")
    _register_engine(sub, "actions.forecasting.cli", "register")
    _register_engine(sub, "actions.summarization.cli", "register")
    _register_engine(sub, "bot.export", "register")
    _register_engine(sub, "bot.worker", "register")
    return parser


def _auth_args(run: argparse.ArgumentParser) -> None:
    """Rasa's auth options; each falls back to its environment variable (better: no secret in `ps`)."""
    run.add_argument(
        "--auth-token",
        default=None,
        help="token the conversation and model API requires (?token= or Authorization: Bearer); "
        "env PARLEY_AUTH_TOKEN",
    )
    run.add_argument(
        "--jwt-secret",
        default=None,
        help="secret (or public key) verifying JWTs in Authorization: Bearer; env PARLEY_JWT_SECRET",
    )
    run.add_argument(
        "--jwt-method", default=None, help="JWT algorithm (default HS256); env PARLEY_JWT_METHOD"
    )
    run.add_argument(
        "--open-api",
        action="store_true",
        help="serve the conversation and model API WITHOUT credentials (anyone reaching the port may "
        "read and write every conversation); env PARLEY_OPEN_API=1",
    )
    run.add_argument(
        "--cors",
        default=None,
        help="comma-separated origins allowed to call the API from a browser (e.g. https://app.example); "
        "env PARLEY_CORS",
    )


def _auth_env(args: argparse.Namespace) -> None:
    """Hand the auth options to the server's workers through the environment (read by bot/api/auth.py)."""
    import os

    for option, name in (
        ("auth_token", "PARLEY_AUTH_TOKEN"),
        ("jwt_secret", "PARLEY_JWT_SECRET"),
        ("jwt_method", "PARLEY_JWT_METHOD"),
        ("cors", "PARLEY_CORS"),
    ):
        value = getattr(args, option, None)
        if value:
            os.environ[name] = value
    if getattr(args, "open_api", False):
        os.environ["PARLEY_OPEN_API"] = "1"


def _register_data_validate(sub: argparse._SubParsersAction) -> None:
    """`parley data validate` checks the whole project (bot/validate.py), so it is added here to the
    `data` tools the NLU engine registers."""
    from bot.validate import register

    data = sub.choices.get("data")
    if data is not None:
        register(next(a for a in data._actions if isinstance(a, argparse._SubParsersAction)))


def _register_engine(sub: argparse._SubParsersAction, module: str, function: str) -> None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return
        raise
    register = getattr(mod, function, None)
    if register is not None:
        register(sub)


def cmd_init(args: argparse.Namespace) -> int:
    from bot.init_project import init_project

    written = init_project(args.folder)
    for path in written:
        print(f"wrote {path}")
    print(f"next: parley train --project {args.folder} && parley run --project {args.folder}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.training import train_project

    started = time.monotonic()
    outcome = train_project(args.project, force=args.force, seed=args.seed)
    for line in outcome.summary_lines():
        print(line)
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.server import serve

    _auth_env(args)
    serve(
        args.project,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        graceful_timeout=args.graceful_timeout,
        read_timeout=args.read_timeout,
    )
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    from bot.agent import UserMessage
    from bot.config import load_project
    from bot.services import build_services

    services = build_services(load_project(args.project))
    print("Chat with your assistant. Type /stop (or Ctrl-D) to leave, /restart to start over.")
    try:
        while True:
            try:
                text = input("Your input -> ")
            except EOFError:
                break
            if text.strip() == "/stop":
                break
            for reply in services.agent.handle(
                UserMessage(text=text, sender_id=args.sender, input_channel="cmdline")
            ):
                if reply.get("text"):
                    print(reply["text"])
                for button in reply.get("buttons", []):
                    print(f"  [{button.get('title')}] {button.get('payload', '')}")
                if reply.get("image"):
                    print(f"  image: {reply['image']}")
    finally:
        services.close()
    return 0


# TensorFlow's C++ lines. Those written while it loads come before absl's logging is set up, so no
# TF_CPP_MIN_LOG_LEVEL hides them; `quiet_tensorflow` captures them instead.
_NATIVE_LINE = re.compile(r"^([IWEF])\d{4} [\d:.]+\s+\d+ \S+\] ")  # I0000 00:00:1796.5  42 port.cc:153]
_NATIVE_NOISE = (
    "All log messages before absl::InitializeLog()",
    "cuInit",
    "Could not find cuda drivers",
    "To enable the following instructions",  # the second line of cpu_feature_guard's notice
    "oneDNN supports DT_BOOL only",
)


class _QuietTensorFlowImport:
    """A `sys.meta_path` finder that loads `tensorflow` with file descriptor 2 captured, and enumerates
    its devices there too (where a machine without a GPU logs `failed call to cuInit`). The captured
    lines other than INFO and known start-up noise are written back to stderr."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module) -> None:  # not in find_spec: `importlib.util.find_spec` only looks
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            with _captured_stderr():
                load(module)
                module.config.list_physical_devices()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


class _captured_stderr:
    def __enter__(self) -> None:
        import tempfile

        sys.stderr.flush()
        self.file = tempfile.TemporaryFile()
        self.saved = os.dup(2)
        os.dup2(self.file.fileno(), 2)

    def __exit__(self, *exc) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.file.seek(0)
        text = self.file.read().decode("utf-8", "replace")
        self.file.close()
        kept = [line for line in text.splitlines() if not _is_noise(line)]
        if kept:
            print("\n".join(kept), file=sys.stderr)


def _is_noise(line: str) -> bool:
    native = _NATIVE_LINE.match(line)
    return bool(native and native.group(1) == "I") or any(n in line for n in _NATIVE_NOISE)


def quiet_tensorflow(debug: bool) -> None:
    """TensorFlow's C++ log at warning and above (TF_CPP_MIN_LOG_LEVEL=1, unless set), its load-time
    lines filtered, absl's and TensorFlow's Python loggers at WARNING; with `debug`, all of it.
    Must run before anything imports tensorflow."""
    if debug:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0")
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    for name in ("absl", "tensorflow", "h5py"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)  # tensorflow_hub's import
    if "tensorflow" not in sys.modules and not any(
        isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path
    ):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in argv:  # as Rasa's `--debug`, also after the command: `parley train nlu --debug`
        argv = ["--debug", *[a for a in argv if a != "--debug"]]
    quiet_tensorflow(debug="--debug" in argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    level = "DEBUG" if args.debug else args.log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # errors of a known kind (Parley's, the engines') -> message + exit code
        code = exit_code(exc)
        if code is None:
            raise  # a bug: the traceback is worth seeing
        print(f"error: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
