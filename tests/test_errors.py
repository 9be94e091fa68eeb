"""SkinError codes and their rendering in every dialect."""

from __future__ import annotations

import copy
import pickle

import pytest

from skincore import DIALECTS, ERROR_CODES, SkinError, render_error

YOUCAM_DOCUMENTED = {
    "image_too_small": "error_below_min_image_size",
    "image_too_large": "error_exceed_max_image_size",
    "face_too_small": "error_src_face_too_small",
    "face_out_of_bound": "error_src_face_out_of_bound",
    "lighting_dark": "error_lighting_dark",
}


def test_unknown_code_rejected():
    with pytest.raises(ValueError):
        SkinError("nope")


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_code_survives_pickling(code):
    """A worker process sends its failure back pickled (multiprocessing,
    ProcessPoolExecutor): code, detail and context come back as they left."""
    err = SkinError(code, "why it failed", value=3, limit=2.5)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is SkinError
    assert (back.code, back.detail, back.context, str(back)) == (
        err.code,
        err.detail,
        err.context,
        str(err),
    )
    assert copy.deepcopy(err).context == err.context


def test_analysis_errors_cross_a_process_pool():
    """skincore.analyze in a spawned worker: a photo without a face comes back as
    the SkinError the worker raised, a photo with one as its whole Analysis."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    import skincore
    from skincore.processes import unavailable

    why = unavailable()  # no POSIX semaphores (some containers): no process pools
    if why is not None:
        pytest.skip(f"process pools unavailable here: {why}")
    spawn = multiprocessing.get_context("spawn")
    blank = np.full((240, 320, 3), 128, np.uint8)
    with ProcessPoolExecutor(1, mp_context=spawn) as ex:
        with pytest.raises(SkinError) as info:
            ex.submit(skincore.analyze, blank).result(timeout=120)
        result = ex.submit(skincore.analyze, str(skincore.sample_path())).result(timeout=120)
    assert info.value.code == "no_face" and info.value.detail
    assert result.faces and result.to_dict("ailab-pro")["error_code"] == 0


def test_codes_are_stable_strings():
    for code, spec in ERROR_CODES.items():
        err = SkinError(code, "why", value=3)
        assert err.code == code and err.detail == "why" and err.context == {"value": 3}
        assert 400 <= spec.http_status < 600
        assert str(err).startswith(code)


@pytest.mark.parametrize("code,youcam", sorted(YOUCAM_DOCUMENTED.items()))
def test_youcam_documented_codes(code, youcam):
    out = render_error(SkinError(code), "youcam-hd")
    assert out["error_code"] == youcam
    assert out["status"] == ERROR_CODES[code].http_status


@pytest.mark.parametrize("dialect", ["ailab-pro", "ailab-advanced"])
def test_ailab_error_envelope(dialect):
    out = render_error(SkinError("no_face", "pic not has face"), dialect, request_id="r" * 32)
    assert out["error_code"] == 422
    assert out["error_detail"] == {
        "status_code": 422,
        "code": "ERROR_NO_FACE_IN_FILE",
        "code_message": "No face detected in the image.",
        "message": "pic not has face",
    }
    assert out["request_id"] == "r" * 32


def test_face_field_error():
    out = render_error(SkinError("corrupt_image"), "face-field")
    assert out["result"] is None and out["error_code"] == 422
    assert out["error_msg"].startswith("corrupt_image")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_code_renders_in_every_dialect(dialect):
    import json

    for code in ERROR_CODES:
        json.dumps(render_error(SkinError(code), dialect))


def test_unknown_dialect():
    with pytest.raises(SkinError) as e:
        render_error(SkinError("no_face"), "acme")
    assert e.value.code == "invalid_argument"
