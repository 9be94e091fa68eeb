"""Scores 1-100 (higher is healthier) per concern and vendor grouping.

Every score here is an aggregate of measured concern scores: grouped zones use the
skin-area-weighted mean of their zones. ``ui_score`` follows YouCam's idea of a
friendlier display value: ``round(40 + 0.6 * raw)``, monotone in the raw score.
Concerns not measured are absent; there is no total score until every concern
that a total would need is measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from skincore.analysis import FaceResult


@dataclass(frozen=True)
class Score:
    """A raw score and its display value."""

    raw: float
    ui: int


def ui_score(raw: float) -> int:
    """YouCam-style display score from a raw 1-100 score."""
    return int(round(40.0 + 0.6 * max(1.0, min(100.0, raw))))


def _score(raw: float) -> Score:
    raw = round(max(1.0, min(100.0, float(raw))), 2)
    return Score(raw, ui_score(raw))


def _weighted(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    if total <= 0:
        return None
    return sum(s * w for s, w in pairs) / total


def face_scores(face: FaceResult) -> dict[str, dict[str, Score]]:
    """All measured scores of a face, grouped as the vendors group them.

    Returns
    -------
    dict
        ``{"pore": {"whole", "forehead", "nose", "cheek"}, "wrinkle": {"whole",
        "forehead", "glabellar", "crowfeet", "periocular", "nasolabial",
        "marionette"}, "texture": {"whole"}, "blackhead": {"whole"}}`` with only
        the measured entries present.
    """
    out: dict[str, dict[str, Score]] = {}
    if face.pores is not None:
        z = face.pores.zones
        pore = {"whole": _score(face.pores.score)}
        for name, zones in (
            ("forehead", ("forehead",)),
            ("nose", ("nose",)),
            ("cheek", ("left_cheek", "right_cheek")),
        ):
            v = _weighted([(z[n].score, z[n].area_px) for n in zones if n in z])
            if v is not None:
                pore[name] = _score(v)
        out["pore"] = pore
    if face.blackheads is not None:
        out["blackhead"] = {"whole": _score(face.blackheads.score)}
    if face.wrinkles is not None:
        z = face.wrinkles.zones
        wr = {"whole": _score(face.wrinkles.score)}
        groups = (
            ("forehead", ("forehead",)),
            ("glabellar", ("glabella",)),
            ("crowfeet", ("left_crows_feet", "right_crows_feet")),
            ("periocular", ("left_under_eye", "right_under_eye")),
            ("nasolabial", ("left_nasolabial", "right_nasolabial")),
            ("marionette", ("left_mouth_corner", "right_mouth_corner")),
        )
        for name, zones in groups:
            v = _weighted([(z[n].score, z[n].area_px) for n in zones if n in z])
            if v is not None:
                wr[name] = _score(v)
        out["wrinkle"] = wr
    if face.roughness is not None:
        out["texture"] = {"whole": _score(face.roughness.score)}
    return out
