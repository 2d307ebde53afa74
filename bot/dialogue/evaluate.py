"""`parley test core`: replay test stories against the trained dialogue model.

For each test story the conversation is rebuilt event by event; before each of the story's actions the
model predicts the next action from the story so far, as Rasa does (a form predicted where the story
shows something else is treated as having rejected the message, and the prediction is repeated).
Reports, in the output folder:

    failed_test_stories.yml          failed stories, each wrong step marked `# predicted: <action>`
    story_confusion_matrix.png       gold vs predicted actions
    story_report.json                per-action precision/recall/F1, accuracy, share of stories passed
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.dialogue.domain import Domain
from bot.dialogue.events import ActionExecuted, ActionExecutionRejected, Event, UserUttered
from bot.dialogue.model import DialogueModel
from bot.dialogue.stories import StoryBlock, load_dialogue_data, steps_to_events, story_paths
from bot.dialogue.story_writer import events_to_steps
from bot.dialogue.tracker import Tracker

log = logging.getLogger(__name__)


@dataclass
class StoryResult:
    name: str
    source: str
    events: list[Event]
    mistakes: dict[int, str] = field(default_factory=dict)  # event index -> what was predicted instead

    @property
    def passed(self) -> bool:
        return not self.mistakes


@dataclass
class CoreEvaluation:
    stories: list[StoryResult]
    pairs: list[tuple[str, str]]  # (gold action, predicted action)

    @property
    def share_passed(self) -> float:
        return sum(s.passed for s in self.stories) / len(self.stories) if self.stories else 0.0

    @property
    def action_accuracy(self) -> float:
        return sum(g == p for g, p in self.pairs) / len(self.pairs) if self.pairs else 0.0

    def per_action(self) -> dict[str, dict[str, float]]:
        gold = Counter(g for g, _ in self.pairs)
        predicted = Counter(p for _, p in self.pairs)
        correct = Counter(g for g, p in self.pairs if g == p)
        out = {}
        for action in sorted(set(gold) | set(predicted)):
            precision = correct[action] / predicted[action] if predicted[action] else 0.0
            recall = correct[action] / gold[action] if gold[action] else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            out[action] = {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1-score": round(f1, 4),
                "support": gold[action],
            }
        return out

    def report(self) -> dict[str, Any]:
        return {
            "stories": len(self.stories),
            "stories_passed": sum(s.passed for s in self.stories),
            "share_passed": round(self.share_passed, 4),
            "action_accuracy": round(self.action_accuracy, 4),
            "actions": self.per_action(),
            "failed": [s.name for s in self.stories if not s.passed],
        }


def evaluate_stories(
    model: DialogueModel, domain: Domain, blocks: Sequence[StoryBlock], nlu: Any | None = None
) -> CoreEvaluation:
    results: list[StoryResult] = []
    pairs: list[tuple[str, str]] = []
    for block, steps in story_paths(blocks):
        events = steps_to_events(steps)
        result = StoryResult(block.name, block.where(), events)
        tracker = Tracker(f"test:{block.name}", [], domain.initial_slots())
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and i > 0:
                predicted = _predict(model, tracker, domain, event.name)
                pairs.append((event.name, predicted))
                if predicted != event.name:
                    result.mistakes[i] = predicted
            elif isinstance(event, UserUttered) and nlu is not None and event.text and event.intent_name:
                parsed = (nlu.parse(event.text).to_dict().get("intent") or {}).get("name")
                if parsed != event.intent_name:
                    result.mistakes[i] = f"intent {parsed}"
            tracker.events.append(event)
        results.append(result)
    return CoreEvaluation(results, pairs)


def _predict(model: DialogueModel, tracker: Tracker, domain: Domain, gold: str) -> str:
    predicted = model.predict(tracker, domain).action
    loop = tracker.state().active_loop
    if predicted != gold and predicted == loop and predicted in domain.forms:
        # The form would have rejected this message: predict again, as the agent would.
        probe = tracker.copy_with([ActionExecutionRejected(name=predicted)])
        predicted = model.predict(probe, domain, frozenset({predicted})).action
    return predicted


def failed_stories_yaml(results: Sequence[StoryResult]) -> str:
    lines = ['version: "3.1"', "stories:"]
    for result in results:
        if result.passed:
            continue
        lines.append(f"- story: {json.dumps(result.name)}  # {result.source}")
        lines.append("  steps:")
        for i, event in enumerate(result.events):
            if (
                isinstance(event, ActionExecuted)
                and event.name == "action_listen"
                and i not in result.mistakes
            ):
                continue
            steps = (
                events_to_steps([event])
                if not (isinstance(event, ActionExecuted))
                else [{"action": event.name}]
            )
            for j, step in enumerate(steps):
                text = yaml.safe_dump(
                    [step], sort_keys=False, allow_unicode=True, default_flow_style=False
                ).rstrip()
                step_lines = text.splitlines()
                if j == 0 and i in result.mistakes:
                    step_lines[0] += f"  # predicted: {result.mistakes[i]}"
                lines.extend(f"  {line}" for line in step_lines)
    return "\n".join(lines) + "\n"


def plot_confusion(pairs: Sequence[tuple[str, str]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted({a for pair in pairs for a in pair})
    index = {a: i for i, a in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for gold, predicted in pairs:
        matrix[index[gold], index[predicted]] += 1
    size = max(5.0, 0.45 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, label="count")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted action")
    ax.set_ylabel("action in the test story")
    ax.set_title(title)
    for r in range(len(labels)):
        for c in range(len(labels)):
            if matrix[r, c]:
                ax.text(
                    c,
                    r,
                    str(matrix[r, c]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if matrix[r, c] > matrix.max() / 2 else "black",
                )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(evaluation: CoreEvaluation, out_dir: Path, title: str) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = evaluation.report()
    (out_dir / "story_report.json").write_text(json.dumps(report, indent=2))
    (out_dir / "failed_test_stories.yml").write_text(failed_stories_yaml(evaluation.stories))
    if evaluation.pairs:
        plot_confusion(evaluation.pairs, out_dir / "story_confusion_matrix.png", title)
    return report


# ----------------------------------------------------------------------------- CLI


def add_test_core_parser(test_subparsers: argparse._SubParsersAction) -> None:
    p = test_subparsers.add_parser(
        "core",
        help="replay test stories against the trained dialogue model",
        description="Predict every action of the test stories (default <project>/tests) with the trained "
        "dialogue model; write failed_test_stories.yml, story_confusion_matrix.png and story_report.json.",
    )
    p.add_argument(
        "--project",
        "-p",
        default=".",
        type=Path,
        help="project folder with config.yml, domain.yml and the trained models/ (default: .)",
    )
    p.add_argument(
        "--stories",
        "-s",
        type=Path,
        default=None,
        help="test stories file or folder (default: <project>/tests)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="folder for the reports (default: <project>/results)"
    )
    p.add_argument(
        "--with-nlu",
        action="store_true",
        help="also parse each story's user text with the trained NLU model; a wrong intent fails "
        "the story (default: use the stories' intent labels, testing dialogue only)",
    )
    p.add_argument(
        "--fail-under",
        type=float,
        default=None,
        help="exit with status 1 when the share of stories passed is below this (0-1)",
    )
    p.set_defaults(func=cmd_test_core)


def cmd_test_core(args: argparse.Namespace) -> int:
    from bot.config import load_project
    from bot.dialogue.domain import load_domain

    project = load_project(args.project)
    model = DialogueModel.load(project.models_dir / "dialogue")
    domain = load_domain(project.domain_path)
    domain = domain.with_responses({})
    stories_path = args.stories or project.tests_path
    data = load_dialogue_data([stories_path])
    if not data.stories:
        print(f"no test stories in {stories_path}")
        return 1
    nlu = None
    if args.with_nlu:
        from nlu import NLUModel

        nlu = NLUModel.load(project.models_dir / "nlu")
    evaluation = evaluate_stories(model, domain, data.stories, nlu)
    out = args.out or project.root / "results"
    report = write_reports(evaluation, out, f"{project.root.name}: actions in test stories")
    print(f"stories passed   {report['stories_passed']}/{report['stories']} ({report['share_passed']:.1%})")
    print(f"action accuracy  {report['action_accuracy']:.1%} over {len(evaluation.pairs)} actions")
    for name in report["failed"]:
        print(f"  failed: {name}")
    print(f"reports in {out}")
    if args.fail_under is not None and report["share_passed"] < args.fail_under:
        return 1
    return 0
