"""The command line: JSON on stdout, pictures with --out, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "skincore", *args], capture_output=True, text=True, timeout=timeout
    )


def test_sample_face_field():
    r = run("analyze", "--sample", "--format", "face-field")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["error_code"] == 0 and doc["result"]["face_num"] == 1


def test_out_dir_pictures(tmp_path):
    out = tmp_path / "o"
    r = run("analyze", "--sample", "--format", "youcam-hd", "--out", str(out), "--compact")
    assert r.returncode == 0, r.stderr
    names = {p.name for p in out.iterdir()}
    assert {
        "regions.png",
        "overlay.png",
        "result.youcam-hd.json",
        "score_info.json",
        "texture_enhanced_pores.png",
        "texture_enhanced_bw.jpg",
        "hd_pore_output_all.png",
    } <= names
    info = json.loads((out / "score_info.json").read_text())
    assert "hd_pore" in info and "whole" in info["hd_pore"]
    assert json.loads(r.stdout)["data"]["task_status"] == "success"


def test_pro_return_maps_flag():
    r = run(
        "analyze",
        "--sample",
        "--format",
        "ailab-pro",
        "--compact",
        "--return-maps",
        "texture_enhanced_bw",
        "--return-marks",
        "wrinkle_mark",
    )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)["result"]
    assert "texture_enhanced_bw" in res["face_maps"] and "enhanced_bw_info" in res
    assert "wrinkle_mark" in res


@pytest.mark.parametrize(
    "fmt,key",
    [
        ("ailab-pro", "error_detail"),
        ("youcam-sd", "error_code"),
        ("face-field", "error_msg"),
        ("skincore", "error"),
    ],
)
def test_corrupt_file_one_line_error(tmp_path, fmt, key):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    r = run("analyze", str(bad), "--format", fmt)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skincore: error corrupt_image")
    assert key in json.loads(r.stdout)


def test_missing_file_and_usage_errors(tmp_path):
    r = run("analyze", str(tmp_path / "nope.png"))
    assert r.returncode == 1 and "invalid_argument" in r.stderr and "Traceback" not in r.stderr
    r = run("analyze")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run("analyze", "--sample", str(tmp_path / "x.jpg"))
    assert r.returncode == 2
    r = run("analyze", "--sample", "--format", "acme")
    assert r.returncode == 2


def test_youcam_limits_applied(faces_dir):
    r = run("analyze", str(faces_dir / "cc0_selfie_60cm.jpg"), "--format", "youcam-sd")
    assert r.returncode == 1
    assert json.loads(r.stdout)["error_code"] == "error_src_face_too_small"


def test_concerns_subset_and_unknown_maps():
    r = run("analyze", "--sample", "--compact", "--concerns", "tone,wrinkles")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc["faces"][0]["concerns"]) == {"tone", "wrinkles"}
    assert doc["meta"]["concerns"] == ["tone", "wrinkles"]
    bad = run("analyze", "--sample", "--concerns", "tone,bogus")
    assert bad.returncode == 1 and "bogus" in bad.stderr
    assert json.loads(bad.stdout)["error"]["code"] == "invalid_argument"
    maps = run("analyze", "--sample", "-f", "ailab-pro", "--return-maps", "bogus,red_area")
    assert maps.returncode == 1 and "bogus" in maps.stderr
    assert json.loads(maps.stdout)["error_code_str"] == "ERROR_INVALID_PARAMETER"
    water = run(
        "analyze",
        "--sample",
        "-f",
        "ailab-pro",
        "--compact",
        "--concerns",
        "tone",
        "--return-maps",
        "water_area",
    )
    assert water.returncode == 0, water.stderr
    assert json.loads(water.stdout)["skincore_notice"] == {"maps_not_measured": ["water_area"]}
    wrong = run("analyze", "--sample", "-f", "youcam-sd", "--return-maps", "rough_area")
    assert wrong.returncode == 1 and "only for ailab" in wrong.stderr


# ---------------------------------------------------------------- bad destinations


def _error_json(r: subprocess.CompletedProcess, code: str) -> dict:
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"skincore: error {code}"), r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("kind", ["file", "unwritable", "long_name", "file_parent"])
def test_bad_out_refused_before_analysis(tmp_path, kind):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    out = {
        "file": a_file,
        "unwritable": "/proc/skincore-out",  # refuses new entries, even to root
        "long_name": tmp_path / ("x" * 300),
        "file_parent": a_file / "sub",
    }[kind]
    r = run("analyze", "--sample", "--format", "ailab-pro", "--out", str(out))
    doc = _error_json(r, "invalid_argument")
    assert doc["error_code_str"] == "ERROR_INVALID_PARAMETER"
    assert "--out" in doc["error_detail"]["message"]
    assert a_file.read_text() == "x"


def test_unwritable_folder_for_a_user(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders (covered by /proc above)")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    r = run("analyze", "--sample", "--out", str(ro / "o"))
    assert _error_json(r, "invalid_argument")["error"]["code"] == "invalid_argument"


def test_out_does_not_follow_symlinks(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    out = tmp_path / "o"
    out.mkdir()
    (out / "regions.png").symlink_to(outside)
    (out / "result.skincore.json").symlink_to(outside)
    r = run("analyze", "--sample", "--compact", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert outside.read_text() == "keep me"
    for name in ("regions.png", "result.skincore.json"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 100
    assert not [p for p in out.iterdir() if p.name.startswith(".skincore-")]


def test_stdout_write_failure(tmp_path):
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "skincore", "analyze", "--sample", "--compact"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("skincore: error internal_error: cannot write to stdout")


def test_closed_stderr_keeps_stdout_clean(tmp_path):
    missing = tmp_path / "nope.jpg"
    cmd = f"'{sys.executable}' -m skincore analyze '{missing}' --format youcam-sd 2>&-"
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert json.loads(r.stdout)["error_code"] == "error_invalid_argument"
    assert "skincore: error" not in r.stdout


@pytest.mark.parametrize("threads", ["-1", "100000"])
def test_bad_threads_is_invalid_argument(threads):
    r = run("analyze", "--sample", "--threads", threads, "--format", "face-field")
    doc = _error_json(r, "invalid_argument")
    assert doc["error_code"] == 400 and "threads" in doc["error_msg"]


@pytest.mark.parametrize("fmt", ["skincore", "ailab-pro", "face-field", "youcam-hd"])
def test_internal_error_prints_dialect_json(monkeypatch, capsys, fmt):
    from skincore import cli

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli.Analyzer, "analyze", boom)
    assert cli.main(["analyze", "--sample", "--format", fmt]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert "RuntimeError: kaboom" in json.dumps(doc)
    assert captured.err.startswith("skincore: error internal_error: RuntimeError: kaboom")


@pytest.mark.parametrize("overlay", [False, True])
def test_youcam_package_zip_and_overlay(tmp_path, overlay):
    import io
    import zipfile

    out = tmp_path / "o"
    args = ["analyze", "--sample", "--format", "youcam-hd", "--out", str(out), "--compact"]
    r = run(*(args + (["--mask-overlay"] if overlay else [])))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out / "skinanalysisResult.zip") as z:
        names = set(z.namelist())
        info = json.loads(z.read("skinanalysisResult/score_info.json"))
        listed = {
            e["output_mask_name"]
            for c in info.values()
            if isinstance(c, dict)
            for e in c.values()
            if isinstance(e, dict)
        }
        assert {f"skinanalysisResult/{n}" for n in listed} <= names
        if overlay:
            assert listed == {"skinanalysis_overlay.jpg"}
            from PIL import Image

            img = Image.open(io.BytesIO(z.read("skinanalysisResult/skinanalysis_overlay.jpg")))
            assert img.size == (1152, 1536)
            assert not any(n.endswith(".png") for n in names)
        else:
            assert "skinanalysisResult/hd_pore_output_all.png" in names


def test_white_balance_flag():
    base = ("analyze", "--sample", "--format", "skincore", "--concerns", "tone", "--compact")
    tones = {}
    for mode in ("report", "apply"):
        p = run(*base, "--white-balance", mode)
        assert p.returncode == 0, p.stderr
        tones[mode] = json.loads(p.stdout)["faces"][0]["concerns"]["tone"]
    assert not tones["report"]["white_balance"]["applied"]
    assert tones["apply"]["white_balance"]["applied"]
    assert tones["apply"]["ita"] == pytest.approx(tones["report"]["white_balance"]["skin_ita"])
    p = run(*base, "--white-balance", "auto")
    assert p.returncode == 2 and "--white-balance" in p.stderr


def test_face_quality_control_flag():
    """--face-quality-control adds AILab's quality limits (30 / 40 degrees, a quarter
    of the skin blown out, an iris edge 0.8 mm wide) to the format's preset: the
    frontal sample passes; without the flag there are none."""
    ok = run("analyze", "--sample", "--compact", "--concerns", "tone", "--face-quality-control")
    assert ok.returncode == 0, ok.stderr
    from skincore.cli import _limits, _parser

    args = _parser().parse_args(["analyze", "--sample", "--face-quality-control"])
    lim = _limits(args)
    assert (lim.max_yaw_deg, lim.max_pitch_deg) == (30.0, 40.0)
    assert (lim.max_overexposed, lim.max_blur_mm) == (0.25, 0.8)
    plain = _limits(_parser().parse_args(["analyze", "--sample"]))
    assert plain.max_yaw_deg is None and plain.max_pitch_deg is None
    assert plain.max_overexposed is None and plain.max_blur_mm is None


def test_max_out_of_bound_flag(tmp_path):
    """A close-up with the chin cut off: refused by default (``face_out_of_bound``,
    the share in the error's context), analysed with ``--max-out-of-bound``; an
    out-of-range value is ``invalid_argument``."""
    from PIL import Image

    from skincore import sample_path

    img = Image.open(sample_path())
    cut = tmp_path / "chin_cut.jpg"
    img.crop((0, 0, img.width, 1030)).save(cut, quality=95)  # the chin is at y ~1260
    r = run("analyze", str(cut), "--compact", "--concerns", "tone")
    doc = _error_json(r, "face_out_of_bound")
    share = doc["error"]["context"]["out_of_bound"]
    assert 0.2 < share < 0.4 and doc["error"]["context"]["max_out_of_bound"] == 0.1
    ok = run("analyze", str(cut), "--compact", "--concerns", "tone", "--max-out-of-bound", "0.5")
    assert ok.returncode == 0, ok.stderr
    face = json.loads(ok.stdout)["faces"][0]
    assert face["quality"]["out_of_bound"] == pytest.approx(share, abs=1e-3)
    assert "tone" in face["concerns"]
    bad = run("analyze", str(cut), "--max-out-of-bound", "1.5", "-f", "ailab-pro")
    err = _error_json(bad, "invalid_argument")
    assert err["error_code_str"] == "ERROR_INVALID_PARAMETER"
    assert "max_out_of_bound" in err["error_detail"]["message"]
