"""Time the segmentation head per face at 1 and 2 ONNX Runtime threads.

Stages: ``preprocess`` (crop, area resize to 256, normalise), the raw ONNX run of
``face_segmentation.onnx`` (256x256), the whole ``segment_face``, and the mask helpers
(``extend_forehead``, ``skin_keep`` on a grid with the face 400 px wide,
``hair_occlusion``).
The peer is the original 512x512 PAN graph when ``../shared/models`` holds it
(ratio = 512-px ms / 256-px ms, same run).

Also times ``beard_mask`` and ``detect_glasses``. Prints medians and, for the whole
``segment_face``, the fastest run (the least disturbed one on a shared machine).

Run: ``PYTHONPATH=python python benchmarks/bench_segmentation.py``. The machine may be
shared: compare ratios from one run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import time  # noqa: E402

from _timing import median_ms  # noqa: E402
from skincore import models, runtime  # noqa: E402
from skincore.face import detect_faces, fit_landmarks  # noqa: E402
from skincore.face import segmentation as seg_mod  # noqa: E402
from skincore.face.beard import beard_mask  # noqa: E402
from skincore.face.glasses import detect_glasses  # noqa: E402
from skincore.face.regions import region_polygons  # noqa: E402
from skincore.face.skinmask import extend_forehead, hair_occlusion, skin_keep  # noqa: E402
from skincore.io import load_image  # noqa: E402

FACES = Path(__file__).resolve().parents[1] / "tests" / "data" / "faces"
PHOTOS = ("ccby_london_087.jpg", "cc0_selfie_30cm.jpg", "cc0_darkskin_makeup_3q.jpg")


def min_ms(fn, repeat: int = 15) -> float:
    """Fastest of ``repeat`` runs (ms): on a shared machine the least disturbed one."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - t0) * 1e3)
    return best


def _source_model() -> Path | None:
    for p in Path(__file__).resolve().parents:
        cand = p / "shared" / "models" / "skin_clothes_hair_pan.onnx"
        if cand.is_file():
            return cand
    return None


def main() -> None:
    src = _source_model()
    for name in PHOTOS:
        rgb = load_image(FACES / name).rgb
        lm = fit_landmarks(rgb, detect_faces(rgb, max_faces=1)[0]).points
        print(f"\n== {name} ({rgb.shape[1]}x{rgb.shape[0]})")
        for threads in (1, 2):
            sess = runtime.get_session(models.FACE_SEGMENTATION, threads=threads)
            tensor, origin, scale = seg_mod.preprocess(rgb, lm, threads=threads)
            pre = median_ms(lambda: seg_mod.preprocess(rgb, lm, threads=threads))
            run = median_ms(lambda: sess.run(None, {"x.1": tensor}))
            whole = median_ms(lambda: seg_mod.segment_face(rgb, lm, threads=threads))
            fastest = min_ms(lambda: seg_mod.segment_face(rgb, lm, threads=threads))
            line = (
                f"threads={threads}: segment_face median {whole:6.2f} / min {fastest:6.2f} ms "
                f"(medians: preprocess {pre:5.2f}, ONNX 256px {run:6.2f})"
            )
            if src is not None:
                big = runtime.get_session(src, threads=threads)
                x512 = np.zeros((1, 3, 512, 512), np.float32)
                ms512 = median_ms(lambda: big.run(None, {"x.1": x512}), repeat=7)
                line += f"; original 512px ONNX {ms512:6.2f} ms = {ms512 / run:4.1f}x"
            print(line)
        seg = seg_mod.segment_face(rgb, lm, threads=1)
        poly = region_polygons(lm)["forehead"]
        x0, y0, side = seg_mod.crop_square(lm, 1.2)
        # a work grid with the face 400 px wide (the pipeline's colour work scale)
        scale = 400.0 / float(np.ptp(lm[:, 0]))
        n = round(side * scale)
        ext = median_ms(lambda: extend_forehead(poly, lm, seg))
        keep = median_ms(lambda: skin_keep(seg, lm, (x0, y0), scale, (n, n)))
        occ = median_ms(lambda: hair_occlusion(seg, lm))
        beard = median_ms(lambda: beard_mask(rgb, lm, seg, (x0, y0), scale, (n, n)))
        glasses = median_ms(lambda: detect_glasses(rgb, lm))
        print(
            f"medians: extend_forehead {ext:5.2f} ms, skin_keep on a {n}x{n} work grid "
            f"{keep:6.2f} ms, hair_occlusion {occ:5.2f} ms, beard_mask {beard:6.2f} ms, "
            f"detect_glasses {glasses:5.2f} ms"
        )


if __name__ == "__main__":
    main()
