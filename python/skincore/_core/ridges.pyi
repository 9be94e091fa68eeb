from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_F32 = npt.NDArray[np.float32]
_U8 = npt.NDArray[np.uint8]

def frangi(
    gray: _F32,
    sigmas: Sequence[float],
    black_ridges: bool,
    beta: float,
    gamma: float,
    normalize: bool,
    edge_beta: float,
    mask: _U8 | None,
    response: _F32,
    scale: _F32 | None,
    orientation: _F32,
    strength: _F32 | None,
    strength_scale: _F32 | None,
    threads: int,
    response_floor: float = 0.0,
) -> None: ...
def frangi_uses_avx2() -> bool: ...
def hysteresis_skeleton(
    response: _F32, mask: _U8 | None, low: float, high: float, thin: bool, out: _U8, threads: int
) -> None: ...
def trace(
    response: _F32,
    scale: _F32 | None,
    orientation: _F32 | None,
    depth: _F32 | None,
    mask: _U8 | None,
    low: float,
    high: float,
    min_length: float,
    max_gap: float,
    max_angle_deg: float,
    spur_length: float,
    smooth: int,
    threads: int,
) -> tuple[npt.NDArray[np.int64], _F32, npt.NDArray[np.float64]]: ...
