"""Synthetic colour lesions planted on real skin, with their ground truth.

Lesions are planted in optical density, the space the chromophore maps model:
a lesion adds ``c_mel(r) * MELANIN_VECTOR + c_hb(r) * HEMOGLOBIN_VECTOR +
shade(r) * (1, 1, 1)`` to each pixel's density ``-log10(linear RGB)``, with
radial profiles per kind (see :data:`RECIPES`). Skin texture, pores and noise
of the photo stay under the lesion, as on a real face.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from skincore.chromophore import HEMOGLOBIN_VECTOR, MELANIN_VECTOR
from skincore.concerns.lesions import Lesion, LesionParams
from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces

FACES = Path(__file__).parent / "data" / "faces"

#: kind -> (radius mm, melanin, haemoglobin, shading, profile); shading > 0 darkens.
RECIPES: dict[str, tuple[float, float, float, float, str]] = {
    "papule": (1.5, 0.0, 0.20, 0.02, "gauss"),
    "pustule": (2.0, 0.0, 0.20, 0.0, "pustule"),
    "spot": (2.0, 0.12, 0.0, 0.0, "disc"),
    "mole": (1.3, 0.45, 0.0, 0.20, "sharp"),
    "acne_mark": (2.0, 0.09, 0.045, 0.0, "disc"),
}


@dataclass(frozen=True)
class Planted:
    kind: str
    x: float  # crop pixels
    y: float
    radius: float  # crop pixels


@dataclass
class FaceCrop:
    name: str
    rgb: np.ndarray
    lab: np.ndarray
    skin: np.ndarray
    px_per_mm: float
    excluded: np.ndarray  # (h, w) bool: eyes, brows, lips, nostrils
    nose_band: np.ndarray  # (h, w) bool: where analyze() drops lesions (FaceWork.colour_nose_band)


def load_face(path: Path) -> FaceCrop:
    """One photo's face as ``analyze()`` hands it to the lesion concerns.

    :class:`skincore.concerns.work.FaceWork`'s colour grid: RGB, CIELAB, the
    segmented ``face`` skin mask and the grid's px/mm; ``excluded`` are the
    eyes, brows, lips and nostrils on the same grid; ``nose_band`` the band round
    the nose where the face's detection drops lesions (the default
    ``LesionParams``' :meth:`~skincore.concerns.work.FaceWork.colour_nose_band`).
    """
    rgb = np.asarray(Image.open(path).convert("RGB"))
    pts = find_faces(rgb, max_faces=1)[0][1].points
    w = FaceWork(rgb, pts)
    p = LesionParams()
    return FaceCrop(
        path.stem,
        w.colour_rgb,
        w.colour_lab,
        w.colour.masks["face"],
        w.colour_px_per_mm,
        w.colour.excluded > 0,
        w.colour_nose_band(p.fold_margin_mm, p.far_nose_mm),
    )


def _profile(kind: str, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(main, core) radial weights for r = distance / radius."""
    if kind == "gauss":
        return np.exp(-0.5 * (r / 0.6) ** 2), np.zeros_like(r)
    if kind == "pustule":
        return np.exp(-0.5 * (r / 0.6) ** 2), np.exp(-0.5 * (r / 0.25) ** 2)
    if kind == "sharp":
        return 1.0 / (1.0 + r**12), np.zeros_like(r)
    return 1.0 / (1.0 + r**6), np.zeros_like(r)  # flat disc, soft edge


def plant(
    rgb: np.ndarray, lesions: list[Planted], scale: dict[str, float] | None = None
) -> np.ndarray:
    """Plant the lesions (optionally with concentrations scaled per kind)."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    dens = np.zeros(rgb.shape, np.float64)
    h, w = rgb.shape[:2]
    mel_v, hb_v = np.array(MELANIN_VECTOR), np.array(HEMOGLOBIN_VECTOR)
    for les in lesions:
        _, mel, hb, shade, prof = RECIPES[les.kind]
        k = (scale or {}).get(les.kind, 1.0)
        rr = int(np.ceil(3 * les.radius)) + 2
        ys, ye = max(0, int(les.y) - rr), min(h, int(les.y) + rr + 1)
        xs, xe = max(0, int(les.x) - rr), min(w, int(les.x) + rr + 1)
        yy, xx = np.mgrid[ys:ye, xs:xe]
        r = np.hypot(xx - les.x, yy - les.y) / les.radius
        main, core = _profile(prof, r)
        d = (k * main * mel)[..., None] * mel_v + (k * main * hb)[..., None] * hb_v
        d += (k * main * shade)[..., None]
        if prof == "pustule":  # pus: the centre loses its redness and turns pale
            d -= (k * core * hb)[..., None] * hb_v + (k * core * 0.12)[..., None]
        dens[ys:ye, xs:xe] += d
    lin = np.clip(lin * 10.0 ** (-dens), 0, 1)
    out = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)


def plant_patch(
    rgb: np.ndarray, cx: float, cy: float, radius: float, hb: float = 0.12, mel: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """A diffuse disc of haemoglobin (and melanin); returns the image and its core mask."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot(xx - cx, yy - cy) / radius
    return plant_density(rgb, 1.0 / (1.0 + r**8), hb, mel), r <= 1.0


def plant_density(
    rgb: np.ndarray, weight: np.ndarray, hb: float = 0.12, mel: float = 0.0
) -> np.ndarray:
    """Add ``weight`` (h, w) times ``hb`` of haemoglobin and ``mel`` of melanin density."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    dens = weight[..., None] * (hb * np.array(HEMOGLOBIN_VECTOR) + mel * np.array(MELANIN_VECTOR))
    lin = np.clip(lin * 10.0 ** (-dens), 0, 1)
    out = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)


def place(
    face: FaceCrop, kinds: list[str], rng: np.random.Generator, sep_mm: float = 9.0
) -> list[Planted]:
    """Positions on skin at least ``sep_mm`` apart and 4 mm inside the mask."""
    from skincore.geometry import gaussian_blur

    ppm = face.px_per_mm
    inner = gaussian_blur((face.skin > 0).astype(np.float32), 2.0 * ppm) > 0.995
    ys, xs = np.nonzero(inner)
    out: list[Planted] = []
    order = rng.permutation(ys.size)
    k = 0
    for i in order:
        if k >= len(kinds):
            break
        x, y = float(xs[i]), float(ys[i])
        if all(np.hypot(p.x - x, p.y - y) >= sep_mm * ppm for p in out):
            out.append(Planted(kinds[k], x, y, RECIPES[kinds[k]][0] * ppm))
            k += 1
    return out


def _new(found: list[Lesion], baseline: list[Lesion], ppm: float) -> list[Lesion]:
    """Detections farther than 2 mm from every detection on the unplanted photo."""
    return [
        d
        for d in found
        if all(
            np.hypot(d.center[0] - b.center[0], d.center[1] - b.center[1]) > 2 * ppm
            for b in baseline
        )
    ]


def unplanted(found: list[Lesion], baseline: list[Lesion], ppm: float) -> list[str]:
    """Kinds of the new detections of a kind never planted (nodules, closed
    comedones): each one is a false detection that :func:`score` does not see."""
    return [d.kind for d in _new(found, baseline, ppm) if d.kind not in RECIPES]


def score(
    found: list[Lesion], planted: list[Planted], baseline: list[Lesion], ppm: float
) -> dict[str, dict[str, int]]:
    """Per kind: planted, recalled (same kind within radius + 1 mm), detections, correct.

    Detections within 2 mm of a detection on the unplanted photo are the photo's
    own lesions and are not counted.
    """
    res: dict[str, dict[str, int]] = {}
    new = _new(found, baseline, ppm)
    for kind in RECIPES:
        pk = [p for p in planted if p.kind == kind]
        dk = [d for d in new if d.kind == kind]
        rec = sum(
            any(np.hypot(d.center[0] - p.x, d.center[1] - p.y) <= p.radius + ppm for d in dk)
            for p in pk
        )
        cor = sum(
            any(np.hypot(d.center[0] - p.x, d.center[1] - p.y) <= p.radius + ppm for p in pk)
            for d in dk
        )
        res[kind] = {"planted": len(pk), "recalled": rec, "detections": len(dk), "correct": cor}
    return res


def confusion(
    found: list[Lesion], planted: list[Planted], baseline: list[Lesion], ppm: float
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What :func:`score` counts as errors, and what each one was.

    Returns ``(missed, false)``: for each planted lesion not recalled, its kind
    and the kinds of the detections within its radius + 1 mm (``"+"``-joined,
    ``"-"`` when none); for each detection not on a planted lesion of its own
    kind (the photo's own lesions left out as in :func:`score`), its kind and
    the kind of the planted lesion it lies on (``"none"`` when it lies on none).
    """
    new = _new(found, baseline, ppm)

    def on(d: Lesion, p: Planted) -> bool:
        return bool(np.hypot(d.center[0] - p.x, d.center[1] - p.y) <= p.radius + ppm)

    missed = []
    for p in planted:
        kinds = sorted({d.kind for d in new if on(d, p)})
        if p.kind not in kinds:
            missed.append((p.kind, "+".join(kinds) or "-"))
    false = []
    for d in new:
        if d.kind in RECIPES and not any(p.kind == d.kind and on(d, p) for p in planted):
            under = [p.kind for p in planted if on(d, p)]
            false.append((d.kind, under[0] if under else "none"))
    return missed, false


def patch_site(
    face: FaceCrop, radius_mm: float, avoid: np.ndarray | None = None
) -> tuple[float, float] | None:
    """Centre of a disc of ``radius_mm`` lying wholly on skin (the skin pixel deepest inside).

    With ``avoid`` (``(h, w)`` bool, e.g. the skin already red), the disc and a
    margin of ``radius_mm`` round it keep off those pixels where the skin leaves
    room, so that what the disc adds is not confused with what was there.
    """
    from scipy.ndimage import distance_transform_edt

    from skincore.geometry import gaussian_blur

    ppm = face.px_per_mm
    inside = gaussian_blur((face.skin > 0).astype(np.float32), radius_mm * ppm)
    if avoid is not None and np.any(avoid):
        near = distance_transform_edt(~np.asarray(avoid, bool)) <= 2.0 * radius_mm * ppm
        # only where the skin leaves room for the disc elsewhere
        if np.any(inside[~near] > 0.9 * inside.max()):
            inside = np.where(near, 0.0, inside)
    y, x = np.unravel_index(int(np.argmax(inside)), inside.shape)
    return float(x), float(y)
