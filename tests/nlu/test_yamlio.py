"""Parley's one YAML loader: every error a user meets names the file, the line and the key."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, field_validator, model_validator

from nlu.yamlio import ConfigFileError, LineDict, compose_yaml, load_yaml, validate


class Tracker(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = "memory"
    port: StrictInt = 6379


class Endpoints(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tracker_store: Tracker = Tracker()
    retries: list[StrictInt] = []

    @field_validator("retries")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value):
            raise ValueError("retries must be positive")
        return value


def _write(tmp_path, text: str | bytes, name: str = "endpoints.yml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_mappings_remember_the_line_of_each_key(tmp_path):
    path = _write(tmp_path, "# endpoints\ntracker_store:\n  type: redis\n  port: 6380\nretries: [1, 2]\n")
    data = load_yaml(path)
    assert isinstance(data, LineDict)
    assert data == {"tracker_store": {"type": "redis", "port": 6380}, "retries": [1, 2]}
    assert data.line_of("tracker_store") == 2 and data["tracker_store"].line_of("port") == 4
    assert data.line_of("absent") == data.line == 2
    assert data["retries"].line_of(1) == 5
    assert yaml.safe_load(yaml.safe_dump(data)) == data  # still writable with safe_dump


def test_missing_file(tmp_path):
    with pytest.raises(ConfigFileError, match=r"nope\.yml: file not found") as info:
        load_yaml(tmp_path / "nope.yml")
    assert info.value.kind == "config" and info.value.line is None


def test_not_utf8_names_line_and_column(tmp_path):
    path = _write(tmp_path, b"tracker_store:\n  type: r\xe9dis\n")
    with pytest.raises(ConfigFileError, match=r"endpoints\.yml:2:10: not valid UTF-8") as info:
        load_yaml(path)
    assert (info.value.line, info.value.column) == (2, 10)


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = _write(tmp_path, "tracker_store:\n  type: [redis\nretries: 1\n")
    with pytest.raises(ConfigFileError, match=r"endpoints\.yml:3:8: malformed YAML"):
        load_yaml(path)
    with pytest.raises(ConfigFileError, match=r"endpoints\.yml:3:8: malformed YAML"):
        compose_yaml(path)


def test_duplicate_key_is_an_error_not_a_silent_overwrite(tmp_path):
    path = _write(tmp_path, "tracker_store:\n  type: redis\n  type: memory\n")
    duplicate = r"endpoints\.yml:3:3: .*duplicate key 'type' \(first on line 2\)"
    with pytest.raises(ConfigFileError, match=duplicate):
        load_yaml(path)


def test_compose_keeps_node_positions(tmp_path):
    root = compose_yaml(tmp_path / "x.yml", "a: 1\nb:\n  - c\n")
    assert root.value[1][1].value[0].start_mark.line == 2


def test_unknown_key_names_file_line_dotted_key_and_valid_keys(tmp_path):
    path = _write(tmp_path, "tracker_store:\n  type: redis\n  passwrd: s3cret\n")
    with pytest.raises(ConfigFileError) as info:
        validate(Endpoints, load_yaml(path), path=path)
    err = info.value
    assert (err.line, err.key) == (3, "tracker_store.passwrd")
    assert str(err) == f"{path}:3: tracker_store.passwrd: unknown key; valid keys: port, type"


def test_wrong_type_says_what_was_expected_and_given(tmp_path):
    path = _write(tmp_path, "tracker_store:\n  port: 'six'\nretries: [1, x]\n")
    with pytest.raises(ConfigFileError) as info:
        validate(Endpoints, load_yaml(path), path=path)
    message = str(info.value)
    assert message.startswith(f"{path}:2: tracker_store.port: expected int, got str 'six'")
    assert "and 1 more: retries[1]" in message


def test_value_errors_and_key_prefix(tmp_path):
    path = _write(tmp_path, "bot:\n  retries:\n    - 0\n")
    data = load_yaml(path)
    with pytest.raises(ConfigFileError, match=r":2: bot\.retries: retries must be positive"):
        validate(Endpoints, data["bot"], path=path, key_prefix="bot")


def test_valid_data_becomes_the_model(tmp_path):
    path = _write(tmp_path, "tracker_store: {type: redis}\n")
    endpoints = validate(Endpoints, load_yaml(path), path=path)
    assert endpoints.tracker_store == Tracker(type="redis", port=6379)


@dataclasses.dataclass(frozen=True)
class Plain:
    threshold: float = 0.3
    names: tuple[str, ...] = ()
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {self.threshold}")


def test_plain_dataclasses_are_checked_strictly_then_built(tmp_path):
    path = _write(tmp_path, "fallback:\n  threshold: 1\n  names: [a, b]\n", "config.yml")
    data = load_yaml(path)
    assert validate(Plain, data["fallback"], path=path) == Plain(1.0, ("a", "b"))
    for body, expected in (
        ("fallback:\n  enabled: 1\n", r":2: fallback\.enabled: expected bool, got int 1"),
        ("fallback:\n  threshold: '0.5'\n", r":2: fallback\.threshold: expected float, got str '0.5'"),
        ("fallback:\n  thresold: 0.5\n", r":2: fallback\.thresold: unknown key; valid keys: enabled, names"),
        ("fallback:\n  threshold: 2\n", r":2: fallback: threshold must be within \[0, 1\], got 2"),
    ):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigFileError, match=expected):
            validate(Plain, load_yaml(path)["fallback"], path=path, key_prefix="fallback")


class Redis(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: StrictStr | None = None
    db: StrictInt | StrictStr = 0


def test_secrets_are_never_echoed_and_union_errors_are_merged(tmp_path):
    path = _write(tmp_path, "password: 12345\ndb: [0]\n")
    with pytest.raises(ConfigFileError) as info:
        validate(Redis, load_yaml(path), path=path)
    message = str(info.value)
    assert message.startswith(f"{path}:1: password: expected str, got int ***")
    assert "12345" not in message and "(and 1 more: db)" in message
    with pytest.raises(ConfigFileError, match=r":2: db: expected int or str, got list \[0\]$"):
        validate(Redis, load_yaml(_write(tmp_path, "password: x\ndb: [0]\n")), path=path)


def test_plain_dicts_still_get_dotted_keys():
    with pytest.raises(ConfigFileError, match=r"^c\.json: tracker_store\.port: expected int"):
        validate(Endpoints, {"tracker_store": {"port": "x"}}, path="c.json")


class Store(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: StrictStr | None = None
    host: StrictStr | None = None
    password: StrictStr | None = None

    @model_validator(mode="after")
    def _one_address(self) -> Store:
        if self.url and self.host:
            raise ValueError("give url or host, not both")
        return self


class Endpoints2(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tracker_store: Store
    retries: StrictInt = 0


def test_a_section_level_error_never_carries_the_sections_password(tmp_path):
    path = _write(tmp_path, "tracker_store:\n  url: redis://x\n  host: x\n  password: hunter2\n")
    with pytest.raises(ConfigFileError) as info:
        validate(Endpoints2, load_yaml(path), path=path)
    assert str(info.value) == f"{path}:1: tracker_store: give url or host, not both"
    path = _write(tmp_path, "tracker_store: {password: hunter2}\nretries: {password: hunter2}\n")
    with pytest.raises(ConfigFileError) as info:
        validate(Endpoints2, load_yaml(path), path=path)
    message = str(info.value)
    assert "hunter2" not in message and "retries: expected int, got mapping {'password': '***'}" in message
