"""The demo recipe `make run` uses: demo-data -> prepare -> train (demo.yml) gives in-domain translations."""

from __future__ import annotations

import pytest

from translation.cli import main
from translation.translator import Translator


@pytest.mark.slow
def test_demo_recipe_trains_a_model_that_translates_in_domain_phrases(tmp_path):
    cfg = "translation/configs/demo.yml"
    assert main(["translate", "demo-data", "--out", str(tmp_path / "data")]) == 0
    assert (
        main(
            [
                "translate",
                "prepare",
                "--data",
                str(tmp_path / "data"),
                "--config",
                cfg,
                "--out",
                str(tmp_path / "prepared"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "translate",
                "train",
                "--data",
                str(tmp_path / "prepared"),
                "--config",
                cfg,
                "--out",
                str(tmp_path / "model"),
            ]
        )
        == 0
    )
    translator = Translator.load(tmp_path / "model")
    out = translator.translate(["Will it be sunny in Berlin tomorrow?", "I would like to buy a coffee."])
    assert [h.text for h in out] == [
        "Wird es morgen in Berlin sonnig sein?",
        "Ich möchte einen Kaffee kaufen.",
    ]
