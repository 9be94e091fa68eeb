"""Hair strands lying on the skin, told from wrinkles by where they lead.

A loose hair or a fringe's strands on the forehead are thin dark lines, and the
wrinkle filter traces them as it traces creases. Most of their pieces run down
the forehead, and the forehead's orientation prior already drops those; but a
strand curves, and where it turns across the forehead or runs on into the
glabella its pieces were reported as wrinkles (London 087: a strand from her
parting traced as a 10.9 mm glabella line; ACNE04 close-ups: a single loose hair
as a 41.8 mm forehead arc).

What tells a strand is where it leads: out of the hair. :func:`hair_strands`
takes every line the tracer found in every zone (before any zone's filters) and

1. seeds the strand network with the *steep* forehead pieces (tilted more than
   the forehead prior allows) that end within ``hair_mm`` of the hairline (the
   top of the forehead zone in their column: the zone reaches the hairline the
   segmentation finds);
2. grows the network through steep forehead pieces whose end lies within
   :data:`NETWORK_GAP_MM` of a piece already in it, in any direction (strands
   fork and cross; these pieces are dropped by the prior anyway);
3. grows it through any other line that *continues* a line in it: an end within
   ``gap_mm`` of that line, running within ``max_angle_deg`` of it there, and
   at most :data:`LATERAL_MM` off its course (collinear, not side by side or
   across); but not where the line's end is a fork: where another line that
   is not steep carries that end on end to end within :data:`FORK_STRAIGHT_DEG`
   and the network's line meets it at least :data:`FORK_MARGIN_DEG` more askew,
   the two are one crease the strand touches (London 136: a 3 mm wisp out of
   the hairline ended on a crease 6 mm below it, and both halves of the crease,
   which the tracer splits at the fork, met the wisp within the continuation
   angle and were dropped with it).

Every line of the network is a strand. A forehead furrow is not steep and does
not lead into the hair, so nothing seeds from it; a frown line that runs from the
glabella up into the forehead ends centimetres below the hairline. The
directions are measured over :data:`END_MM` of each end, skipping the first
third (the tracer's skeleton hooks at a fork).

Measured (``benchmarks/eval_wrinkle_strands.py``): on 41 faces with wrinkles
measured (the 34 photos of ``tools/result_values.py`` and 80 more of ACNE04 and
the dark-circle set; 1,451 lines) 17 lines on 11 faces are strands, each checked
on the photo (strands from a parting or a fringe, single loose hairs and wisps,
squiggles below a shiny hairline); the furrows of the lined faces stay. The fork
rule keeps 2 of them (15 of 1,470 on 11 faces, 2026-12-05): on ACNE04
``levle1_336`` a straight diagonal piece crossing a loose hair (a crease the hair
lies over), on ``levle3_31`` a piece along the brow hair of a close-up whose
mesh leaves the brow's tail in the forehead (its other pieces there were
reported before). Not
found: a strand that does not run down from the hairline (lying on the cheek, or
leaving a fringe's edge at less than the forehead's tilt limit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Steep forehead pieces within this distance (mm) of a piece of the network
#: join it whatever their direction.
NETWORK_GAP_MM = 3.0
#: A continuation lies at most this far (mm) off the course of the line it continues.
LATERAL_MM = 1.0
#: Length (mm) of a line's end over which its direction is measured.
END_MM = 2.5
#: At a fork, a crease piece continued end to end within this angle (degrees) by
#: another crease piece is not a strand's continuation through a third line that
#: meets it :data:`FORK_MARGIN_DEG` more askew.
FORK_STRAIGHT_DEG = 20.0
#: See :data:`FORK_STRAIGHT_DEG`.
FORK_MARGIN_DEG = 5.0
#: Line pairs compared at once (each holds both lines' points: the memory is
#: bounded whatever the number of lines).
PAIR_CHUNK = 512


def _unit(v: np.ndarray) -> np.ndarray:
    """Return the rows of ``v`` scaled to unit length (zero rows stay zero)."""
    length = np.hypot(v[:, 0], v[:, 1])[:, None]
    return np.divide(v, length, out=np.zeros_like(v), where=length > 0)


class _Lines:
    """Polylines in one array: points, each point's line, each line's first and end index."""

    def __init__(self, lines: Sequence[np.ndarray], n: int) -> None:
        counts = np.array([len(p) for p in lines], dtype=np.int64)
        self.stop = np.cumsum(counts)
        self.start = self.stop - counts
        self.pts = np.concatenate([np.asarray(p, np.float64).reshape(-1, 2) for p in lines])
        if not len(self.pts):
            raise ValueError("lines: no points")
        self.owner = np.repeat(np.arange(len(lines)), counts)
        self.n = n
        # both ends (line j: rows 2j, 2j + 1) and their directions out of the line,
        # measured from n points in to n // 3 points in (a fork's hook is skipped);
        # an empty line's indices are clipped into the array (it is never compared)
        top = len(self.pts) - 1
        first = np.minimum(self.start, top)
        last = np.clip(self.stop - 1, first, top)
        skip = max(1, n // 3)
        at = np.stack([first, last], axis=1).ravel()
        out = np.stack([np.minimum(first + skip, last), np.maximum(last - skip, first)], axis=1)
        inner = np.stack([np.minimum(first + n, last), np.maximum(last - n, first)], axis=1)
        self.ends = self.pts[at]
        self.dirs = _unit(self.pts[out.ravel()] - self.pts[inner.ravel()])

    def course(self, k: np.ndarray) -> np.ndarray:
        """Return the unit direction of the line round each point ``k`` (``n`` points each side)."""
        j = self.owner[k]
        a = self.pts[np.maximum(k - self.n, self.start[j])]
        b = self.pts[np.minimum(k + self.n, self.stop[j] - 1)]
        t = _unit(b - a)
        t[~t.any(axis=1)] = (1.0, 0.0)
        return t


def _meet(
    ends: np.ndarray,
    dirs: np.ndarray,
    on: np.ndarray,
    lines: _Lines,
    gap: np.ndarray,
    cos_max: np.ndarray,
    lateral: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tell, per end, whether it continues the line ``on`` holds the points of.

    An end does when the nearest of those points lies within ``gap``, the line runs
    along the end's direction there (direction cosine at least ``cos_max``) and the
    point lies at most ``lateral`` off the end's course. ``ends`` and ``dirs`` are
    ``(M, 2)``, ``on`` is ``(M, K)`` point indices into ``lines`` (one line per row,
    padded by repeating a point), the limits ``(M,)``. Returns the verdicts, the
    direction cosines and the nearest points' indices into ``lines``.
    """
    q = lines.pts[on]  # (M, K, 2)
    dist = np.hypot(q[..., 0] - ends[:, None, 0], q[..., 1] - ends[:, None, 1])
    pick = np.argmin(dist, axis=1)
    rows = np.arange(len(ends))
    k = on[rows, pick]
    along = np.abs(np.sum(lines.course(k) * dirs, axis=1))
    w = lines.pts[k] - ends
    off = np.abs(w[:, 0] * dirs[:, 1] - w[:, 1] * dirs[:, 0])  # off the end's course
    return (dist[rows, pick] <= gap) & (along >= cos_max) & (off <= lateral), along, k


def _straight_partners(
    lines: _Lines, usable: np.ndarray, steep: np.ndarray, gap: float, lateral: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per end, the line that continues it straightest end to end, and how straight.

    A partner is another usable line that is not steep whose end lies within
    ``gap`` of the end and at most ``lateral`` off its course, the two ends facing
    each other. Returns the partner line (-1: none) and the cosine between the
    end's direction and the reverse of the partner's end direction (-1: none).
    """
    n_ends = len(lines.ends)
    best = np.full(n_ends, -1.0)
    partner = np.full(n_ends, -1, dtype=np.int64)
    line_of = np.repeat(np.arange(n_ends // 2), 2)
    ok = np.repeat(usable & ~steep, 2)
    for at in range(0, n_ends, PAIR_CHUNK):  # bounded memory on a face full of lines
        e = np.arange(at, min(at + PAIR_CHUNK, n_ends))
        w = lines.ends[None, :, :] - lines.ends[e, None, :]  # (m, n_ends, 2)
        d = lines.dirs[e, None, :]
        dist = np.hypot(w[..., 0], w[..., 1])
        off = np.abs(w[..., 0] * d[..., 1] - w[..., 1] * d[..., 0])
        facing = -np.sum(d * lines.dirs[None, :, :], axis=2)
        good = (
            ok[None, :]
            & (line_of[None, :] != line_of[e, None])
            & (dist <= gap)
            & (off <= lateral)
            & (facing > 0.0)
        )
        score = np.where(good, facing, -1.0)
        j = np.argmax(score, axis=1)
        best[e] = score[np.arange(len(e)), j]
        partner[e] = np.where(best[e] > -1.0, line_of[j], -1)
    return partner, best


def _forked(
    end: np.ndarray, via: np.ndarray, along: np.ndarray, partner: np.ndarray, straight: np.ndarray
) -> np.ndarray:
    """Tell whether line ends have a straighter partner than the line meeting them.

    Each end ``end`` is met by line ``via`` at direction cosine ``along``; it is
    forked when its straight partner (:func:`_straight_partners`) is another line
    and continues it straighter.
    """
    bend = np.degrees(np.arccos(np.clip(straight[end], -1.0, 1.0)))
    turn = np.degrees(np.arccos(np.clip(along, -1.0, 1.0)))
    return (
        (partner[end] >= 0)
        & (partner[end] != via)
        & (bend <= FORK_STRAIGHT_DEG)
        & (turn >= bend + FORK_MARGIN_DEG)
    )


def _padded(lines: _Lines, which: np.ndarray) -> np.ndarray:
    """Return the point indices of lines ``which``, one row each, padded with each line's last."""
    size = lines.stop[which] - lines.start[which]
    width = int(size.max()) if len(size) else 1
    idx = lines.start[which][:, None] + np.arange(width)[None, :]
    return np.minimum(idx, (lines.stop[which] - 1)[:, None])


def hair_strands(
    lines: Sequence[np.ndarray],
    steep: Sequence[bool],
    top: np.ndarray,
    px_per_mm: float,
    *,
    hair_mm: float,
    gap_mm: float,
    max_angle_deg: float,
) -> set[int]:
    """Return the indices of the traced lines that belong to hair strands.

    Parameters
    ----------
    lines : sequence of numpy.ndarray
        Every traced line of the face, ``(K, 2)`` ``(x, y)`` points in order along
        the line, on one grid.
    steep : sequence of bool
        Per line: a forehead line tilted beyond the forehead's orientation prior.
    top : numpy.ndarray
        Per grid column, the forehead zone's first row (the hairline); ``inf``
        in columns without forehead (no line is near the hairline there).
    px_per_mm : float
        The grid's resolution.
    hair_mm, gap_mm, max_angle_deg : float
        A steep line ending within ``hair_mm`` of the hairline seeds the network; a
        continuation ends within ``gap_mm`` of a line of the network and runs
        within ``max_angle_deg`` of it.

    Returns
    -------
    set of int
        The strands' indices into ``lines`` (empty when no steep line reaches
        the hairline).
    """
    n_end = max(3, round(END_MM * px_per_mm))
    w = len(top)
    seeds = []
    for i, pts in enumerate(lines):
        if not steep[i] or len(pts) < 2:
            continue
        for q in (pts[0], pts[-1]):
            x = int(round(float(q[0])))
            t = float(top[x]) if 0 <= x < w else math.inf
            if math.isfinite(t) and float(q[1]) - t <= hair_mm * px_per_mm:
                seeds.append(i)
                break
    if not seeds:
        return set()
    n_lines = len(lines)
    pack = _Lines(lines, n_end)
    usable = (pack.stop - pack.start) >= 2
    boxes = np.full((n_lines, 4), np.inf)
    some = pack.stop > pack.start  # the points of consecutive nonempty lines
    if some.any():
        boxes[some, :2] = np.minimum.reduceat(pack.pts, pack.start[some], axis=0)
        boxes[some, 2:] = np.maximum.reduceat(pack.pts, pack.start[some], axis=0)
    boxes[~usable] = np.inf  # lines of fewer than 2 points: never near
    is_steep = np.asarray(steep, dtype=bool)
    loose = NETWORK_GAP_MM * px_per_mm
    gap = gap_mm * px_per_mm
    lateral = LATERAL_MM * px_per_mm
    cos_max = math.cos(math.radians(max_angle_deg))
    reach = max(loose, gap)
    partner, straight = _straight_partners(pack, usable, is_steep, gap, lateral)
    found = np.zeros(n_lines, dtype=bool)
    frontier = np.unique(np.asarray(seeds, dtype=np.int64))
    found[frontier] = True
    while len(frontier):  # one ring of the network at a time
        fb = boxes[frontier]
        near = (
            (usable & ~found)[None, :]
            & (boxes[None, :, 0] <= fb[:, 2, None] + reach)
            & (boxes[None, :, 2] >= fb[:, 0, None] - reach)
            & (boxes[None, :, 1] <= fb[:, 3, None] + reach)
            & (boxes[None, :, 3] >= fb[:, 1, None] - reach)
        )
        fa, cb = np.nonzero(near)
        fa = frontier[fa]
        if not len(fa):
            break
        joined = np.zeros(len(fa), dtype=bool)
        for at in range(0, len(fa), PAIR_CHUNK):  # bounded memory on a face full of lines
            a, b = fa[at : at + PAIR_CHUNK], cb[at : at + PAIR_CHUNK]
            # steep to steep: any direction within the network's gap; else a continuation
            lo = is_steep[a] & is_steep[b]
            g = np.repeat(np.where(lo, loose, gap), 2)
            c = np.repeat(np.where(lo, -1.0, cos_max), 2)
            lat = np.repeat(np.where(lo, np.inf, lateral), 2)
            # each candidate's ends on the network's line, and that line's ends on it
            ends_b = np.stack([2 * b, 2 * b + 1], axis=1).ravel()
            ends_a = np.stack([2 * a, 2 * a + 1], axis=1).ravel()
            on_a = np.repeat(_padded(pack, a), 2, axis=0)
            on_b = np.repeat(_padded(pack, b), 2, axis=0)
            hit_b, along_b, _ = _meet(pack.ends[ends_b], pack.dirs[ends_b], on_a, pack, g, c, lat)
            hit_a, along_a, k = _meet(pack.ends[ends_a], pack.dirs[ends_a], on_b, pack, g, c, lat)
            # a continuation is refused at a fork where another crease piece carries
            # the candidate's end on straighter than the network's line does
            a2, b2, lo2 = np.repeat(a, 2), np.repeat(b, 2), np.repeat(lo, 2)
            hit_b &= lo2 | ~_forked(ends_b, a2, along_b, partner, straight)
            from_start = k - pack.start[b2]
            to_stop = pack.stop[b2] - 1 - k
            end_of_b = np.where(from_start <= to_stop, 2 * b2, 2 * b2 + 1)
            at_end = np.minimum(from_start, to_stop) < n_end
            hit_a &= lo2 | ~(at_end & _forked(end_of_b, a2, along_a, partner, straight))
            joined[at : at + PAIR_CHUNK] = (hit_b | hit_a).reshape(-1, 2).any(axis=1)
        frontier = np.unique(cb[joined])
        found[frontier] = True
    return {int(i) for i in np.flatnonzero(found)}
