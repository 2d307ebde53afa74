"""Optional fine-tuning of the top encoder layers: trained on the intents, saved with the model."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from nlu import NLUModel, train_nlu
from nlu.components import Message
from nlu.components.hub_featurizer import HubFeaturizer, HubFeaturizerConfig
from nlu.components.tokenizer import RegexTokenizer, TokenizerConfig
from nlu.errors import IncompatibleModel, PipelineConfigError

FINE_TUNE_CONFIG = """\
language: en
pipeline:
  - name: RegexTokenizer
  - name: HubFeaturizer
    fine_tune_layers: 1
    fine_tune_epochs: 3
    fine_tune_learning_rate: 0.0003
    fine_tune_batch_size: 8
  - name: IntentEntityClassifier
    epochs: 30
    hidden: 32
    entity_hidden: 16
    dropout: 0.0
    learning_rate: 0.005
    entities: false
    progress: false
"""


@pytest.fixture(scope="module")
def tuned_dir(tiny_project):
    (tiny_project / "config_tuned.yml").write_text(FINE_TUNE_CONFIG)
    out = tiny_project / "models" / "nlu_tuned"
    train_nlu(tiny_project / "config_tuned.yml", [tiny_project / "data"], out, seed=1)
    return out


def _sentences(featurizer: HubFeaturizer, texts: list[str]) -> np.ndarray:
    msgs = [Message(t) for t in texts]
    RegexTokenizer(TokenizerConfig()).process(msgs)
    featurizer.process(msgs)
    return np.stack([m.sentence_dense for m in msgs])


def test_fine_tuned_module_is_saved_with_the_model_and_moves_the_vectors(tuned_dir):
    folders = list((tuned_dir / "components").glob("*_HubFeaturizer/fine_tuned_module"))
    assert len(folders) == 1 and (folders[0] / "parley_module.json").is_file()
    model = NLUModel.load(tuned_dir)
    assert model.parse("good evening").intent.name == "greet"
    assert model.parse("please fly from Oslo to Vienna").intent.name == "book_flight"
    summary = model.metadata["summary"]["components"]["HubFeaturizer"]
    assert summary["fine_tuned_layers"] == 1 and len(summary["history"]) == 3
    assert summary["history"][-1]["loss"] < summary["history"][0]["loss"]  # it learned
    texts = ["good evening", "fly from London to Paris"]
    base = _sentences(HubFeaturizer(HubFeaturizerConfig()), texts)
    tuned = _sentences(model.pipeline.components[1], texts)
    np.testing.assert_allclose(np.linalg.norm(tuned, axis=1), 1.0, atol=1e-4)
    assert np.abs(tuned - base).max() > 1e-3  # the top layer changed


def test_a_fine_tuned_model_loads_the_same_from_a_copy(tuned_dir, tmp_path):
    shutil.copytree(tuned_dir, tmp_path / "m")
    a, b = NLUModel.load(tuned_dir), NLUModel.load(tmp_path / "m")
    for text in ["hello there", "book a flight to Rome"]:
        assert a.parse(text).intent == b.parse(text).intent
    shutil.rmtree(next((tmp_path / "m" / "components").glob("*_HubFeaturizer")) / "fine_tuned_module")
    with pytest.raises(IncompatibleModel, match="fine_tune_layers"):
        NLUModel.load(tmp_path / "m")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("fine_tune_layers: 7", "fine_tune_layers must be 0..6"),
        ("fine_tune_layers: 2\n    handle: https://tfhub.dev/x/1", "default module only"),
    ],
)
def test_bad_fine_tuning_options_name_the_problem(tiny_project, tmp_path, option, message):
    from nlu.config import load_pipeline_config

    path = tmp_path / "config.yml"
    path.write_text(f"language: en\npipeline:\n  - name: HubFeaturizer\n    {option}\n")
    with pytest.raises(PipelineConfigError, match=message):
        load_pipeline_config(path)
