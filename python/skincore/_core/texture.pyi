import numpy as np
import numpy.typing as npt

def energy(
    gray: npt.NDArray[np.float32],
    face: npt.NDArray[np.uint8],
    out: npt.NDArray[np.float32],
    erode_sigma: float,
    fine_sigma: float,
    coarse_sigma: float,
    window_sigma: float,
    band_clip: float,
    edge_isotropy: float,
    min_weight: float,
    window_factor: int,
    threads: int,
) -> bool: ...
def upsample_on(
    src: npt.NDArray[np.float32],
    mask: npt.NDArray[np.uint8],
    out: npt.NDArray[np.float32],
    threads: int,
) -> None: ...
def excess_over(
    energy: npt.NDArray[np.float32],
    skin: npt.NDArray[np.uint8],
    threshold: float,
    over: npt.NDArray[np.uint8],
    threads: int,
) -> tuple[int, int, float]: ...
def excess_levels(
    energy: npt.NDArray[np.float32],
    keep: npt.NDArray[np.uint8],
    veto: npt.NDArray[np.uint8] | None,
    threshold: float,
    level: npt.NDArray[np.uint8],
    threads: int,
) -> int: ...
