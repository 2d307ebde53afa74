"""The IntentEntityClassifier's options (config.yml keys), checked when built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassifierConfig:
    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 0.001
    weight_decay: float = 0.01  # > 0: AdamW with this decoupled weight decay
    hidden: int = 512
    sparse_dim: int = 64
    entity_hidden: int = 128
    dropout: float = 0.4
    validation_split: float = 0.1  # held out for early stopping when that makes >= 100 examples
    patience: int = 6
    min_steps: int = 600  # small data: more epochs, so that at least this many batches are seen
    entities: bool = True  # learn entities when the data has any
    entity_loss_weight: float = 1.0
    intent_attention: int = 0  # >0: width of an attention pooling of hub token vectors fed to the intent
    token_context: str = "conv+bigru"  # how the tagger mixes neighbouring tokens: conv, bigru, conv+bigru
    progress: bool = True
    calibrate: bool = True  # temperature-scale intent confidences on the held-out slice (calibration.py)

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size must be >= 1, got {self.epochs} and {self.batch_size}")
        if self.token_context not in ("conv", "bigru", "conv+bigru"):
            raise ValueError(
                f"token_context must be 'conv', 'bigru' or 'conv+bigru', got {self.token_context!r}"
            )
        if not 0.0 <= self.dropout < 1.0 or not 0.0 <= self.validation_split < 0.5:
            raise ValueError("dropout must be in [0, 1) and validation_split in [0, 0.5)")
