from typing import TypedDict

import numpy as np
import numpy.typing as npt

class _LabStats(TypedDict):
    n_mask: int
    n_invalid: int
    n_shadow: int
    n_highlight: int
    n_used: int
    L_median_all: float
    L_mad_all: float
    L_low: float
    L_high: float
    mean: tuple[float, float, float]
    median: tuple[float, float, float]
    std: tuple[float, float, float]

SRGB_TO_XYZ: tuple[tuple[float, float, float], ...]
HIST_BIN_WIDTH: float

def rgb_to_lab(rgb: npt.NDArray[np.uint8], out: npt.NDArray[np.float32], threads: int) -> None: ...
def rgb_to_lightness(
    rgb: npt.NDArray[np.uint8], out: npt.NDArray[np.float32], divisor: float, threads: int
) -> None: ...
def ita_map(lab: npt.NDArray[np.float32], out: npt.NDArray[np.float32], threads: int) -> None: ...
def lightness_chroma(
    lab: npt.NDArray[np.float32],
    light: npt.NDArray[np.float32],
    chroma: npt.NDArray[np.float32],
    threads: int,
) -> None: ...
def apply_channel_luts(
    rgb: npt.NDArray[np.uint8],
    luts: npt.NDArray[np.uint8],
    out: npt.NDArray[np.uint8],
    threads: int,
) -> None: ...
def masked_channel_luts(
    rgb: npt.NDArray[np.uint8],
    mask: npt.NDArray[np.uint8],
    luts: npt.NDArray[np.uint8],
    out: npt.NDArray[np.uint8],
    threads: int,
) -> None: ...
def lab_stats(
    lab: npt.NDArray[np.float32], mask: npt.NDArray[np.uint8], k: float, threads: int
) -> _LabStats: ...
def rgb_to_lab_uses_avx2() -> bool: ...
