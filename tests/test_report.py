"""The HTML report: self-contained, every measured concern explained, layers toggle."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.visuals.report import EXPLANATIONS, render_report

# Measured concerns whose plain-language explanation is not in the report yet
# (visuals/ is wired by the lead); remove a name when its explanation lands.

CHROMIUM = os.environ.get("SKINCORE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page_and_result():
    rgb = np.asarray(Image.open(skincore.sample_path()).convert("RGB"))
    result = skincore.Analyzer(threads=2).analyze(rgb)
    return render_report(result, rgb), result


def test_self_contained_and_complete(page_and_result):
    page, result = page_and_result
    # nothing fetched from anywhere: every picture is a data URL
    assert not re.search(r'src="(?!data:)', page)
    assert "http://" not in page and "https://" not in page
    measured = [n for n, v in result.faces[0].concerns.items() if v is not None]
    for name in measured:
        assert f'data-concern="{name}"' in page
        assert EXPLANATIONS[name][:40] in page.replace("&#x27;", "'")
    # what is not measured is said, with why
    assert "Not measured: pore types" in page and "cannot be told apart" in page
    for layer in ("regions", "pores", "wrinkles", "roughness", "dark_circles"):
        assert f'id="layer-{layer}"' in page


def test_bearded_face_says_what_was_left_out(faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_037.jpg").convert("RGB"))
    an = skincore.Analyzer(threads=2, concerns=("roughness", "wrinkles", "tone"))
    page = render_report(an.analyze(rgb), rgb)
    for name in ("roughness", "wrinkles"):
        card = page.split(f'data-concern="{name}"', 1)[1].split("</li>", 1)[0]
        assert "above the nose tip only" in card
    tone = page.split('data-concern="tone"', 1)[1].split("</li>", 1)[0]
    assert "above the nose tip only" not in tone


def test_shiny_skin_left_out_is_said(page_and_result):
    page, result = page_and_result
    sheen = result.faces[0].roughness.sheen
    assert sheen > 0.05  # the sample's forehead and cheeks shine: 0.13
    card = page.split('data-concern="roughness"', 1)[1].split("</li>", 1)[0]
    assert f"{round(100 * sheen)} % of the skin is shiny and not measured" in card


def _card(page: str, name: str) -> str:
    return page.split(f'data-concern="{name}"', 1)[1].split("</li>", 1)[0]


def test_each_card_gives_its_measurements(page_and_result):
    page, result = page_and_result
    face = result.faces[0]
    acne, moles, red = face.concerns["acne"], face.concerns["moles"], face.concerns["redness"]
    lesions = "lesion" if acne.active_count == 1 else "lesions"
    assert f"{acne.active_count} active {lesions}" in _card(page, "acne")
    assert f"{moles.count} mole" in _card(page, "moles")
    assert f"red skin: {100 * red.area:.1f} %" in _card(page, "redness")
    pores = face.concerns["pores"]
    assert pores.fine_resolved  # the sample: 5.6 px/mm
    n = sum(z.count for z in pores.zones.values())
    assert f"{n} pores (" in _card(page, "pores")
    wr = face.concerns["wrinkles"]
    lines = sum(z.deep_count + z.shallow_count for z in wr.zones.values())
    assert f"{lines} line" in _card(page, "wrinkles")
    for name in ("dark_circles", "eye_bags", "eyelids"):
        assert "left eye" in _card(page, name) and "right eye" in _card(page, name)


def test_header_says_how_sharp_and_how_exposed(page_and_result):
    page, result = page_and_result
    q = result.faces[0].quality
    assert f"the iris's edge is {q.blur_mm:.2f} mm wide" in page.replace("&#x27;", "'")
    assert "sharp:" in page  # the packaged selfie: about 0.26 mm
    assert "skin blown out by the light 0.0 %" in page
    assert "shows detail only down to" not in page  # the sample resolves its sampling


def test_header_says_an_enlarged_photo_resolves_less():
    img = Image.open(skincore.sample_path()).convert("RGB")
    small = img.resize((img.width // 4, img.height // 4), Image.Resampling.LANCZOS)
    rgb = np.asarray(small.resize(img.size, Image.Resampling.BICUBIC))
    result = skincore.analyze(rgb)
    page = render_report(result, rgb)
    res = result.faces[0].quality.resolved_px_per_mm
    assert f"shows detail only down to about {res:.1f}" in page
    assert "pores" in result.faces[0].skipped


def test_pores_below_resolution_say_so(faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    an = skincore.Analyzer(threads=2, concerns=("pores",))
    result = an.analyze(rgb)
    pores = result.faces[0].concerns["pores"]
    assert not pores.fine_resolved  # 3.6 px/mm: enlarged pores only
    card = _card(render_report(result, rgb), "pores")
    big = sum(z.enlarged_count for z in pores.zones.values())
    assert f"{big} enlarged pore" in card and "below this photo's resolution" in card


def test_cli_writes_the_report(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "skincore", "report", "--sample", "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r" / "report.html").read_text(encoding="utf-8").startswith("<!doctype")
    bad = subprocess.run(
        [sys.executable, "-m", "skincore", "report", str(tmp_path / "none.jpg"), "--out",
         str(tmp_path / "r2")],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert bad.returncode == 1 and "invalid_argument" in bad.stderr


def test_cli_report_takes_the_out_of_bound_limit(tmp_path):
    """A close-up refused as face_out_of_bound is reported with the flag its error names."""
    img = Image.open(skincore.sample_path()).convert("RGB")
    close = tmp_path / "chin_cut.jpg"
    img.crop((0, 0, img.width, 1030)).save(close, quality=95)  # the chin is at y ~1260

    def report(*extra: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "skincore", "report", str(close), "--out"]
        return subprocess.run(
            [*cmd, str(tmp_path / "r"), *extra], capture_output=True, text=True, timeout=300
        )

    refused = report()
    assert refused.returncode == 1 and "face_out_of_bound" in refused.stderr
    assert "--max-out-of-bound" in refused.stderr
    ok = report("--max-out-of-bound", "0.5", "--concerns", "tone,acne")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "r" / "report.html").is_file()


def test_cli_report_takes_the_quality_limits():
    from skincore.cli import _limits, _parser

    args = _parser().parse_args(["report", "--sample", "--out", "x", "--face-quality-control"])
    lim = _limits(args, "skincore")
    assert (lim.max_yaw_deg, lim.max_pitch_deg, lim.max_blur_mm) == (30.0, 40.0, 0.8)
    plain = _limits(_parser().parse_args(["report", "--sample", "--out", "x"]), "skincore")
    assert plain.max_blur_mm is None


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")
def test_layers_toggle_in_headless_chromium(page_and_result, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    page_html, _ = page_and_result
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(path.as_uri())

            def shown(layer: str) -> bool:
                return page.eval_on_selector(
                    f"#layer-{layer}", "e => getComputedStyle(e).display !== 'none'"
                )

            assert shown("pores") and not shown("regions")
            page.click('input[data-layer="pores"]')
            page.click('input[data-layer="regions"]')
            assert not shown("pores") and shown("regions")
            # every picture decoded (data URLs, no network)
            ok = page.eval_on_selector_all("img", "els => els.every(e => e.naturalWidth > 0)")
            assert ok
        finally:
            browser.close()
