"""The CLI explains itself and writes the demo data deterministically."""

from __future__ import annotations

import argparse

import pytest

from translation.cli import main, register


@pytest.mark.parametrize("command", ["prepare", "train", "evaluate", "explain", "export", "demo-data"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main(["translate", command, "--help"])
    assert info.value.code == 0
    assert "--" in capsys.readouterr().out


def test_register_adds_translate_to_a_parser():
    parser = argparse.ArgumentParser(prog="parley")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["translate", "demo-data", "--out", "x"])
    assert args.translate_command == "demo-data" and args.out == "x"


def test_demo_data_is_deterministic_and_in_domain(tmp_path, capsys):
    assert main(["translate", "demo-data", "--out", str(tmp_path / "a")]) == 0
    assert main(["translate", "demo-data", "--out", str(tmp_path / "b")]) == 0
    for name in ("train.en", "train.de", "dev.en", "test.de"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    en = (tmp_path / "a" / "train.en").read_text(encoding="utf-8").splitlines()
    de = (tmp_path / "a" / "train.de").read_text(encoding="utf-8").splitlines()
    assert len(en) == len(de) > 1500
    assert "Wetter" in " ".join(de) and "Treffen" in " ".join(de)
