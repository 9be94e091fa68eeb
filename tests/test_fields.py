"""Field tables against real output: every implemented field is produced, no other.

The "not implemented" lists are derived from the tables and the registry; these
tests check the values they stand for, on the packaged sample rendered with every
option switched on.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.concerns.registry import REGISTRY
from skincore.dialects import ailab, face_field, fields, youcam


@pytest.fixture(scope="module")
def sample():
    rgb = np.asarray(Image.open(skincore.sample_path()).convert("RGB"))
    return skincore.analyze(rgb), rgb


# Concerns measured (registered) whose dialect rendering is not wired yet: their
# table rows are not checked here. Remove a name when its renderer lines land.


def _present(doc, path: str) -> bool:
    """Whether the dotted ``path`` (``[]`` = every item of a list) exists in ``doc``."""
    nodes = [doc]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        nxt = []
        for n in nodes:
            if isinstance(n, dict) and key in n:
                v = n[key]
                if many:
                    if not isinstance(v, list) or not v:
                        return False
                    nxt.extend(v)
                else:
                    nxt.append(v)
        if not nxt:
            return False
        nodes = nxt
    return True


def _render_all(result, rgb, dialect):
    if dialect == "ailab-pro":
        return result.to_dict(
            dialect,
            return_maps=list(ailab.PRO_MAPS),
            return_marks=list(ailab.PRO_MARKS),
            image=rgb,
        )
    if dialect == "face-field":
        return result.to_dict(dialect, face_field=",".join(face_field.FACE_FIELDS), image=rgb)
    if dialect == "ailab-advanced":
        return result.to_dict(dialect, return_maps="red_area")
    return result.to_dict(dialect)


@pytest.mark.parametrize("dialect", ["ailab-pro", "ailab-advanced", "face-field"])
def test_implemented_fields_present_and_others_absent(sample, dialect):
    result, rgb = sample
    doc = _render_all(result, rgb, dialect)
    measured = {n for n, v in result.faces[0].concerns.items() if v is not None}
    table = fields.TABLES[dialect]
    for path, source in table.items():
        if path in fields.CONDITIONAL:
            cond = doc["result"].get(fields.CONDITIONAL[path].split(".")[-1], {}).get("value")
            assert _present(doc, path) == (cond == 1), path
        elif source in fields.ON_REQUEST:
            assert not _present(doc, path), f"{dialect}: {path} only on request"
        elif source in fields.ALWAYS or source in measured:
            assert _present(doc, path), f"{dialect}: {path} ({source}) missing"
        else:
            assert not _present(doc, path), f"{dialect}: {path} ({source}) not measured"


@pytest.mark.parametrize("hd", [False, True])
def test_youcam_outputs_match_the_table(sample, hd):
    result, _ = sample
    doc = result.to_dict("youcam-hd" if hd else "youcam-sd")
    types = {o["type"] for o in doc["data"]["results"]["output"]}
    table = fields.YOUCAM_HD if hd else fields.YOUCAM_SD
    missing = youcam.NOT_IMPLEMENTED_HD if hd else youcam.NOT_IMPLEMENTED_SD
    for name, source in table.items():
        if fields.implemented(source):
            assert name in types and name not in missing, name
        else:
            assert name not in types and name in missing, name
    assert types <= set(table)


def test_not_implemented_is_derived_from_the_registry(monkeypatch):
    assert "result.pores_forehead" not in ailab.NOT_IMPLEMENTED_PRO
    # A field whose concern does not exist is listed, with the concern it waits for ...
    monkeypatch.setitem(fields.PRO, "result.future_field", "future_concern")
    now = fields.not_implemented("ailab-pro")
    assert now["result.future_field"].startswith("the 'future_concern' concern")
    assert "future_concern" in fields.missing_concerns()
    # ... and a concern appearing in the registry makes its fields implemented.
    monkeypatch.setitem(REGISTRY, "future_concern", REGISTRY["tone"])
    assert "result.future_field" not in fields.not_implemented("ailab-pro")
    assert "pigmentation" not in fields.missing_concerns()


def test_wont_measure_fields_say_why():
    ff = fields.not_implemented("face-field")
    assert "cannot be told apart" in ff["result.face_list[].blackheadpore.pore_segs_type"]


def test_every_table_source_is_known():
    known = set(fields.ALWAYS) | set(REGISTRY) | set(fields.WONT_MEASURE) | set(fields.ON_REQUEST)
    planned = set(fields.missing_concerns())
    for dialect, table in fields.TABLES.items():
        for path, source in table.items():
            assert source in known | planned, (dialect, path, source)
