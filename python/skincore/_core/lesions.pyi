from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

CHAN_COLS: int
GEOM_COLS: int
MIN_WEIGHT: float

def local_contrast(
    src: npt.NDArray[np.float32],
    mask: npt.NDArray[np.uint8],
    sigmas: Sequence[float],
    surround_ratio: float,
    truncate: float,
    out: npt.NDArray[np.float32],
    scale: npt.NDArray[np.uint8],
    threads: int,
) -> None: ...
def local_contrast_maps(
    srcs: Sequence[npt.NDArray[np.float32]],
    mask: npt.NDArray[np.uint8],
    sigmas: Sequence[float],
    surround_ratio: float,
    truncate: float,
    outs: Sequence[npt.NDArray[np.float32]],
    scales: Sequence[npt.NDArray[np.uint8]],
    threads: int,
) -> None: ...
def median3(
    src: npt.NDArray[np.uint8],
    out: npt.NDArray[np.uint8],
    channels: int,
    threads: int,
) -> None: ...
def take(
    index: npt.NDArray[np.int32] | npt.NDArray[np.uint8],
    channels: int,
    channel: int,
    lut: npt.NDArray[np.uint8] | npt.NDArray[np.int32] | npt.NDArray[np.float32],
    out: npt.NDArray[np.uint8] | npt.NDArray[np.int32] | npt.NDArray[np.float32],
    threads: int,
) -> None: ...
def smooth_over(
    srcs: Sequence[npt.NDArray[np.float32]],
    mask: npt.NDArray[np.uint8],
    sigma: float,
    truncate: float,
    min_weight: float,
    outs: Sequence[npt.NDArray[np.float32]],
    threads: int,
) -> None: ...
def region_features(
    labels: npt.NDArray[np.int32],
    n_labels: int,
    values: npt.NDArray[np.float32],
    mask: npt.NDArray[np.uint8],
    ring_gap: float,
    ring_width_factor: float,
    ring_min_width: float,
    core_fraction: float,
    threads: int,
) -> npt.NDArray[np.float64]: ...
def region_features_planes(
    labels: npt.NDArray[np.int32],
    n_labels: int,
    planes: Sequence[npt.NDArray[np.float32]],
    mask: npt.NDArray[np.uint8],
    ring_gap: float,
    ring_width_factor: float,
    ring_min_width: float,
    core_fraction: float,
    threads: int,
) -> npt.NDArray[np.float64]: ...
