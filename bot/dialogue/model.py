"""The trained dialogue model: the policy ensemble from `config.yml` `policies:`, saved as JSON/weights.

Prediction asks every policy and takes the most confident; ties go to the higher priority (as Rasa).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.dialogue.domain import Domain
from bot.dialogue.policies.base import Prediction
from bot.dialogue.policies.rule import RulePolicy, RulePolicyConfig
from bot.dialogue.stories import load_dialogue_data
from bot.dialogue.tracker import ACTION_LISTEN, Tracker
from bot.errors import ConfigError, ModelNotFound

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass(frozen=True)
class DialogueTrainOutcome:
    model_dir: Path
    retrained: bool
    summary: dict[str, Any]


class DialogueModel:
    def __init__(self, policies: Sequence[Any]) -> None:
        self.policies = list(policies)

    def predict(self, tracker: Tracker, domain: Domain) -> Prediction:
        best: Prediction | None = None
        for policy in self.policies:
            p = policy.predict(tracker, domain)
            if p is None:
                continue
            if best is None or (p.confidence, p.priority) > (best.confidence, best.priority):
                best = p
        return best or Prediction(ACTION_LISTEN, 1.0, "none")

    @classmethod
    def load(cls, model_dir: Path) -> DialogueModel:
        meta_path = Path(model_dir) / "dialogue.json"
        if not meta_path.is_file():
            raise ModelNotFound(f"no dialogue model in {model_dir}; run `parley train` first")
        meta = json.loads(meta_path.read_text())
        policies: list[Any] = []
        for entry in meta["policies"]:
            if entry["name"] == "RulePolicy":
                policies.append(RulePolicy.load(Path(model_dir), RulePolicyConfig(**entry.get("config", {}))))
        return cls(policies)


_RULE_KEYS = set(RulePolicyConfig.__dataclass_fields__)


def train_dialogue(
    policies_config: Sequence[dict[str, Any]], domain: Domain, data_paths: Sequence[Path], out_dir: Path,
    *, config_source: Path, force: bool = False,
) -> DialogueTrainOutcome:
    data = load_dialogue_data(data_paths)
    fingerprint = _fingerprint(policies_config, domain, data_paths)
    meta_path = out_dir / "dialogue.json"
    if not force and meta_path.is_file() and json.loads(meta_path.read_text()).get("fingerprint") == fingerprint:
        return DialogueTrainOutcome(out_dir, False, {"rules": len(data.rules), "stories": len(data.stories)})
    entries = []
    policies = []
    for i, raw in enumerate(policies_config or [{"name": "RulePolicy"}]):
        name = raw["name"]
        options = {k: v for k, v in raw.items() if k != "name"}
        if name == "RulePolicy":
            known = {k: v for k, v in options.items() if k in _RULE_KEYS}
            policy = RulePolicy(RulePolicyConfig(**known))
        else:
            log.warning("event=dialogue.policy.skipped file=%s key=policies[%d] name=%s", config_source, i, name)
            continue
        policy.train(data, domain)
        policies.append(policy)
        entries.append({"name": name, "config": known})
    if not policies:
        raise ConfigError(config_source, "policies", "no usable policy; add `- name: RulePolicy`")
    out_dir.mkdir(parents=True, exist_ok=True)
    for policy in policies:
        policy.save(out_dir)
    meta = {"format": FORMAT_VERSION, "fingerprint": fingerprint, "policies": entries}
    meta_path.write_text(json.dumps(meta, indent=2))
    return DialogueTrainOutcome(out_dir, True, {"rules": len(data.rules), "stories": len(data.stories)})


def _fingerprint(policies_config: Sequence[dict[str, Any]], domain: Domain, data_paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(list(policies_config), sort_keys=True, default=str).encode())
    h.update(repr(domain).encode())
    for path in data_paths:
        files = sorted(Path(path).rglob("*.yml")) if Path(path).is_dir() else [Path(path)]
        for f in files:
            if f.is_file():
                h.update(f.name.encode())
                h.update(f.read_bytes())
    h.update(str(FORMAT_VERSION).encode())
    return h.hexdigest()
