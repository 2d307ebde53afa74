"""bench/multi30k_directions.py: each direction's model scored on the raw test2016 files it is given,
its training time read from the run, a direction not given left out (so the benchmark lists it as
missing), and a model of the wrong direction refused (a tiny model and a self-written test set)."""

from __future__ import annotations

import json

import pytest

from bench.multi30k_directions import score_directions
from tests.translation.conftest import tiny_config
from translation.data import prepare
from translation.demo_data import demo_pairs
from translation.training import train


@pytest.fixture(scope="module")
def en_de_run(tmp_path_factory):
    pairs = sorted(demo_pairs(), key=lambda p: (len(p[0]), p))[::30][:40]
    prepared = tmp_path_factory.mktemp("prepared")
    cfg = tiny_config("transformer", max_steps=60)
    prepare(prepared, "en", "de", cfg.data, cfg.subwords, {"train": pairs, "dev": pairs, "test": pairs})
    model = tmp_path_factory.mktemp("en-de")
    train(prepared, model, cfg, progress=False)
    data = tmp_path_factory.mktemp("multi30k")
    for i, lang in enumerate(("en", "de")):
        (data / f"test_2016_flickr.{lang}").write_text("\n".join(p[i] for p in pairs[:8]) + "\n", "utf-8")
    return model, data


def test_a_direction_is_scored_on_its_raw_test_files_with_its_training_time(en_de_run, tmp_path):
    model, data = en_de_run
    result = score_directions(model, None, out_dir=tmp_path, data=data)
    report = json.loads((tmp_path / "multi30k_en_de_test2016.json").read_text(encoding="utf-8"))
    assert result["multi30k_en_de_test2016_bleu"] == report["bleu"]
    assert report["references"]["from"].endswith("test_2016_flickr.de") and report["references"]["lines"] == 8
    assert (tmp_path / "multi30k_en_de_test2016.alignment.png").stat().st_size > 0
    elapsed = json.loads((model / "train_log.json").read_text(encoding="utf-8"))["summary"]["elapsed_s"]
    assert result["nmt_train_hours"] == round(elapsed / 3600, 3)
    assert result["multi30k_runs"]["en_de"]["train_steps"] == 60
    assert "multi30k_de_en_test2016_bleu" not in result  # not given: the benchmark lists it as missing


def test_a_model_of_the_other_direction_is_refused(en_de_run, tmp_path):
    model, data = en_de_run
    with pytest.raises(SystemExit, match="translates en->de, not de->en"):
        score_directions(None, model, out_dir=tmp_path, data=data)
