import numpy as np
import numpy.typing as npt

def greedy_nms(
    boxes: npt.NDArray[np.float64],
    classes: npt.NDArray[np.int64],
    iou: float,
    max_keep: int = -1,
) -> npt.NDArray[np.int64]: ...
