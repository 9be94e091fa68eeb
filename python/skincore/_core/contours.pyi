import numpy as np
import numpy.typing as npt

_I32 = npt.NDArray[np.int32]

def label(
    mask: npt.NDArray[np.uint8], labels: _I32, connectivity: int = 8, threads: int = 0
) -> tuple[npt.NDArray[np.int64], _I32, npt.NDArray[np.float64]]: ...
def find_contours_mask(
    mask: npt.NDArray[np.uint8], connectivity: int = 8, threads: int = 0
) -> list[_I32]: ...
def find_contours_labels(labels: _I32, connectivity: int = 8, threads: int = 0) -> list[_I32]: ...
def simplify_indices(
    polyline: npt.NDArray[np.float64], epsilon: float, closed: bool = True
) -> npt.NDArray[np.int64]: ...
def polygons(
    mask: npt.NDArray[np.uint8],
    epsilon: float = 1.0,
    min_area: int = 0,
    connectivity: int = 8,
    threads: int = 0,
) -> list[_I32]: ...
def polygon_outlines(
    xy: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    rule: int,
    epsilon: float,
    max_box_pixels: int,
    threads: int = 0,
) -> tuple[list[_I32], npt.NDArray[np.int64]]: ...
