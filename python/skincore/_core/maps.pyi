import numpy as np
import numpy.typing as npt

MAX_RATIO: float

def enhanced_bw(
    image: npt.NDArray[np.uint8] | npt.NDArray[np.float32],
    out: npt.NDArray[np.uint8],
    left: float,
    top: float,
    width: float,
    height: float,
    ratio: float,
    sigma: float,
    gain: float,
    eps: float,
    threads: int,
) -> None: ...
