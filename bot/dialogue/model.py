"""The trained dialogue model: the policy ensemble from `config.yml` `policies:`, saved as JSON + weights.

Prediction asks every policy and takes the most confident; ties go to the higher priority, as in Rasa
(RulePolicy 6 > Memoization 3 > TED 1). If the winner is less confident than the core fallback
threshold, the core fallback action runs instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.dialogue.domain import Domain, responses_from_data
from bot.dialogue.policies.base import Prediction, build_config
from bot.dialogue.policies.memoization import (
    AugmentedMemoizationPolicy,
    MemoizationPolicy,
    MemoizationPolicyConfig,
)
from bot.dialogue.policies.rule import DEFAULT_FALLBACK, RASA_IGNORED_OPTIONS, RulePolicy, RulePolicyConfig
from bot.dialogue.stories import load_dialogue_data, validate_against_domain
from bot.dialogue.tracker import ACTION_LISTEN, Tracker
from bot.errors import ConfigError, ModelNotFound

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
DEFAULT_POLICIES = ({"name": "MemoizationPolicy"}, {"name": "RulePolicy"}, {"name": "TEDPolicy"})
# Rasa policies that Parley accepts in a config and leaves out (with a log line).
SKIPPED_POLICIES = {"UnexpecTEDIntentPolicy"}
YAML_SUFFIXES = (".yml", ".yaml")  # what Rasa reads from data/ and domain/


def _ted_classes() -> tuple[type, type, frozenset[str]]:
    from bot.dialogue.policies.ted import RASA_IGNORED_OPTIONS as TED_IGNORED
    from bot.dialogue.policies.ted import TEDPolicy, TEDPolicyConfig

    return TEDPolicy, TEDPolicyConfig, TED_IGNORED


MEMO_IGNORED = frozenset({"use_nlu_confidence_as_score"})  # deprecated Rasa option, no effect


# name -> (policy class loader, config class, Rasa options accepted but unused)
def _catalog() -> dict[str, tuple[Any, Any, frozenset[str]]]:
    return {
        "RulePolicy": (lambda: RulePolicy, RulePolicyConfig, RASA_IGNORED_OPTIONS),
        "MemoizationPolicy": (lambda: MemoizationPolicy, MemoizationPolicyConfig, MEMO_IGNORED),
        "AugmentedMemoizationPolicy": (
            lambda: AugmentedMemoizationPolicy,
            MemoizationPolicyConfig,
            MEMO_IGNORED,
        ),
        "TEDPolicy": (lambda: _ted_classes()[0], None, frozenset()),
    }


@dataclass(frozen=True)
class DialogueTrainOutcome:
    model_dir: Path
    retrained: bool
    summary: dict[str, Any]


class DialogueModel:
    def __init__(
        self,
        policies: Sequence[Any],
        *,
        fallback_action: str = DEFAULT_FALLBACK,
        fallback_threshold: float = 0.3,
        extra_responses: dict[str, Any] | None = None,
    ) -> None:
        self.policies = list(policies)
        self.fallback_action = fallback_action
        self.fallback_threshold = fallback_threshold
        self.extra_responses = extra_responses or {}

    def predict(self, tracker: Tracker, domain: Domain, excluded: frozenset[str] = frozenset()) -> Prediction:
        best: Prediction | None = None
        for policy in self.policies:
            p = policy.predict(tracker, domain, excluded)
            if p is None:
                continue
            if best is None or (p.confidence, p.priority) > (best.confidence, best.priority):
                best = p
        if best is None:
            return Prediction(ACTION_LISTEN, 1.0, "none")
        if best.confidence < self.fallback_threshold and self.fallback_action not in excluded:
            return Prediction(self.fallback_action, self.fallback_threshold, best.policy, best.priority)
        return best

    @classmethod
    def load(cls, model_dir: Path) -> DialogueModel:
        model_dir = Path(model_dir)
        meta_path = model_dir / "dialogue.json"
        if not meta_path.is_file():
            raise ModelNotFound(f"no dialogue model in {model_dir}; run `parley train` first")
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != FORMAT_VERSION:
            raise ModelNotFound(
                f"the dialogue model in {model_dir} has format {meta.get('format')}, this Parley "
                f"reads format {FORMAT_VERSION}; run `parley train --force`"
            )
        policies: list[Any] = []
        for entry in meta["policies"]:
            name = entry["name"]
            if name == "TEDPolicy":
                ted, ted_config, _ = _ted_classes()
                policies.append(ted.load(model_dir, ted_config(**entry["config"])))
                continue
            loader, config_cls, _ = _catalog()[name]
            policies.append(loader().load(model_dir, config_cls(**entry["config"])))
        return cls(
            policies,
            fallback_action=meta["fallback_action"],
            fallback_threshold=meta["fallback_threshold"],
            extra_responses=meta.get("responses_from_data") or {},
        )


def build_policies(
    policies_config: Sequence[dict[str, Any]], config_source: object
) -> list[tuple[str, Any, Any]]:
    """(name, policy, config) for each `policies:` entry; unknown names and options fail naming the key."""
    catalog = _catalog()
    out: list[tuple[str, Any, Any]] = []
    for i, raw in enumerate(policies_config or DEFAULT_POLICIES):
        name = raw.get("name")
        key = f"policies[{i}]"
        options = {k: v for k, v in raw.items() if k != "name"}
        if name in SKIPPED_POLICIES:
            log.warning("event=dialogue.policy.skipped file=%s key=%s name=%s", config_source, key, name)
            continue
        if name not in catalog:
            raise ConfigError(
                config_source,
                f"{key}.name",
                f"unknown policy {name!r}; valid: {', '.join(sorted([*catalog, *SKIPPED_POLICIES]))}",
            )
        if name == "TEDPolicy":
            ted, ted_config, ignored = _ted_classes()
            config = build_config(ted_config, options, source=config_source, key=key, ignored=ignored)
            out.append((name, ted(config), config))
            continue
        loader, config_cls, ignored = catalog[name]
        config = build_config(config_cls, options, source=config_source, key=key, ignored=ignored)
        out.append((name, loader()(config), config))
    return out


def train_dialogue(
    policies_config: Sequence[dict[str, Any]],
    domain: Domain,
    data_paths: Sequence[Path],
    out_dir: Path,
    *,
    config_source: Path,
    force: bool = False,
) -> DialogueTrainOutcome:
    """Train the configured policies on the rules and stories under `data_paths`; skip if unchanged."""
    out_dir = Path(out_dir)
    data = load_dialogue_data(data_paths)
    extra = responses_from_data(data_paths)
    domain = domain.with_responses(extra)
    validate_against_domain(data, domain)
    # built (and so checked, with its warnings about ignored options) on every run, changed or not
    built = build_policies(policies_config, config_source)
    if not built:
        raise ConfigError(config_source, "policies", "no usable policy; add `- name: RulePolicy`")
    fingerprint = _fingerprint(policies_config, domain, data_paths)
    meta_path = out_dir / "dialogue.json"
    counts = {"rules": len(data.rules), "stories": len(data.stories)}
    if not force and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") == fingerprint and meta.get("format") == FORMAT_VERSION:
            return DialogueTrainOutcome(out_dir, False, counts)
    summary: dict[str, Any] = dict(counts)
    entries = []
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    fallback_action, fallback_threshold = DEFAULT_FALLBACK, 0.3
    for name, policy, config in built:
        t0 = time.monotonic()
        summary.update(policy.train(data, domain) or {})
        log.info("event=dialogue.policy.trained name=%s seconds=%.2f", name, time.monotonic() - t0)
        policy.save(out_dir)
        entries.append({"name": name, "config": asdict(config)})
        if isinstance(config, RulePolicyConfig):
            fallback_action, fallback_threshold = (
                config.core_fallback_action_name,
                config.core_fallback_threshold,
            )
    summary["policy_train_s"] = round(time.monotonic() - started, 2)
    meta = {
        "format": FORMAT_VERSION,
        "fingerprint": fingerprint,
        "policies": entries,
        "fallback_action": fallback_action,
        "fallback_threshold": fallback_threshold,
        "responses_from_data": {name: [_variation_json(v) for v in vs] for name, vs in extra.items()},
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return DialogueTrainOutcome(out_dir, True, summary)


def _variation_json(v: Any) -> dict[str, Any]:
    return {k: val for k, val in asdict(v).items() if val not in (None, (), {}, [])}


def _fingerprint(
    policies_config: Sequence[dict[str, Any]], domain: Domain, data_paths: Sequence[Path]
) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(list(policies_config), sort_keys=True, default=str).encode())
    h.update(repr(domain).encode())
    for path in map(Path, data_paths):
        # the same files `load_dialogue_data` reads: a file, or every .yml / .yaml under a folder
        files = sorted(f for f in path.rglob("*") if f.suffix in YAML_SUFFIXES) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
                h.update(f.read_bytes())
    h.update(str(FORMAT_VERSION).encode())
    return h.hexdigest()
