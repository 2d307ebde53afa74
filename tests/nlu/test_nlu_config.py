"""config.yml's pipeline: unknown components and keys fail naming the file and the key."""

from __future__ import annotations

import pytest

from nlu.config import DEFAULT_PIPELINE, load_pipeline_config
from nlu.errors import PipelineConfigError


def _config(tmp_path, body: str):
    path = tmp_path / "config.yml"
    path.write_text(body)
    return path


def test_unknown_component_lists_the_valid_ones(tmp_path):
    path = _config(tmp_path, "pipeline:\n  - name: RegexTokenizer\n  - name: DIETClasifier\n")
    with pytest.raises(PipelineConfigError) as info:
        load_pipeline_config(path)
    message = str(info.value)
    assert str(path) in message and "DIETClasifier" in message and "IntentEntityClassifier" in message


def test_unknown_option_names_file_and_key(tmp_path):
    path = _config(
        tmp_path, "pipeline:\n  - name: RegexTokenizer\n  - name: IntentEntityClassifier\n    epoch: 3\n"
    )
    with pytest.raises(PipelineConfigError) as info:
        load_pipeline_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:4: key 'pipeline[1].epoch': IntentEntityClassifier: unknown key")
    assert "epochs" in message  # the valid options are listed
    assert (info.value.path, info.value.line, info.value.key) == (str(path), 4, "pipeline[1].epoch")


def test_wrong_type_and_bad_value(tmp_path):
    path = _config(
        tmp_path, "pipeline:\n  - name: RegexTokenizer\n  - name: FallbackClassifier\n    threshold: high\n"
    )
    with pytest.raises(PipelineConfigError, match=r":4: key 'pipeline\[1\]\.threshold'.*expected float"):
        load_pipeline_config(path)
    path = _config(
        tmp_path, "pipeline:\n  - name: RegexTokenizer\n  - name: FallbackClassifier\n    threshold: 1.5\n"
    )
    with pytest.raises(PipelineConfigError, match=r"within \[0, 1\]"):
        load_pipeline_config(path)


def test_other_top_level_keys_belong_to_the_bot(tmp_path):
    path = _config(
        tmp_path, "language: de\nrecipe: default.v1\npolicies: [{name: RulePolicy}]\ntranslation: {}\n"
    )
    config = load_pipeline_config(path)
    assert config.language == "de"
    assert [c.name for c in config.components] == [c["name"] for c in DEFAULT_PIPELINE]


def test_missing_file(tmp_path):
    with pytest.raises(PipelineConfigError, match="not found"):
        load_pipeline_config(tmp_path / "nope.yml")


def test_unknown_component_names_its_line(tmp_path):
    path = _config(tmp_path, "pipeline:\n  - name: RegexTokenizer\n\n  - name: Tokeniser\n")
    expected = rf"{path}:4: key 'pipeline': unknown component 'Tokeniser'"
    with pytest.raises(PipelineConfigError, match=expected):
        load_pipeline_config(path)


def test_component_without_options_says_so(tmp_path):
    path = _config(tmp_path, "pipeline:\n  - name: RegexTokenizer\n  - name: EntitySynonymMapper\n    x: 1\n")
    expected = "EntitySynonymMapper: unknown key; this section takes no keys"
    with pytest.raises(PipelineConfigError, match=expected):
        load_pipeline_config(path)
