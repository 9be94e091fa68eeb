// Axis-aligned boxes: greedy non-maximum suppression.
//
// Boxes are (x0, y0, x1, y1) as four doubles, finite (the Python wrapper checks).
#pragma once

#include <cstdint>

namespace skincore::boxes {

// Greedy per-class non-maximum suppression over n boxes given in the order in
// which they are considered (best first). Box i is kept unless a box kept before
// it with the same class overlaps it by IoU > iou, where IoU = inter / union (0
// where union <= 0) with inter = max(0, overlap width) * max(0, overlap height)
// and union = area(kept) + area(i) - inter, in double: the same floats as the
// vectorised NumPy expression (skincore.face.detector.box_iou), so ties at the
// threshold fall the same way. A NaN IoU suppresses. Classes are any int64
// values; boxes of different classes never suppress each other. Stops once
// max_keep boxes are kept (max_keep < 0: no limit). Writes the positions of the
// kept boxes, ascending, to keep (room for min(n, max_keep) values) and returns
// their count. Time O(n log n + n * kept of the class); memory O(n).
// Throws std::invalid_argument if n < 0.
std::int64_t greedy_nms(const double* boxes, const std::int64_t* classes, std::int64_t n, double iou,
                        std::int64_t max_keep, std::int64_t* keep);

}  // namespace skincore::boxes
