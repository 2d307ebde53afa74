"""The M4 Hourly and Weekly sets (wide CSVs: id, then the observations, right-padded with empty fields)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import NotFound

M4_SETS = {"hourly": ("Hourly", 48, 24, "H"), "weekly": ("Weekly", 13, 1, "W")}


@dataclass(frozen=True)
class M4Set:
    name: str  # "hourly" | "weekly"
    ids: list[str]
    train: list[np.ndarray]  # each (n_i,)
    test: list[np.ndarray]  # each (h,)
    h: int
    m: int
    freq: str

    def validation(self) -> M4Set:
        """The tuning split: the last h points of each training series become the targets."""
        return M4Set(
            f"{self.name}_validation",
            self.ids,
            [x[: -self.h] for x in self.train],
            [x[-self.h :] for x in self.train],
            self.h,
            self.m,
            self.freq,
        )


def _read_wide(path: Path) -> tuple[list[str], list[np.ndarray]]:
    if not path.is_file():
        raise NotFound(f"M4 file {path} does not exist; pass the folder holding Train/ and Test/")
    ids, rows = [], []
    with path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)  # header "V1","V2",...
        for row in reader:
            ids.append(row[0])
            rows.append(np.array([float(v) for v in row[1:] if v != ""], float))
    return ids, rows


def load_m4(data_dir: Path, name: str, split: str = "test") -> M4Set:
    """`split="test"`: training series and the official test horizon; `"validation"`: the last h
    training points held out (the test file is not read)."""
    if name not in M4_SETS:
        raise NotFound(f"unknown M4 set {name!r}; use one of {sorted(M4_SETS)}")
    title, h, m, freq = M4_SETS[name]
    ids, train = _read_wide(Path(data_dir) / "Train" / f"{title}-train.csv")
    if split == "validation":
        return M4Set(name, ids, train, [x[-h:] for x in train], h, m, freq).validation()
    if split != "test":
        raise ValueError(f"unknown split {split!r}; use 'test' or 'validation'")
    test_ids, test = _read_wide(Path(data_dir) / "Test" / f"{title}-test.csv")
    if test_ids != ids:
        raise ValueError(f"{title}: train and test ids differ")
    return M4Set(name, ids, train, test, h, m, freq)
