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
