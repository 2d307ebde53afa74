"""`parley test languages`: how well a multilingual bot understands each of its user languages.

Every user message of the test stories (and of `--nlu` files) goes the way a served message goes:
detection (with the conversation's language so far, as the bot keeps it) -> translation into the bot's
language -> the trained NLU, and the intent is compared with the story's label. A file's language is in
its name, `<name>.<code>.yml` (`tests/test_stories.de.yml`); a file without one is in the bot's
language. Reported per language, in `language_report.json` and as a table:

    language  messages  language_id  intent_acc  translated  translation_failed
    en              18       100.0%       94.4%           0                   0
    de               4       100.0%      100.0%           4                   0

`language_id`: the share of messages the bot took to be in the file's language; `intent_acc`: the
share whose intent, parsed from what the NLU saw, is the label.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.channels.base import UserMessage
from bot.dialogue.events import Event, UserUttered
from bot.multilingual.conversation import Multilingual

_LANGUAGE_SUFFIX = re.compile(r"\.([a-z]{2})\.ya?ml$")


@dataclass(frozen=True)
class Said:
    """One labelled user message of the test data, with the turns before it in its conversation."""

    text: str
    intent: str
    language: str  # the file's language
    source: str
    conversation: str = ""  # messages with the same conversation follow each other


@dataclass
class LanguageResult:
    messages: int = 0
    identified: int = 0
    intents_right: int = 0
    translated: int = 0
    translation_failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        n = self.messages or 1
        return {
            "messages": self.messages,
            "language_id_acc": round(self.identified / n, 4),
            "intent_acc": round(self.intents_right / n, 4),
            "translated": self.translated,
            "translation_failed": self.translation_failed,
            "errors": self.errors,
        }


def file_language(path: str | Path, default: str) -> str:
    """`test_stories.de.yml` -> 'de'; `test_stories.yml` -> `default` (the bot's language)."""
    found = _LANGUAGE_SUFFIX.search(str(path).split(":")[0])
    return found.group(1) if found else default


def story_messages(paths: Sequence[Path], default: str) -> list[Said]:
    """The labelled user messages of the test stories under `paths`, story by story."""
    from bot.dialogue.stories import load_dialogue_data, steps_to_events, story_paths

    out: list[Said] = []
    data = load_dialogue_data(list(paths))
    for block, steps in story_paths(data.stories):
        language = file_language(block.source, default)
        for event in steps_to_events(steps):
            if isinstance(event, UserUttered) and event.text and event.intent_name:
                out.append(Said(event.text, event.intent_name, language, block.where(), block.name))
    return out


def nlu_messages(paths: Sequence[Path], default: str) -> list[Said]:
    """The examples of NLU data files, each a conversation of its own."""
    from nlu.data.yaml_reader import load_training_data

    out: list[Said] = []
    for path in paths:
        files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            language = file_language(file, default)
            for example in load_training_data([file]).examples:
                out.append(Said(example.text, example.full_intent, language, example.source))
    return out


def evaluate(multilingual: Multilingual, nlu: Any, messages: Sequence[Said]) -> dict[str, LanguageResult]:
    """Each message through detection + translation + NLU, its conversation's earlier turns before it."""
    results: dict[str, LanguageResult] = {}
    history: list[Event] = []
    previous = None
    for said in messages:
        if not said.conversation or said.conversation != previous:
            history = []
        previous = said.conversation
        incoming = multilingual.incoming(UserMessage(text=said.text, sender_id="test"), history)
        parsed = nlu.parse(incoming.nlu_text).to_dict()
        intent = (parsed.get("intent") or {}).get("name")
        result = results.setdefault(said.language, LanguageResult())
        result.messages += 1
        result.identified += incoming.language == said.language
        result.intents_right += intent == said.intent
        record = incoming.record
        result.translated += bool(record.get("machine_translated"))
        result.translation_failed += bool(record.get("translation_failed"))
        if intent != said.intent or incoming.language != said.language:
            result.errors.append(
                {
                    "text": said.text,
                    "source": said.source,
                    "intent": said.intent,
                    "predicted": intent,
                    "language": incoming.language,
                    "nlu_text": incoming.nlu_text,
                }
            )
        history.append(UserUttered(text=said.text, parse_data=incoming.annotate(parsed)))
    return results


def print_table(results: dict[str, LanguageResult]) -> None:
    print(f"{'language':8s}  {'messages':>8s}  {'language_id':>11s}  {'intent_acc':>10s}  ", end="")
    print(f"{'translated':>10s}  {'translation_failed':>18s}")
    for code, result in results.items():
        row = result.to_dict()
        print(
            f"{code:8s}  {row['messages']:8d}  {row['language_id_acc']:11.1%}  {row['intent_acc']:10.1%}  "
            f"{row['translated']:10d}  {row['translation_failed']:18d}"
        )


# ----------------------------------------------------------------------------- CLI


def add_test_languages_parser(test_subparsers: argparse._SubParsersAction) -> None:
    p = test_subparsers.add_parser(
        "languages",
        help="per user language: language identification and intent accuracy through translation",
        description=__doc__.split("\n\n")[0] + " Test data in a user language is named "
        "<name>.<code>.yml (tests/test_stories.de.yml); writes language_report.json into --out.",
    )
    p.add_argument("--project", "-p", type=Path, default=Path("."), help="project folder (default: .)")
    p.add_argument(
        "--stories", "-s", type=Path, nargs="+", default=None, help="test stories (default: <project>/tests)"
    )
    p.add_argument("--nlu", "-u", type=Path, nargs="+", default=(), help="NLU test data files or folders")
    p.add_argument("--out", type=Path, default=None, help="report folder (default: <project>/results)")
    p.add_argument(
        "--fail-under",
        type=float,
        default=None,
        help="exit with status 1 when a language's intent accuracy is below this (0-1)",
    )
    p.set_defaults(func=cmd_test_languages)


def cmd_test_languages(args: argparse.Namespace) -> int:
    from bot.config import load_project
    from bot.multilingual.setup import build_multilingual
    from nlu import NLUModel
    from translation.service import TranslationService

    project = load_project(args.project)
    settings = project.languages
    if not settings.multilingual:
        print(f"{project.config_path}: no user language besides {settings.bot!r} (config.yml `languages:`)")
        return 1
    pairs = {(p.source, p.target): p.model for p in project.translation_pairs}
    engine = TranslationService.load(pairs) if pairs else None
    try:
        multilingual = build_multilingual(settings, project.translation_pairs, engine, project.config_path)
        assert multilingual is not None  # settings.multilingual
        nlu = NLUModel.load(project.models_dir / "nlu")
        messages = story_messages(args.stories or [project.tests_path], settings.bot)
        messages += nlu_messages(list(args.nlu), settings.bot)
        if not messages:
            print("no labelled user messages in the test data")
            return 1
        results = evaluate(multilingual, nlu, messages)
    finally:
        if engine is not None:
            engine.close()
    out = args.out or project.root / "results"
    out.mkdir(parents=True, exist_ok=True)
    report = {code: r.to_dict() for code, r in results.items()}
    (out / "language_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(results)
    missing = [code for code in settings.users if code not in results]
    if missing:
        print(f"no test data in {', '.join(missing)} (name it <name>.<code>.yml, e.g. test_stories.de.yml)")
    print(f"report in {out / 'language_report.json'}")
    if args.fail_under is not None and any(r["intent_acc"] < args.fail_under for r in report.values()):
        return 1
    return 0
