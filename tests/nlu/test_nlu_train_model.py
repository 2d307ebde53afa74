"""Training, the model folder, loading and parsing (on the sparse pipeline: no hub module needed)."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

from nlu import NLUModel, ParseResult, train_nlu
from nlu.errors import InvalidInput, ModelNotFound


def test_learns_intents_entities_and_roles(sparse_model):
    result = sparse_model.parse("fly from Oslo to Vienna")
    assert result.intent.name == "book_flight"
    cities = {(e.value, e.role) for e in result.entities if e.entity == "city"}
    assert cities == {("Oslo", "departure"), ("Vienna", "destination")}
    assert sparse_model.parse("hello there").intent.name == "greet"
    assert sparse_model.parse("goodbye").intent.name == "goodbye"


def test_regex_synonyms_and_rasa_json(sparse_model):
    out = sparse_model.parse("weather for NYC").to_dict()
    assert set(out) == {"text", "intent", "intent_ranking", "entities"}
    assert set(out["intent"]) == {"name", "confidence"}
    assert 1 <= len(out["intent_ranking"]) <= 10
    nyc = [e for e in out["entities"] if e["entity"] == "city"]
    assert nyc and nyc[0]["value"] == "New York" and (nyc[0]["start"], nyc[0]["end"]) == (12, 15)
    assert set(nyc[0]) == {"entity", "value", "start", "end", "confidence", "extractor", "role", "group"}
    zips = [
        e
        for e in sparse_model.parse("my zip code is 54321").entities
        if e.extractor == "RegexEntityExtractor"
    ]
    assert [(z.entity, z.value) for z in zips] == [("zipcode", "54321")]


@pytest.mark.parametrize("text", ["", "   ", "!!!", "🙂", "x" * 3000])
def test_odd_text_gives_a_valid_result(sparse_model, text):
    result = sparse_model.parse(text)
    assert isinstance(result, ParseResult)
    json.dumps(result.to_dict())
    if not text.strip():
        assert result.intent.name is None and result.intent.confidence == 0.0 and result.entities == []


def test_non_string_is_rejected(sparse_model):
    with pytest.raises(InvalidInput):
        sparse_model.parse(None)  # type: ignore[arg-type]


def test_missing_model_says_run_train(tmp_path):
    with pytest.raises(ModelNotFound) as info:
        NLUModel.load(tmp_path / "nothing")
    assert "parley train" in str(info.value)
    assert ModelNotFound.kind == "unavailable" and ModelNotFound.code == "model_not_found"


def test_save_load_round_trip_gives_identical_parses(sparse_model, sparse_model_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(sparse_model_dir, copy)
    again = NLUModel.load(copy)
    for text in ["fly from Berlin to Rome", "weather in Paris today", "bye", "my zip is 12345"]:
        assert again.parse(text).to_dict() == sparse_model.parse(text).to_dict()
    assert again.intents == sparse_model.intents and "city" in again.entities


def test_model_folder_holds_no_pickle(sparse_model_dir):
    suffixes = {p.suffix for p in sparse_model_dir.rglob("*") if p.is_file()}
    assert suffixes <= {".json", ".h5"}, suffixes


def test_parse_is_thread_safe(sparse_model):
    texts = ["fly from Berlin to Rome", "hello", "weather in Oslo tomorrow", "bye bye"] * 5
    expected = [sparse_model.parse(t).to_dict() for t in texts]
    results: list = [None] * len(texts)

    def work(i: int) -> None:
        results[i] = sparse_model.parse(texts[i]).to_dict()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def test_unchanged_config_and_data_are_not_retrained(tiny_project, sparse_model_dir, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(tiny_project / "data", project / "data")
    shutil.copy(tiny_project / "config.yml", project / "config.yml")
    out = project / "models" / "nlu"
    shutil.copytree(sparse_model_dir, out)
    again = train_nlu(project / "config.yml", [project / "data"], out, seed=1)
    assert again.retrained is False

    # A bot-only change in config.yml does not retrain either.
    (project / "config.yml").write_text(
        (project / "config.yml").read_text().replace("RulePolicy", "MemoPolicy")
    )
    assert train_nlu(project / "config.yml", [project / "data"], out, seed=1).retrained is False

    # A new example retrains.
    nlu = project / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text().replace("    - farewell\n", "    - farewell\n    - ciao\n"))
    changed = train_nlu(project / "config.yml", [project / "data"], out, seed=1)
    assert changed.retrained is True and changed.summary["examples"] > 0

    # A pipeline change retrains.
    (project / "config.yml").write_text(
        (project / "config.yml").read_text().replace("epochs: 40", "epochs: 5")
    )
    assert train_nlu(project / "config.yml", [project / "data"], out, seed=1).retrained is True


def test_same_seed_gives_the_same_model(tiny_project, sparse_model, tmp_path):
    out = tmp_path / "again"
    train_nlu(tiny_project / "config.yml", [tiny_project / "data"], out, seed=1)
    again = NLUModel.load(out)
    for text in ["fly from Oslo to Rome", "will it rain in Berlin today", "hi"]:
        assert again.parse(text).to_dict() == sparse_model.parse(text).to_dict()
