"""A Rasa config.yml pipeline: served, ignored with a warning, or refused naming what to use instead."""

from __future__ import annotations

import logging

import pytest

from nlu.config import DEFAULT_PIPELINE
from nlu.errors import PipelineConfigError
from nlu.rasa_compat import RASA_COMPONENTS, translate_rasa_pipeline
from nlu.yamlio import load_yaml

RASA = [
    {"name": "WhitespaceTokenizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1},
    {"name": "DIETClassifier", "epochs": 100},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.4},
]


def _pipeline(tmp_path, body: str):
    path = tmp_path / "config.yml"
    path.write_text(body, encoding="utf-8")
    return load_yaml(path)["pipeline"], str(path)


def test_rasa_pipeline_runs_as_parleys_default_carrying_the_fallback_threshold(caplog):
    with caplog.at_level(logging.INFO, logger="nlu.rasa_compat"):
        out = translate_rasa_pipeline(RASA, "config.yml")
    assert [c["name"] for c in out] == [c["name"] for c in DEFAULT_PIPELINE]
    assert next(c for c in out if c["name"] == "FallbackClassifier")["threshold"] == 0.4
    assert "component=DIETClassifier served_by=IntentEntityClassifier" in caplog.text


def test_options_without_an_equivalent_are_named_in_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_compat"):
        translate_rasa_pipeline(RASA, "config.yml")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "event=nlu.rasa_compat.options_ignored" in w and "component=CountVectorsFeaturizer" in w
        and "options=analyzer,min_ngram" in w
        for w in warnings
    )
    assert any("component=DIETClassifier" in w and "options=epochs" in w for w in warnings)


def test_unsupported_component_names_it_its_position_and_what_to_use(tmp_path):
    pipeline, path = _pipeline(
        tmp_path,
        "language: en\npipeline:\n  - name: WhitespaceTokenizer\n  - name: DIETClassifier\n"
        "  - name: SpacyEntityExtractor\n    dimensions: [PERSON]\n",
    )
    with pytest.raises(PipelineConfigError) as info:
        translate_rasa_pipeline(pipeline, path)
    message = str(info.value)
    assert message.startswith(f"{path}:5: key 'pipeline[2]': item 3, Rasa's 'SpacyEntityExtractor'")
    assert "is not supported" in message and "lookup table" in message


@pytest.mark.parametrize(
    ("name", "instead"),
    [("SpacyEntityExtractor", "annotate the entities")],
)
def test_each_unsupported_component_says_what_to_use_instead(name, instead):
    with pytest.raises(PipelineConfigError, match=rf"item 2, Rasa's '{name}'.*{instead}"):
        translate_rasa_pipeline([{"name": "WhitespaceTokenizer"}, {"name": name}])


def test_an_unknown_name_no_longer_disappears_into_the_default_pipeline():
    with pytest.raises(PipelineConfigError) as info:
        translate_rasa_pipeline([{"name": "WhitespaceTokenizer"}, {"name": "DIETClasifier"}])
    message = str(info.value)
    assert "item 2, 'DIETClasifier', is not a Rasa 3 component" in message and "DIETClassifier" in message


def test_custom_rasa_component_is_refused():
    with pytest.raises(PipelineConfigError, match="custom Rasa component.*Parley component"):
        translate_rasa_pipeline([{"name": "WhitespaceTokenizer"}, {"name": "addons.MyExtractor"}])


def test_mixing_parley_and_rasa_names_is_an_error_not_a_silent_replacement():
    pipeline = [
        {"name": "RegexTokenizer"},
        {"name": "HubFeaturizer", "fine_tune_layers": 2},
        {"name": "DIETClassifier"},
    ]
    mixed = r"'RegexTokenizer' is Parley's.*item 3 \('DIETClassifier'\)"
    with pytest.raises(PipelineConfigError, match=mixed):
        translate_rasa_pipeline(pipeline)


def test_ignored_component_is_a_named_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_compat"):
        translate_rasa_pipeline([{"name": "SpacyNLP", "model": "en_core_web_md"}, {"name": "SpacyTokenizer"}])
    assert "event=nlu.rasa_compat.component_ignored" in caplog.text and "component=SpacyNLP" in caplog.text
    assert "options=model" in caplog.text


def test_parley_pipeline_is_returned_unchanged():
    pipeline = [dict(c) for c in DEFAULT_PIPELINE]
    assert translate_rasa_pipeline(pipeline) == pipeline


def test_every_served_component_maps_to_a_registered_parley_component():
    from nlu.components import REGISTRY

    for name, rasa in RASA_COMPONENTS.items():
        assert rasa.status != "served" or rasa.parley in REGISTRY, name
        assert rasa.status == "served" or rasa.note, name


def test_load_pipeline_config_runs_a_rasa_config_yml_too(tmp_path):
    from nlu.config import load_pipeline_config

    path = tmp_path / "config.yml"
    path.write_text(
        "language: en\npipeline:\n  - name: WhitespaceTokenizer\n  - name: DIETClassifier\n"
        "  - name: FallbackClassifier\n    threshold: 0.5\n",
        encoding="utf-8",
    )
    config = load_pipeline_config(path)
    expected = [c["name"] for c in DEFAULT_PIPELINE if c["name"] != "EntitySynonymMapper"]
    assert [c.name for c in config.components] == expected
    assert config.components[-1].config.threshold == 0.5
    path.write_text("pipeline:\n  - name: WhitespaceTokenizer\n  - name: SpacyEntityExtractor\n")
    with pytest.raises(PipelineConfigError, match=rf"{path}:3: key 'pipeline\[1\]': item 2, Rasa's"):
        load_pipeline_config(path)


def test_fallback_and_synonyms_run_only_when_the_rasa_pipeline_names_them():
    out = translate_rasa_pipeline([{"name": "WhitespaceTokenizer"}, {"name": "DIETClassifier"}])
    names = [c["name"] for c in out]
    assert "FallbackClassifier" not in names and "EntitySynonymMapper" not in names  # as in Rasa
    assert names == ["RegexTokenizer", "HubFeaturizer", "CharNgramFeaturizer", "RegexEntityExtractor",
                     "IntentEntityClassifier"]  # fmt: skip
