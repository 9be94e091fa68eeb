"""Re-export the skin/clothes/hair PAN segmentation graph at a smaller fixed input.

The source graph (MIT, Kazuhito00/Skin-Clothes-Hair-Segmentation-using-SMP, PAN with
a timm-mobilenetv3_small_100 encoder; see ``python/skincore/models/NOTICE``) was
exported from PyTorch for a fixed 1x3x512x512 input. Every layer is convolutional
except the feature-pyramid-attention and global-attention-upsample blocks, whose
``Resize`` nodes carry their output sizes as constants: ``Resize_584`` (sizes
1x32x32x32, the 1/16 feature map), ``Resize_618`` (1x1x8x8, the pyramid's 1/64 map)
and four ``Concat`` nodes that build the (H, W) of the attention upsampling from
constants 16, 32, 32, 64 and 128. This tool scales exactly those spatial constants by
``size / 512``, sets the input to 1x3xSIZExSIZE, drops the stale 512-px shape
annotations and re-runs shape inference. The weights are not touched (their bytes
are copied); the result is the same network evaluated on a smaller image.

Usage::

    python tools/export_face_segmentation.py SRC.onnx OUT.onnx --size 256

``SRC.onnx`` must have sha256 324a22a1...346f36 (checked). The output is
deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

SOURCE_SHA256 = "324a22a1c2e3a433d6225d4c5c50f50912797a4d14b69f7d632eeb5c85346f36"
SOURCE_SIZE = 512

# initializer name -> (its value at 512, indices of the spatial entries)
SPATIAL_CONSTANTS: dict[str, tuple[list[int], tuple[int, ...]]] = {
    "1084": ([1, 32, 32, 32], (2, 3)),  # Resize_584 sizes (N, C, H, W)
    "1125": ([1, 1, 8, 8], (2, 3)),  # Resize_618 sizes
    "1142": ([16], (0,)),  # Concat_641: H and W of Resize_642
    "1161": ([32], (0,)),  # Concat_657, Concat_678
    "1214": ([64], (0,)),  # Concat_704
    "1244": ([128], (0,)),  # Concat_730
}


def export(src: Path, out: Path, size: int) -> None:
    """Write the graph of ``src`` re-targeted to a ``size`` x ``size`` input.

    Parameters
    ----------
    src : Path
        The original 512-px ONNX file.
    out : Path
        Where to write the result.
    size : int
        New input side, a multiple of 128 (the deepest pyramid level is 1/128).
    """
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{src}: sha256 {digest} is not the expected {SOURCE_SHA256}")
    if size % 128 or size <= 0:
        raise SystemExit(f"--size must be a positive multiple of 128, got {size}")
    model = onnx.load(str(src))
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    for name, (expected, axes) in SPATIAL_CONSTANTS.items():
        value = numpy_helper.to_array(inits[name]).astype(np.int64)
        if value.tolist() != expected:
            raise SystemExit(f"initializer {name} is {value.tolist()}, expected {expected}")
        for a in axes:
            value[a] = value[a] * size // SOURCE_SIZE
        inits[name].CopyFrom(numpy_helper.from_array(value, name))
    dims = graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value = size
    dims[3].dim_value = size
    for o in graph.output:
        o.type.tensor_type.shape.dim[2].dim_value = size
        o.type.tensor_type.shape.dim[3].dim_value = size
    del graph.value_info[:]
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model)
    out.write_bytes(model.SerializeToString(deterministic=True))
    print(f"{out}: {size}x{size}, sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="skin_clothes_hair_pan.onnx (512-px original)")
    ap.add_argument("out", type=Path)
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args()
    export(args.src, args.out, args.size)


if __name__ == "__main__":
    main()
