"""Which wrinkle lines the hair-strand, hair-edge or turn rule drops, on real photos.

    python benchmarks/eval_wrinkle_strands.py [--rule strands|edges|turns|hair] [--data DIR]
        [--every-acne 5] [--every-dark 4]

Runs the wrinkle concern on each face twice, with the rule off
(``wrinkles.Params(strand_hair_mm=0)``; with ``--rule edges``,
``Params(hair_edge_mm=0)``: forehead lines along the zone's top, the hair's
edge; with ``--rule turns``, ``Params(max_turn_deg=0)``: lines whose direction
turns through more than 90 degrees; with ``--rule hair``,
``Params(hair_near_mm=0)``: lines outside the forehead lying within 3 mm of the
segmented hair) and on (the defaults), and prints the lines
the rule drops, per zone with their lengths in mm, and the totals. The
photos: those of ``tools/result_values.py`` (``shared/faces`` and a sample of
``shared/data``), every ``--every-acne``-th photo of ``acne04-dev`` (from the
fifth) and every ``--every-dark``-th of the dark-circle set (from the fourth),
each once.
On 2026-12-03, with the defaults: 17 of 1,451 lines on 11 of 41 faces, each
checked on the photo (15 of 1,435 on 10 once the hair-edge rule was on: two of
them, `levle2_136`'s fringe edge among them, lie along the hair's edge and go
with either rule); ``--rule edges`` (with the strand rule on): 14 of 1,434
lines on 10 faces, each checked on the photo (a fringe's edge or strands lying
on the forehead, a hairline's wisps, London 062's hairline shine, a brow's
edge under a misplaced mesh). On 2026-12-05, with every rule on: strands 14 of
1,451 lines on 10 of 41 faces, edges 10 of 1,447 on 9 (the rules overlap: a
curled strand or wisp goes with the turn rule too); ``--rule turns
--every-acne 1 --every-dark 2``: 75 of 5,238 lines on 42 of 137 faces, looked
at in crops (hooks and rings round papules and glints, loose hairs, brow and lash
hair, a lower lid's margin, a jaw's edge under a misplaced mesh); ``--rule hair
--every-acne 1 --every-dark 2``: 93 of 5,163 lines on 46 of 137 faces, 78 of
them on the crow's feet (a temple's wisps and side hair).
There are no strand labels: look at the photos listed (the lines' points are in
``FaceResult.wrinkles`` of an analysis with the rule off).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _wrinkle_photos import face_works, wrinkle_photos
from skincore.concerns import wrinkles as W

HERE = Path(__file__).resolve().parents[1]

#: Each rule's switch: the parameters with that rule off.
OFF = {
    "strands": W.Params(strand_hair_mm=0),
    "edges": W.Params(hair_edge_mm=0),
    "turns": W.Params(max_turn_deg=0),
    "hair": W.Params(hair_near_mm=0),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data")
    ap.add_argument("--every-acne", type=int, default=5)
    ap.add_argument("--every-dark", type=int, default=4)
    ap.add_argument("--rule", choices=tuple(OFF), default="strands")
    args = ap.parse_args()
    off_params = OFF[args.rule]
    files = wrinkle_photos(args.data, args.every_acne, args.every_dark)
    faces = lines = dropped = changed = 0
    for f, work in face_works(files):
        off = W.measure(work, off_params)
        on = W.measure(work, W.Params())
        if off is None or on is None:
            continue
        faces += 1
        lines += sum(len(z.lines) for z in off.zones.values())
        gone = {}
        for name, zone in off.zones.items():
            kept = [ln.length_mm for ln in on.zones[name].lines]
            lost = [ln.length_mm for ln in zone.lines]
            for v in kept:
                lost.remove(v)
            if lost:
                gone[name] = [round(v, 1) for v in lost]
        if gone:
            changed += 1
            dropped += sum(len(v) for v in gone.values())
            print(f"{f.name[:28]:<28} {gone}")
    print(f"{dropped} of {lines} lines dropped on {changed} of {faces} faces with wrinkles")


if __name__ == "__main__":
    main()
