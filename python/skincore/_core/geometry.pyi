from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

def gaussian_blur(
    src: npt.NDArray[np.float32],
    dst: npt.NDArray[np.float32],
    sigma: float,
    truncate: float = 4.0,
    threads: int = 0,
) -> None: ...
def gaussian_blur_planes(
    srcs: list[npt.NDArray[np.float32]],
    dsts: list[npt.NDArray[np.float32]],
    sigma: float,
    truncate: float = 4.0,
    threads: int = 0,
) -> None: ...
def blur_threshold(
    mask: npt.NDArray[np.uint8],
    sigmas: Sequence[float],
    thresholds: Sequence[float],
    out: npt.NDArray[np.uint8],
    threads: int = 0,
) -> None: ...
def blur_threshold_masks(
    masks: list[npt.NDArray[np.uint8]],
    sigmas: list[float],
    thresholds: list[float],
    outs: list[npt.NDArray[np.uint8]],
    threads: int = 0,
    boxes: npt.NDArray[np.int64] | None = None,
) -> None: ...
def resize(
    src: npt.NDArray[np.uint8] | npt.NDArray[np.float32],
    dst: npt.NDArray[np.uint8] | npt.NDArray[np.float32],
    method: int,
    threads: int = 0,
) -> None: ...
def resize_mask(
    src: npt.NDArray[np.uint8],
    dst: npt.NDArray[np.uint8],
    threads: int = 0,
) -> None: ...
def fill_polygons(
    xy: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    dst: npt.NDArray[np.uint8],
    value: int,
    rule: int,
    threads: int = 0,
    ox: int = 0,
    oy: int = 0,
) -> None: ...
def tile_median(
    src: npt.NDArray[np.float32],
    mask: npt.NDArray[np.uint8],
    tile: int,
    median: npt.NDArray[np.float32],
    count: npt.NDArray[np.int32],
    threads: int = 0,
    step: int = 1,
    below: float = ...,
    negate: bool = False,
) -> None: ...
def middle_values(src: npt.NDArray[np.float32]) -> tuple[float, float]: ...
def sample_separable(
    src: npt.NDArray[np.float32],
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    dst: npt.NDArray[np.float32],
    threads: int = 0,
) -> None: ...
def warp_affine(
    src: npt.NDArray[np.uint8],
    coeffs: npt.NDArray[np.float64],
    dst: npt.NDArray[np.uint8] | npt.NDArray[np.float32],
    div: float = 1.0,
    sub: float = 0.0,
    threads: int = 0,
) -> None: ...
def max_filter(
    src: npt.NDArray[np.float32],
    dst: npt.NDArray[np.float32],
    radius: int,
    threads: int = 0,
) -> None: ...
