"""Small series for the forecasting tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from actions.forecasting.data import demo_visits, write_csv
from actions.forecasting.series import Series


@pytest.fixture
def visits() -> Series:
    return demo_visits(weeks=3)


@pytest.fixture
def visits_csv(tmp_path: Path, visits: Series) -> Path:
    return write_csv(visits, tmp_path / "visits.csv")


@pytest.fixture
def seasonal_series() -> list[np.ndarray]:
    """Three noiseless daily-seasonal series of different levels (120 points each)."""
    t = np.arange(120)
    return [level * (2.0 + np.sin(2 * np.pi * t / 24)) for level in (1.0, 5.0, 20.0)]
