// Connected components, outer contours and polygon simplification.
//
// All kernels work on run-length encoded rows: each row of the mask is cut into
// runs of foreground pixels, runs of adjacent rows that touch are joined with a
// union-find whose roots are always the smallest run index. Run indices increase
// in raster order, so the root of a component is its raster-first run and the
// components come out numbered in raster order of their first pixel, whatever
// the stripe split or the thread count.
//
// Masks: nonzero = foreground. Label images: label > 0 = foreground.
// Sizes: images of at most 2^31 - 1 pixels (labels are int32).
#pragma once

#include <cstdint>
#include <vector>

#include "skincore/image_view.hpp"

namespace skincore::contours {

struct Point {
    std::int32_t x;
    std::int32_t y;
};

using Contour = std::vector<Point>;

// Per-component statistics; component k (0-based) carries label k + 1.
struct ComponentStats {
    std::vector<std::int64_t> area;
    std::vector<std::int32_t> bbox;     // 4 per component: x, y, w, h
    std::vector<double> centroid;       // 2 per component: cx, cy (mean x, mean y)
    std::int64_t count() const { return static_cast<std::int64_t>(area.size()); }
};

// Labels the connected components of `mask` into caller-allocated `labels`
// (same width/height; 0 = background, 1..N in raster order of each component's
// first pixel) and returns their statistics. connectivity: 4 or 8.
// Throws std::invalid_argument on bad arguments.
ComponentStats label(ConstView<std::uint8_t> mask, MutView<std::int32_t> labels, int connectivity,
                     int threads);

// Outer contour of every connected component of `mask`, in label order. Each
// contour starts at the component's raster-first pixel and runs counter-clockwise
// as seen on screen (y down): the same point sequence as OpenCV's
// findContours(RETR_EXTERNAL, CHAIN_APPROX_NONE) on that component alone.
// connectivity 8 traces 8-connected boundaries, 4 traces 4-connected ones.
std::vector<Contour> find_contours_mask(ConstView<std::uint8_t> mask, int connectivity, int threads);

// One outer contour per label value 1..max(labels) (index k is label k + 1; an
// absent label gives an empty contour), traced from the label's raster-first
// pixel over the pixels equal to that label. Labels must lie in [0, W*H]
// (negative values and zero are background).
std::vector<Contour> find_contours_labels(ConstView<std::int32_t> labels, int connectivity,
                                          int threads);

// Douglas-Peucker (Ramer) simplification of n points `xy` (x0, y0, x1, y1, ...).
// Consecutive duplicate points are dropped first (for a closed polygon also
// trailing copies of the first point). A point is dropped when its distance to
// the current chord (a segment; the distance to the end point past its ends) is
// strictly less than `epsilon`, so epsilon = 0 keeps every non-duplicate point.
// Distances are compared division-free (squared and scaled by the chord's
// squared length), exact for integer coordinates below 2^20.
// Open polylines keep both ends; closed polygons keep the first point and the
// point farthest from it. Returns indices into `xy`, increasing. Iterative.
std::vector<std::int64_t> simplify_indices(const double* xy, std::int64_t n, double epsilon,
                                           bool closed);

// find_contours_mask, dropping components whose area is below `min_area`, then
// simplify each contour (closed) with `epsilon`.
std::vector<Contour> polygons(ConstView<std::uint8_t> mask, double epsilon, std::int64_t min_area,
                              int connectivity, int threads);

// The outline of each polygon filled on its own box: polygon p is points
// [offsets[p], offsets[p+1]) of the interleaved (x, y) doubles xy (as
// geometry::fill_polygons). Its box is x in [floor(min x) - 1, ceil(max x) + 2),
// y likewise; the polygon, shifted by the box's corner (x0, y0) in double, is filled
// there with `rule` (0 even-odd, 1 non-zero; geometry::fill_polygons' pixel rule)
// and the result is the first contour with the most vertices among
// polygons(fill, epsilon, 0, 8): in box pixels, the corner stored in origins[2p],
// origins[2p + 1]. A polygon of fewer than 3 points gives an empty contour (corner
// 0, 0). Coordinates must be finite with magnitude <= 2^40 and
// each box at most max_box_pixels (invalid_argument otherwise). Polygons are
// independent: threads split them, with the same results for any count.
std::vector<Contour> polygon_outlines(const double* xy, const std::int64_t* offsets,
                                      std::int64_t n_polygons, int rule, double epsilon,
                                      std::int64_t max_box_pixels, std::int64_t* origins,
                                      int threads);

}  // namespace skincore::contours
