import numpy as np
import numpy.typing as npt

MELANIN_VECTOR: tuple[float, float, float]
HEMOGLOBIN_VECTOR: tuple[float, float, float]

def chromophore_maps(
    rgb: npt.NDArray[np.uint8],
    melanin: npt.NDArray[np.float32],
    hemoglobin: npt.NDArray[np.float32],
    threads: int,
) -> None: ...
