"""Hair strands told from wrinkles by where they lead (skincore.concerns.strands)."""

from __future__ import annotations

import numpy as np

from skincore.concerns.strands import hair_strands
from synthetic import segment

PPM = 4.0
TOP = np.full(400, 40.0)  # the hairline: row 40 in every column
KW = {"hair_mm": 6.0, "gap_mm": 5.0, "max_angle_deg": 35.0}


def _find(lines, steep, top=TOP):
    return hair_strands(lines, steep, top, PPM, **KW)


def test_steep_line_from_the_hair_and_its_continuation():
    strand = segment(200, 42, 180, 160)  # steep, out of the hair
    further = segment(178, 172, 172, 210)  # same course after a 3 mm gap (a glabella piece)
    crease = segment(150, 100, 250, 100)  # horizontal, crossing the strand
    beside = segment(188, 172, 182, 210)  # parallel, 2.5 mm to the side
    across = segment(170, 175, 150, 185)  # starts at the strand's end, about 55 degrees off
    lines = [strand, further, crease, beside, across]
    assert _find(lines, [True, False, False, False, False]) == {0, 1}


def test_chain_across_several_gaps_and_forks():
    a = segment(100, 41, 100, 80)
    fork = segment(101, 70, 130, 120)  # a steep branch leaving ``a`` at 30 degrees
    b = segment(131, 125, 150, 160)  # continues the branch, 1.5 mm gap
    c = segment(152, 166, 160, 190)  # continues ``b``
    assert _find([a, fork, b, c], [True, True, False, False]) == {0, 1, 2, 3}


def test_nothing_without_a_steep_line_at_the_hairline():
    low = segment(200, 90, 185, 160)  # steep, 12.5 mm below the hairline (a frown line)
    glabella = segment(183, 168, 178, 200)
    assert _find([low, glabella], [True, False]) == set()
    # not steep (within the forehead prior): a furrow near the hairline seeds nothing
    near = segment(100, 44, 200, 50)
    assert _find([near, segment(202, 50, 260, 54)], [False, False]) == set()
    # a column without forehead is never near the hairline
    top = TOP.copy()
    top[190:210] = np.inf
    assert _find([segment(200, 42, 180, 160)], [True], top) == set()
    assert _find([], []) == set()


def test_seed_end_may_be_either_end():
    up = segment(180, 160, 200, 42)  # points listed from the bottom
    assert _find([up, segment(178, 172, 172, 210)], [True, False]) == {0, 1}


def test_gap_and_angle_limits():
    strand = segment(200, 42, 200, 160)
    for gap_px, kept in ((4 * PPM, True), (6 * PPM, False)):
        nxt = segment(200, 160 + gap_px, 200, 220)
        assert (1 in _find([strand, nxt], [True, False])) is kept
    for deg, kept in ((25.0, True), (45.0, False)):
        t = np.radians(deg)
        nxt = segment(200, 162, 200 + 40 * np.sin(t), 162 + 40 * np.cos(t))
        assert (1 in _find([strand, nxt], [True, False])) is kept


def test_degenerate_lines_are_ignored():
    strand = segment(200, 42, 180, 160)
    lines = [np.zeros((0, 2)), strand, np.array([[179.0, 165.0]]), segment(178, 172, 172, 210)]
    assert _find(lines, [False, True, False, False]) == {1, 3}
    # an empty line last (its indices past the points)
    assert _find([*lines, np.zeros((0, 2))], [False, True, False, False, False]) == {1, 3}


def test_pairs_in_chunks_give_the_same_network(monkeypatch):
    """A forehead full of steep pieces (a fringe): the same strands whether the
    line pairs are compared all at once or one by one (bounded memory)."""
    from skincore.concerns import strands

    rng = np.random.default_rng(3)
    lines, steep = [], []
    for _ in range(300):
        x, y = rng.uniform(20, 380), rng.uniform(42, 200)
        a = np.radians(rng.uniform(40, 140))
        n = rng.uniform(10, 40)
        lines.append(segment(x, y, x + n * np.cos(a), y + n * np.sin(a)))
        steep.append(bool(rng.random() < 0.8))
    whole = _find(lines, steep)
    assert 10 < len(whole) < len(lines)  # a network, not everything
    monkeypatch.setattr(strands, "PAIR_CHUNK", 1)
    assert _find(lines, steep) == whole


def test_crease_crossing_at_a_wisps_end_is_not_its_continuation(monkeypatch):
    """London 136: a steep wisp from the hairline ends where a forehead crease is
    split in two by the tracer's fork. Each half meets the wisp within the
    continuation angle (30 degrees here), but the halves continue each other
    straight: they are one crease the wisp touches, not the wisp's course. A half
    with no straight partner still continues the wisp."""
    from skincore.concerns import strands

    wisp = segment(220, 42, 200, 62)  # 45 degrees, out of the hair
    left = segment(200, 62, 160, 72.7)  # the crease, 15 degrees, from the fork leftwards
    right = segment(207, 60.1, 250, 48.6)  # its other half, 1.8 mm on, collinear
    steep = [True, False, False]
    assert _find([wisp, left, right], steep) == {0}
    assert _find([wisp, left], steep[:2]) == {0, 1}
    # a line that bends away (46 degrees, beyond FORK_STRAIGHT_DEG) is no partner:
    # the left half continues the wisp again (the bent line does not)
    bent = segment(207, 60.1, 240, 80)
    assert _find([wisp, left, bent], steep) == {0, 1}
    # the rule is what keeps the crease: without it both halves join the wisp
    monkeypatch.setattr(strands, "FORK_STRAIGHT_DEG", -1.0)
    assert _find([wisp, left, right], steep) == {0, 1, 2}
