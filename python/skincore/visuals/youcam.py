"""The YouCam result package: ``skinanalysisResult/`` with ``score_info.json`` and masks.

By default the package holds one mask PNG per measured concern (alpha-blend them
over the photo), under the file names of the YouCam document. With
``overlay=True`` (YouCam's ``enable_mask_overlay``) it holds one image instead:
every mask blended over the photo (``skinanalysis_overlay.jpg``, skincore's name:
the document does not give one), and every ``output_mask_name`` of
``score_info.json`` points at it. Pure rendering.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
from PIL import Image

from skincore.analysis import Analysis
from skincore.dialects.youcam import score_info
from skincore.visuals.maps import youcam_masks

#: The blended image's name in an overlay package.
OVERLAY_NAME = "skinanalysis_overlay.jpg"


def _blend(image: np.ndarray, masks: dict[str, bytes]) -> bytes:
    base = Image.fromarray(np.ascontiguousarray(image), "RGB").convert("RGBA")
    for name in sorted(masks):
        layer = Image.open(io.BytesIO(masks[name])).convert("RGBA")
        base = Image.alpha_composite(base, layer)
    buf = io.BytesIO()
    base.convert("RGB").save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def result_files(
    analysis: Analysis, *, hd: bool, image: np.ndarray | None = None, overlay: bool = False
) -> dict[str, bytes]:
    """Return the files of the YouCam result package, by name.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis (the largest face is reported).
    hd : bool
        HD names (``hd_pore_output_all.png`` ...) or SD.
    image : numpy.ndarray, optional
        The photo; needed for ``overlay``.
    overlay : bool, optional
        One blended image instead of the masks (``enable_mask_overlay``).

    Returns
    -------
    dict of str to bytes
        ``score_info.json`` and the images.

    Raises
    ------
    ValueError
        If ``overlay`` is asked without ``image``.
    """
    masks = youcam_masks(analysis, hd=hd)
    info = score_info(analysis, hd=hd)
    if not overlay:
        files = dict(masks)
    else:
        if image is None:
            raise ValueError("image: the photo is needed for the overlay")
        files = {OVERLAY_NAME: _blend(image, masks)}
        for entry in info.values():
            if isinstance(entry, dict):
                subs = entry.values() if hd and "raw_score" not in entry else [entry]
                for sub in subs:
                    if isinstance(sub, dict) and "output_mask_name" in sub:
                        sub["output_mask_name"] = OVERLAY_NAME
    files["score_info.json"] = json.dumps(info, indent=2).encode()
    return files


def result_zip(files: dict[str, bytes]) -> bytes:
    """Pack the files under ``skinanalysisResult/`` in a ZIP (sorted names)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            z.writestr(f"skinanalysisResult/{name}", data)
    return buf.getvalue()
