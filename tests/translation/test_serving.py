"""The TF Serving client (translation/serving.py) against the real exported SavedModel, served by a
loopback stand-in that speaks TF Serving's REST predict JSON; the export checked with saved_model_cli."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.translation.tfserving_standin import TFServingStandIn
from translation.errors import ModelServerError, TranslationError
from translation.export import export
from translation.service import TranslationService
from translation.serving import ServerConfig, load_server_config


@pytest.fixture(scope="module")
def exported(rnn_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(rnn_dir, tmp_path_factory.mktemp("export") / "en-de" / "1", beam=3)


def test_the_export_has_the_string_to_string_signature_saved_model_cli_shows(exported: Path):
    cli = shutil.which("saved_model_cli", path=str(Path(sys.executable).parent))
    assert cli is not None, "saved_model_cli comes with tensorflow in the venv"
    shown = subprocess.run(
        [cli, "show", "--dir", str(exported), "--tag_set", "serve", "--signature_def", "serving_default"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    assert "inputs['text'] tensor_info" in shown and "dtype: DT_STRING" in shown
    assert "outputs['translation'] tensor_info" in shown and "outputs['score'] tensor_info" in shown
    assert "DT_FLOAT" in shown


def test_translations_from_tf_serving_match_the_in_process_model(
    exported: Path, rnn_dir: Path, rnn, tiny_pairs
):
    texts = [p[0] for p in tiny_pairs[:10]] + ["Hi!"]
    long_text = " ".join(p[0].rstrip(".!?") + "." for p in tiny_pairs[:40])  # over the limit: split
    with TFServingStandIn({"en-de": exported}) as server:
        service = TranslationService.load_served(
            {("en", "de"): rnn_dir}, ServerConfig(url=server.url, model="en-de", timeout=30)
        )
        try:
            served = service.translate([*texts, long_text], "en", "de", beam=3)
            assert service.translators[("en", "de")].status() == "AVAILABLE"
        finally:
            service.close()
        assert server.requests[0]["signature_name"] == "serving_default"
        assert set(server.requests[0]["inputs"]) == {"text"}  # columnar: one named input
    local = TranslationService({("en", "de"): rnn})
    try:
        expected = local.translate([*texts, long_text], "en", "de", beam=3)
    finally:
        local.close()
    assert [t.text for t in served] == [t.text for t in expected]
    assert [round(t.score, 3) for t in served] == pytest.approx(
        [round(t.score, 3) for t in expected], abs=2e-3
    )


def test_a_model_server_that_is_down_or_lacks_the_model_is_a_clear_unavailable_error(exported, rnn_dir):
    with TFServingStandIn({"en-de": exported}) as server:
        wrong = TranslationService.load_served(
            {("en", "de"): rnn_dir}, ServerConfig(url=server.url, model="xx")
        )
        with pytest.raises(ModelServerError, match="404 for model xx: Servable not found") as err:
            wrong.translate(["Hello"], "en", "de")
        assert err.value.kind == "unavailable"
        with pytest.raises(TranslationError, match="alignments need the in-process model"):
            wrong.translate(["Hello"], "en", "de", alignments=True)
        wrong.close()
        url = server.url
    gone = TranslationService.load_served({("en", "de"): rnn_dir}, ServerConfig(url=url, timeout=2))
    with pytest.raises(ModelServerError, match="cannot be reached"):
        gone.translate(["Hello"], "en", "de")
    gone.close()


def test_the_endpoints_section_is_checked(tmp_path: Path):
    from nlu.yamlio import ConfigFileError

    config = load_server_config(
        {"url": "http://tfserving:8501", "models": {"en-de": "ende"}}, tmp_path / "e.yml"
    )
    assert config.model_for("en", "de") == "ende" and config.model_for("de", "en") == "de-en"
    with pytest.raises(ConfigFileError, match="translation_server.ur"):
        load_server_config({"ur": "http://x"}, tmp_path / "e.yml")
    with pytest.raises(ConfigFileError, match="translation_server.url"):
        load_server_config({"url": "tfserving:8501"}, tmp_path / "e.yml")
