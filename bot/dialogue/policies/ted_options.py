"""Rasa's TEDPolicy options and what Parley's TEDPolicy (a GRU, see `ted.py`) does with each.

honoured   fields of `TEDPolicyConfig`: priority, max_history, epochs, batch_size, learning_rate,
           random_seed, drop_rate_dialogue (dropout on the GRU's inputs while training),
           ranking_length and renormalize_confidences (as in Rasa), model_confidence and loss_type
           (Parley computes exactly Rasa's `softmax` and `cross_entropy`; any other value changes
           what the confidences mean, so it is an error naming the option)
ignored    `IGNORED_OPTIONS` below: they configure parts of Rasa's transformer that this model does
           not have. They are accepted so a Rasa config.yml trains unchanged, and listed by name in
           a start-up WARNING (`event=dialogue.policy.options_ignored`) and in the training summary
           (`ted_ignored_options`).
"""

from __future__ import annotations

from typing import Any

# option -> why Parley's TEDPolicy has no use for it
IGNORED_OPTIONS: dict[str, str] = {
    "number_of_transformer_layers": "the dialogue encoder is one GRU layer, not a transformer",
    "transformer_size": "the GRU's width is `hidden_units`",
    "number_of_attention_heads": "no attention layers",
    "hidden_layers_sizes": "states are multi-hot vectors embedded by one Dense layer (`embed_dim`)",
    "dense_dimension": "no sparse text features",
    "concat_dimension": "no sparse text features",
    "embedding_dimension": "actions are scored by a softmax layer, not by similarity in an embedding space",
    "constrain_similarities": "no similarity loss",
    "connection_density": "no sparsely connected layers",
    "drop_rate": "no text features to drop; `drop_rate_dialogue` is honoured",
    "entity_recognition": "TED does no end-to-end entity recognition here; NLU extracts entities",
    "split_entities_by_comma": "TED does no end-to-end entity recognition here",
    "intent_classification": "TED does no end-to-end intent classification here; NLU classifies intents",
    "max_training_samples": "every (deduplicated) training sample is used",
    "evaluate_on_number_of_examples": "no held-out evaluation during training",
    "evaluate_every_number_of_epochs": "no held-out evaluation during training",
    "checkpoint_model": "no evaluation, so no best checkpoint; the last epoch's weights are kept",
    "tensorboard_log_directory": "no TensorBoard logging",
    "tensorboard_log_level": "no TensorBoard logging",
    "run_eagerly": "Keras decides; the model is small",
    "use_gpu": "the model is small and runs where Keras runs",
}

RASA_IGNORED_OPTIONS = frozenset(IGNORED_OPTIONS)

MODEL_CONFIDENCES = ("softmax",)
LOSS_TYPES = ("cross_entropy",)


def check_honoured(config: Any) -> None:
    """Raise ValueError naming the option when a TED option has a value Parley cannot honour."""
    confidence = config.model_confidence
    if confidence not in MODEL_CONFIDENCES:
        raise ValueError(
            f"model_confidence: Parley's TEDPolicy scores actions with softmax only, got {confidence!r}; "
            "remove the option or set `model_confidence: softmax`"
        )
    loss = config.loss_type
    if loss not in LOSS_TYPES:
        raise ValueError(
            f"loss_type: Parley's TEDPolicy trains with cross_entropy only, got {loss!r}; "
            "remove the option or set `loss_type: cross_entropy`"
        )
    ranking = config.ranking_length
    if not isinstance(ranking, int) or isinstance(ranking, bool) or ranking < 0:
        raise ValueError(f"ranking_length: must be a whole number >= 0 (0: all actions), got {ranking!r}")
    size = config.batch_size
    pair = isinstance(size, tuple) and len(size) == 2 and all(isinstance(n, int) and n >= 1 for n in size)
    if not (pair or (isinstance(size, int) and not isinstance(size, bool) and size >= 1)):
        raise ValueError(
            f"batch_size: a whole number >= 1, or [first, last] for a linearly growing one, got {size!r}"
        )
    rate = config.drop_rate_dialogue
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"drop_rate_dialogue: must be in [0, 1), got {rate!r}")
