"""The Rasa 3 YAML reader: what loads, and the errors a user sees (file and line)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nlu import load_training_data
from nlu.data.training_data import EntityAnnotation
from nlu.errors import TrainingDataError

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_reads_intents_entities_roles_synonyms_regexes_lookups(tmp_path, tiny_nlu):
    data = load_training_data([write(tmp_path / "nlu.yml", tiny_nlu)])
    assert data.intents == ["book_flight", "goodbye", "greet", "weather", "zip"]
    assert data.entities == ["city", "date", "zipcode"]
    assert data.roles == ["departure", "destination"]
    flight = next(e for e in data.examples if e.text == "fly from Berlin to Paris")
    assert flight.entities == (
        EntityAnnotation(9, 15, "city", "Berlin", role="departure"),
        EntityAnnotation(19, 24, "city", "Paris", role="destination"),
    )
    nyc = next(e for e in data.examples if e.text.startswith("weather for NYC"))
    assert nyc.entities[0].value == "New York"
    assert data.synonyms["nyc"] == "New York" and data.synonyms["big apple"] == "New York"
    assert [r.name for r in data.regexes] == ["zipcode"]
    assert data.lookups[0].elements == ("Lufthansa", "Air France")


def test_group_and_value_in_dict_form(tmp_path):
    text = """nlu:
- intent: order
  examples: |
    - a [large]{"entity": "size", "group": "1"} [pepperoni]{"entity": "topping", "group": "1",\
 "value": "salami"}
"""
    ex = load_training_data(write(tmp_path / "nlu.yml", text)).examples[0]
    assert ex.text == "a large pepperoni"
    assert ex.entities[0].group == "1" and ex.entities[1].value == "salami"


def test_several_files_and_folders_and_lookup_file(tmp_path):
    write(tmp_path / "data" / "a.yml", 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n')
    write(tmp_path / "data" / "sub" / "b.yml", "nlu:\n- intent: bye\n  examples: |\n    - bye\n")
    write(tmp_path / "data" / "stories.yml", "version: '3.1'\nstories:\n- story: s\n  steps: []\n")
    write(tmp_path / "cities.txt", "Berlin\nParis\n\n")
    lookup = write(tmp_path / "lookup.yml", "nlu:\n- lookup: city\n  examples: cities.txt\n")
    data = load_training_data([tmp_path / "data", lookup])
    assert sorted(e.text for e in data.examples) == ["bye", "hi"]
    assert data.lookups[0].elements == ("Berlin", "Paris")


def test_examples_as_list_of_text_items(tmp_path):
    text = "nlu:\n- intent: greet\n  examples:\n  - text: |\n      hello [Ann](name)\n    metadata: {a: 1}\n"
    ex = load_training_data(write(tmp_path / "nlu.yml", text)).examples[0]
    assert ex.text == "hello Ann" and ex.entities[0].entity == "name"


def test_literal_brackets_are_text(tmp_path):
    text = "nlu:\n- intent: q\n  examples: |\n    - transfer from [country]?\n"
    assert (
        load_training_data(write(tmp_path / "nlu.yml", text)).examples[0].text == "transfer from [country]?"
    )


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n   - bad: [\n", 5, "malformed YAML"),
        ("nlu:\n- intent: greet\n  exampels: |\n    - hi\n", 3, "unknown key 'exampels'"),
        ("version: '3.1'\nnlus:\n- intent: greet\n", 2, "unknown top-level key 'nlus'"),
        (
            "nlu:\n- intent: greet\n  examples: |\n    - hi\n    - fly to [Berlin(city)\n",
            5,
            "unbalanced entity bracket",
        ),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    - fly to [Berlin](city\n", 5, "not closed"),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n- intent: empty\n", 5, "has no examples"),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n", 5, "must start with '- '"),
        (
            'nlu:\n- intent: g\n  examples: |\n    - [a]{"entity": "x", "colour": "red"}\n',
            4,
            "unknown key 'colour'",
        ),
    ],
)
def test_errors_name_file_and_line(tmp_path, body, line, fragment):
    path = write(tmp_path / "bad.yml", body)
    with pytest.raises(TrainingDataError) as info:
        load_training_data([path])
    assert str(info.value).startswith(f"{path}:{line}:"), str(info.value)
    assert fragment in str(info.value)


def test_example_under_two_intents_warns(tmp_path, caplog):
    text = (
        "nlu:\n- intent: greet\n  examples: |\n    - good day\n- intent: bye\n  examples: |\n    - Good day\n"
    )
    with caplog.at_level(logging.WARNING):
        data = load_training_data(write(tmp_path / "nlu.yml", text))
    assert len(data.examples) == 2
    assert any("'good day'" in w.lower() and "greet" in w and "bye" in w for w in data.warnings)
    assert "nlu.yml:7" in data.warnings[0] and "nlu.yml:4" in data.warnings[0]
    assert "duplicate_example" in caplog.text


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(TrainingDataError, match="no such file"):
        load_training_data([tmp_path / "nope"])


@pytest.mark.skipif(
    not (SHARED_DATA / "rasa_projects").is_dir(), reason="../shared/data/rasa_projects absent"
)
@pytest.mark.parametrize(
    "project",
    sorted(p.name for p in (SHARED_DATA / "rasa_projects").glob("*") if (p / "data").is_dir())
    if (SHARED_DATA / "rasa_projects").is_dir()
    else [],
)
def test_every_rasa_example_project_loads(project):
    data = load_training_data([SHARED_DATA / "rasa_projects" / project / "data"])
    assert len(data.examples) >= 20
    assert len(data.intents) >= 4


def test_lookup_file_that_is_not_utf8_names_its_line(tmp_path):
    import pytest

    from nlu.data.yaml_reader import load_training_data
    from nlu.errors import TrainingDataError

    (tmp_path / "cities.txt").write_bytes(b"Berlin\nM\xfcnchen\n")
    (tmp_path / "nlu.yml").write_text("nlu:\n- lookup: city\n  examples: cities.txt\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"cities\.txt:2: lookup table: not valid UTF-8"):
        load_training_data(tmp_path / "nlu.yml")
