// Geometry kernels: separable Gaussian blur, resize (area / bilinear), polygon
// rasterisation (scanline, even-odd or non-zero).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
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

// gaussian_blur of each of n planes (one sigma and truncate), the planes spread
// over the pool (each blurred whole on one thread): for many small images, whose
// rows are too few to split. Results identical to n gaussian_blur calls. No dst
// may overlap any src or another dst (std::invalid_argument).
void gaussian_blur_planes(const ConstView<float>* srcs, const MutView<float>* dsts, int n, double sigma,
                          double truncate, int threads);

// ------------------------------------------------------------------ row spans

// One run [x0, x1) of samples of a row.
struct Span {
    std::int64_t x0 = 0, x1 = 0;
};

// The runs of one row (a range over RowSpans::spans).
struct SpanRow {
    const Span* first = nullptr;
    const Span* last = nullptr;
    const Span* begin() const { return first; }
    const Span* end() const { return last; }
    bool empty() const { return first == last; }
};

// A set of pixels as sorted, disjoint, non-adjacent runs per row: the runs of row y
// are spans[start[y] .. start[y + 1]).
struct RowSpans {
    std::int64_t width = 0, height = 0;
    std::vector<std::size_t> start;  // height + 1 offsets
    std::vector<Span> spans;
    SpanRow row(std::int64_t y) const {
        const auto u = static_cast<std::size_t>(y);
        return {spans.data() + start[u], spans.data() + start[u + 1]};
    }
};

// The nonzero samples of a mask as row spans.
RowSpans mask_spans(ConstView<std::uint8_t> mask);

// Chebyshev dilation of a span set by r >= 0 (every pixel within a (2r+1)^2 box of
// one of its pixels), clipped to the image.
RowSpans dilate_spans(const RowSpans& s, std::int64_t r);

// True when every sample of single-channel v on the runs of `where` (v's shape) is
// finite.
bool all_finite_on(ConstView<float> v, const RowSpans& where, int threads);

// Set the samples of a row outside its runs to 0.
void zero_outside(float* row, SpanRow runs, std::int64_t width);

// gaussian_blur restricted to the pixels of `where` (its width and height must be
// src's): those samples of dst get exactly gaussian_blur's values, computed only
// from the samples of src within dilate_spans(where, r), r the kernel radius (so a
// caller need only have those right); dst elsewhere is set to 0. dst must not
// overlap src. `row_done`, when given, is called with y once row y of dst is
// written (on the thread that wrote it; rows in any order).
void gaussian_blur_spans(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                         const RowSpans& where, int threads,
                         const std::function<void(std::int64_t)>& row_done = {});

// Square max filter: dst(y, x) = max of src over rows [y - radius, y + radius] and
// columns [x - radius, x + radius] clipped to the image (outside counts as -inf).
// NaN propagates (as numpy.maximum) to every output whose window holds one.
// O(radius) comparisons per pixel, separable (rows, then columns), vectorisable;
// dst may be src.
void max_filter(ConstView<float> src, MutView<float> dst, std::int64_t radius, int threads);

// gaussian_blur computed only at columns [spans[2y], spans[2y+1]) of each row y
// (an empty or reversed span skips the row; spans are clipped to [0, W)); dst
// elsewhere is left as it is. Each computed value is bit-identical to
// gaussian_blur's (the same operations on the same samples): for callers that
// need a blur only inside a mask. dst must not overlap src.
void gaussian_blur_row_range(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                         const std::int64_t* spans, int threads);


// Row y of gaussian_blur(src) at columns [a, b) (clipped to [0, W)) into out[a, b),
// bit-identical to gaussian_blur's values there. w = taps w[0..r] (gaussian_kernel
// from its centre); scratch: pad holds W + 2r floats, lo and hi r pointers each.
// For kernels that stream the blur row by row (no full-size blurred image).
void gaussian_blur_row(ConstView<float> src, const float* w, long r, long y, long a, long b, float* pad,
                       const float** lo, const float** hi, float* out);
// Morphology by blur and threshold: m = mask != 0, then for each step k
// m = gaussian_blur(m as 0/1 float32, sigmas[k], truncate 4) > thresholds[k]
// (float32 compare); out = m as 0/1. A low threshold dilates, a high one erodes.
// Each step's values are gaussian_blur's exactly. box (may be null): 4 values that
// receive out's bounding box x0, y0, x1, y1 (ends exclusive; all 0 when out is empty),
// from the set extents the steps track anyway.
void blur_threshold(ConstView<std::uint8_t> mask, const double* sigmas, const float* thresholds, int steps,
                    MutView<std::uint8_t> out, int threads, std::int64_t* box = nullptr);

// blur_threshold of each of n masks into outs[i] (the same steps), the masks spread
// over the pool (largest first), each on one thread: the results of n calls. boxes
// (may be null): 4 n values, outs[i]'s bounding box at boxes[4 i] (as blur_threshold's).
void blur_threshold_masks(const ConstView<std::uint8_t>* masks, const MutView<std::uint8_t>* outs, int n,
                          const double* sigmas, const float* thresholds, int steps, int threads,
                          std::int64_t* boxes = nullptr);

// One axis of resize()'s float bilinear path (pixel-centre aligned: output o samples
// the input at ((2o+1) in - out) / (2 out), clamped to [0, in-1]): the first input
// sample start[o], its weights w0[o] and, where two[o], w1[o] on start[o] + 1, over the
// common denominator denom; the same gcd-reduced integer weights, converted to float,
// as resize() uses, so a caller resampling part of a grid gets resize()'s values.
struct BilinearAxis {
    std::vector<std::int64_t> start;
    std::vector<float> w0, w1;
    std::vector<char> two;
    double denom = 1.0;
};
BilinearAxis bilinear_axis(std::int64_t in, std::int64_t out);

// One axis of resize()'s float area path: output o sums the inputs start[o] ..
// start[o] + n - 1 (n = woff[o + 1] - woff[o]) with weights w[woff[o] ..], over the
// common denominator denom; the same gcd-reduced integer weights, converted to
// float, as resize() uses. resize()'s float area value is, in float and in this
// order, acc_i = sum_k wy_k * row_k[i] (rows of the y axis), h = sum_j wx_j * acc
// (columns of the x axis), h / float(denom_x * denom_y): a caller that makes the
// input rows on the fly gets resize()'s values.
struct AreaAxis {
    std::vector<std::int64_t> start, woff;
    std::vector<float> w;
    double denom = 1.0;
};
AreaAxis area_axis(std::int64_t in, std::int64_t out);

// Index of sample i (possibly outside [0, n)) under reflect-101 borders.
inline long reflect101(long i, long n) {
    // Inside, or within one reflection: no division (the blurs' row loops call
    // this for every tap of every row, and an integer division costs tens of cycles).
    if (i >= 0 && i < n) return i;
    if (n == 1) return 0;
    if (i < 0 && i > -n) return -i;
    if (i >= n && i <= 2 * (n - 1)) return 2 * (n - 1) - i;
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

// A uint8 mask resampled to dst's size: 255 where the bilinear resize() of src is
// >= 128, else 0 (bit for bit, for any src values). One pass, without the
// rounded intermediate image: the exact weighted sum h of an output, with weights
// summing to D, rounds to >= 128 exactly when 2 h >= 255 D. Single channel; dst
// must not overlap src. Deterministic for any thread count.
void resize_mask(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, int threads);

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
// With an origin (ox, oy), dst is the window [oy, oy + H) x [ox, ox + W) of a larger
// grid in which the coordinates are given: its pixels are those of that grid's
// fill, bit for bit (the crossings are computed in the grid's coordinates).
void fill_polygons(const double* xy, const std::int64_t* offsets, std::int64_t n_polygons,
                   MutView<std::uint8_t> dst, std::uint8_t value, FillRule rule, int threads,
                   std::int64_t ox = 0, std::int64_t oy = 0);

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

// ------------------------------------------------------------------ affine warp

// Pillow's Image.transform(size, AFFINE, a, BILINEAR, fillcolor=0) for an 8-bit
// image (1 or 3 channels, "L" / "RGB"), pixel for pixel. Output pixel (i, j)
// (column i, row j) samples the source at, in double precision and this order,
//   X = a[0] * (i + 0.5) + a[1] * (j + 0.5) + a[2],
//   Y = a[3] * (i + 0.5) + a[4] * (j + 0.5) + a[5]
// (continuous coordinates: source pixel (x, y) covers [x, x+1) x [y, y+1)). When
// not 0 <= X < width and 0 <= Y < height, the pixel is 0. Else, with
// x = floor(X - 0.5), y = floor(Y - 0.5), dx = X - 0.5 - x, dy = Y - 0.5 - y and
// columns x, x + 1 clamped to the image: per row r, v(r) = p(r, x) +
// (p(r, x + 1) - p(r, x)) * dx; v = v(y') + (v(y + 1) - v(y')) * dy with
// y' = y clamped to the image and v(y + 1) = v(y') when row y + 1 is outside; the
// value is v truncated to an integer (never rounded). dst has src's channels.
// uint8 output stores that value; float32 output stores float(value) / div - sub
// (float32 arithmetic). Deterministic for any thread count (pixels independent).
// An empty src gives an all-zero (fill) output. a must be finite.
void warp_affine(ConstView<std::uint8_t> src, const double* a, MutView<std::uint8_t> dst,
                 int threads);
void warp_affine(ConstView<std::uint8_t> src, const double* a, MutView<float> dst, float div,
                 float sub, int threads);

// ----------------------------------------------------------------- tile median

// Median of src over the pixels of each tile x tile block where mask != 0 and src
// is not NaN. Tile (ty, tx) covers rows [ty*tile, (ty+1)*tile) and columns
// [tx*tile, (tx+1)*tile), clipped to the image; median and count have shape
// (ceil(H / tile), ceil(W / tile)). median is the element of rank n / 2 (0-based,
// integer division: the upper median for even n) of the tile's n selected values
// in ascending order, NaN when n == 0; count is n. Deterministic for any thread
// count (each tile is independent).
//
// Options: only the samples of rows and columns that are multiples of `step`
// (>= 1); only the samples < `below` (when `below` is not NaN); `negate`: the
// values taken are the negated samples (the median of -src over the selection).
struct TileMedianOptions {
    std::int64_t step = 1;
    float below = std::numeric_limits<float>::quiet_NaN();
    bool negate = false;
};
void tile_median(ConstView<float> src, ConstView<std::uint8_t> mask, std::int64_t tile,
                 MutView<float> median, MutView<std::int32_t> count, int threads,
                 const TileMedianOptions& opt = {});

// The two middle order statistics of all n = H * W values of src (single channel):
// lower = the value of rank (n - 1) / 2, upper = that of rank n / 2 (0-based,
// ascending, integer division; equal for odd n), i.e. np.sort(v)[(n - 1) // 2] and
// np.sort(v)[n // 2]. Both NaN when n == 0 or any value is NaN. -0.0 and 0.0 rank
// as equal (either may be given where both are present). One thread: a radix
// selection on order-preserving keys; src is not modified.
void middle_values(ConstView<float> src, float& lower, float& upper);

}  // namespace skincore
