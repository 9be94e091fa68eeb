from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

MAX_SCALES: int

def detect(
    gray: npt.NDArray[np.float32],
    mask: npt.NDArray[np.uint8] | None,
    sigmas: Sequence[float] | npt.NDArray[np.float64],
    polarity: str,
    threshold: float,
    overlap: float,
    truncate: float,
    threads: int,
) -> npt.NDArray[np.float32]: ...
def dog_response(
    gray: npt.NDArray[np.float32],
    out: npt.NDArray[np.float32],
    sigma_a: float,
    sigma_b: float,
    polarity: str,
    truncate: float,
    threads: int,
) -> None: ...
def scale_space(
    gray: npt.NDArray[np.float32],
    blurs: list[npt.NDArray[np.float32]],
    layers: list[npt.NDArray[np.float32]],
    sigmas: Sequence[float] | npt.NDArray[np.float64],
    truncate: float,
    threads: int,
    support: npt.NDArray[np.uint8] | None = None,
    margin: int = 0,
) -> bool: ...
def detect_layers(
    layers: list[npt.NDArray[np.float32]],
    mask: npt.NDArray[np.uint8] | None,
    sigmas: Sequence[float] | npt.NDArray[np.float64],
    polarity: str,
    threshold: float,
    overlap: float,
    threads: int,
    check_finite: bool = True,
) -> npt.NDArray[np.float32]: ...
