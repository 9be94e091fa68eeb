// Geometry kernels: separable Gaussian blur, resize (area / bilinear), polygon
// rasterisation (scanline, even-odd or non-zero).
#pragma once

#include <cstdint>
#include <vector>

#include "skincore/image_view.hpp"

namespace skincore {

// True when every sample of v is finite (no NaN, no +-inf).
bool all_finite(ConstView<float> v, int threads);

// ---------------------------------------------------------------- Gaussian blur

// Normalised 1-D Gaussian taps w[-r..r] (returned as 2r+1 floats),
// r = floor(truncate * sigma + 0.5) (SciPy's rule). sigma must be > 0 and r is capped (kMaxGaussianRadius).
// r == 0 (truncate * sigma < 0.5, any tiny sigma) gives the single tap {1}: the identity.
std::vector<float> gaussian_kernel(double sigma, double truncate);

constexpr long kMaxGaussianRadius = 4096;

// One pass of gaussian_blur over n samples: o[x] = w[0]*c[x] + sum_{k=1..r}
// w[k]*(lo[k-1][x] + hi[k-1][x]), k in order (taps w[0..r] as gaussian_kernel's
// centre onwards). For kernels that evaluate the blur on part of an image with
// the same arithmetic.
void conv_line(float* o, const float* c, const float* const* lo, const float* const* hi, const float* w,
               long r, long n);

// Separable Gaussian blur of a single-channel float32 image. Borders reflect
// without repeating the edge sample (OpenCV BORDER_REFLECT_101, SciPy 'mirror').
// dst may alias src. Deterministic for any thread count (pure per-pixel work).
//
// Arithmetic (fixed, so a NumPy reference can reproduce it): vertical pass first,
// v = w0*s[y] then v += w_k*(s[y-k] + s[y+k]) for k = 1..r in float32, then the
// same horizontally on v. NaN and +-inf propagate (IEEE) to every output
// sample whose kernel window reaches them.
void gaussian_blur(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                   int threads);

// Square max filter: dst(y, x) = max of src over rows [y - radius, y + radius] and
// columns [x - radius, x + radius] clipped to the image (outside counts as -inf).
// NaN propagates (as numpy.maximum) to every output whose window holds one.
// O(radius) comparisons per pixel, separable (rows, then columns), vectorisable;
// dst may be src.
void max_filter(ConstView<float> src, MutView<float> dst, std::int64_t radius, int threads);

// Index of sample i (possibly outside [0, n)) under reflect-101 borders.
inline long reflect101(long i, long n) {
    if (n == 1) return 0;
    const long period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

// ----------------------------------------------------------------------- resize

enum class ResizeMethod : int {
    // Exact area averaging: input pixels are unit squares; an output pixel is the
    // mean of the input over its footprint [x*in/out, (x+1)*in/out) in each axis,
    // fractional pixels weighted by their covered fraction (OpenCV INTER_AREA).
    Area = 0,
    // Bilinear with pixel-centre alignment: output x samples the input at
    // (x + 0.5) * in/out - 0.5, clamped to [0, in-1] (OpenCV INTER_LINEAR).
    Bilinear = 1,
};

// Largest accepted side (input or output) in pixels: keeps every weight product
// exact in integers / doubles (see geometry.cpp).
constexpr std::int64_t kMaxResizeSide = std::int64_t{1} << 20;

// Resize src (width x height, `channels` interleaved, 1 or 3) to dst's size.
// uint8: computed exactly in integers and rounded to nearest, ties up
// (floor(v + 0.5)) — the result is the exact weighted mean, rounded.
// float32: float32 accumulation with integer-valued weights, divided once at the end.
// dst must not overlap src. Deterministic for any thread count.
void resize(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, ResizeMethod method,
            int threads);
void resize(ConstView<float> src, MutView<float> dst, ResizeMethod method, int threads);

// -------------------------------------------------------------- polygon filling

enum class FillRule : int { EvenOdd = 0, NonZero = 1 };

// Coordinates with a larger magnitude are refused (invalid_argument): below it,
// every intermediate of the crossing formula stays finite.
constexpr double kMaxPolygonCoord = 1e100;

// Rasterise polygons into dst: pixels inside are set to `value`, others are left
// unchanged. xy holds interleaved (x, y) doubles; polygon p is points
// [offsets[p], offsets[p+1]) (offsets has n_polygons + 1 entries, offsets[0] == 0,
// non-decreasing). Each polygon is closed implicitly (last point joins the first);
// polygons with fewer than 3 points are ignored. All polygons form one path: the
// fill rule applies to their edges together (with EvenOdd a polygon inside
// another cuts a hole).
//
// Pixel convention: pixel (row i, column j) has its centre at (x=j, y=i). A pixel is
// inside when its centre is. On row i, an edge with end points (xa, ya), (xb, yb),
// ya < yb (horizontal edges are ignored) crosses the row iff ya <= i < yb, at
// x = xa + (i - ya) * (xb - xa) / (yb - ya) (double precision, this exact order).
// Pixel j is inside iff the crossings with x <= j are odd in number (EvenOdd), or
// their winding directions (+1 for an edge that goes down, y increasing, -1 up) sum
// to non-zero (NonZero). So an axis-aligned rectangle [x0, x1) x [y0, y1) with
// integer corners covers exactly (x1-x0)*(y1-y0) pixels, and polygons that share
// an edge neither overlap nor leave a gap. Work and memory depend on the number
// of points and the image size only, never on coordinate values.
void fill_polygons(const double* xy, const std::int64_t* offsets, std::int64_t n_polygons,
                   MutView<std::uint8_t> dst, std::uint8_t value, FillRule rule, int threads);

// Convenience overload: one polygon of n points.
inline void fill_polygon(const double* xy, std::int64_t n_points, MutView<std::uint8_t> dst,
                         std::uint8_t value, FillRule rule, int threads) {
    const std::int64_t offsets[2] = {0, n_points};
    fill_polygons(xy, offsets, 1, dst, value, rule, threads);
}

// ------------------------------------------------------------ separable sampling

// Bilinear samples of src on a separable grid: dst(j, i) at source column xs[i]
// and row ys[j] (pixel centres at integers; dst has len(ys) rows, len(xs)
// columns). Per axis, with n the source side: t = clamp(c, 0, n - 1),
// c0 = min(floor(t), max(n - 2, 0)), c1 = min(c0 + 1, n - 1), f = float(t - c0);
// rows first: r(x) = src(y0, x) * (1 - fy) + src(y1, x) * fy, then
// dst = r(x0) * (1 - fx) + r(x1) * fx, all in float32 in that order, times 1
// where both -0.5 <= c <= n - 0.5, times 0 elsewhere. xs and ys must be finite.
void sample_separable(ConstView<float> src, const double* xs, const double* ys,
                      MutView<float> dst, int threads);

// ----------------------------------------------------------------- tile median

// Median of src over the pixels of each tile x tile block where mask != 0 and src
// is not NaN. Tile (ty, tx) covers rows [ty*tile, (ty+1)*tile) and columns
// [tx*tile, (tx+1)*tile), clipped to the image; median and count have shape
// (ceil(H / tile), ceil(W / tile)). median is the element of rank n / 2 (0-based,
// integer division: the upper median for even n) of the tile's n selected values
// in ascending order, NaN when n == 0; count is n. Deterministic for any thread
// count (each tile is independent).
void tile_median(ConstView<float> src, ConstView<std::uint8_t> mask, std::int64_t tile,
                 MutView<float> median, MutView<std::int32_t> count, int threads);

}  // namespace skincore
