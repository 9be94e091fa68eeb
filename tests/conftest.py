from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FACES = Path(__file__).parent / "data" / "faces"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    return FACES


@pytest.fixture(scope="session")
def sample_path() -> Path:
    from importlib.resources import files

    return Path(str(files("skincore") / "data" / "sample.jpg"))
