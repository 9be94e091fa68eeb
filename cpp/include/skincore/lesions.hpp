// Lesion candidate kernels: multi-scale centre-surround contrast over a mask, and
// per-region features (geometry, inside / core / surrounding-ring statistics,
// border gradient) of a label image over any number of value channels.
#pragma once

#include <cstdint>

#include "skincore/image_view.hpp"

namespace skincore::lesions {

// Masked centre-surround contrast, maximised over scales.
//
// m = (mask != 0) as 0/1. For each sigma s_k (in pixels):
//   C_k = G(s_k) * (src m) / G(s_k) * m            (masked Gaussian mean, centre)
//   S_k = G(ratio s_k) * (src m) / G(ratio s_k) * m  (masked Gaussian mean, surround)
//   d_k = C_k - S_k, defined where both denominators are >= kMinWeight.
// out = max_k d_k (the first k on ties), scale = that k; where mask == 0 or no
// scale is defined: out = 0, scale = 0. The blurs are skincore::gaussian_blur
// (reflect-101 borders, `truncate`), all arithmetic in float32.
constexpr float kMinWeight = 0.05f;
constexpr int kMaxScales = 16;

void local_contrast(ConstView<float> src, ConstView<std::uint8_t> mask, const double* sigmas, int n_sigmas,
                    double surround_ratio, double truncate, MutView<float> out, MutView<std::uint8_t> scale,
                    int threads);

// The same for n_maps maps over one mask: outs[i] / scales[i] are exactly what
// local_contrast(srcs[i], ...) gives; the mask's blurs (the denominators) are
// computed once for all maps.
void local_contrast_maps(const ConstView<float>* srcs, int n_maps, ConstView<std::uint8_t> mask,
                         const double* sigmas, int n_sigmas, double surround_ratio, double truncate,
                         const MutView<float>* outs, const MutView<std::uint8_t>* scales, int threads);

// Normalised convolution of n_maps maps over a mask, evaluated over the mask:
// m = (mask != 0) as 0/1, den = G(sigma) * m, num_i = G(sigma) * (srcs[i] m) (float
// products), outs[i] = num_i / den where den > min_weight, else 0 - computed only
// over each row's extent of the mask (first to last mask pixel), where the values
// are those of skincore::gaussian_blur of the whole image bit for bit; outs[i] = 0
// elsewhere.
void smooth_over(const ConstView<float>* srcs, int n_maps, ConstView<std::uint8_t> mask, double sigma,
                 double truncate, float min_weight, const MutView<float>* outs, int threads);

// 3x3 median of each channel of an 8-bit image, edge pixels replicated (exact:
// a 19-exchange median-of-9 network per sample). src and dst have the same shape
// and channel count (1 to 4) and must not overlap.
void median3(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, int threads);

// Table lookup: out(y, x) = lut[index(y, x, channel)] (NumPy's take(lut, index)),
// index an int32 label image or a uint8 image (one of its `channels` interleaved
// channels: channel in [0, index.channels)), lut n >= 1 entries of T (uint8,
// int32 or float). Returns false, with out's values unspecified, when an index
// is outside [0, n); true otherwise. The same values for any thread count.
template <class I, class T>
bool take(ConstView<I> index, int channel, const T* lut, std::int64_t n, MutView<T> out, int threads);

// Columns of the region feature table (one row per label 1..n_labels).
enum GeomCol : int {
    kArea = 0,       // pixels
    kCx,             // mean column
    kCy,             // mean row
    kX0,             // bounding box, x1 / y1 exclusive
    kY0,
    kX1,
    kY1,
    kPerimeter,      // exposed 4-neighbour edges x pi/4 (a digital disc of radius r gives ~2 pi r)
    kRMax,           // largest distance from the centroid to a pixel centre of the region
    kNRing,          // pixels in the surrounding ring
    kNCore,          // pixels in the core
    kNBorder,        // border pixels (a 4-neighbour outside the image or of another label)
    kGeomCols
};
enum ChanCol : int {
    kMeanIn = 0,     // mean over the region
    kMeanCore,       // mean over the core: region pixels within core_fraction * r_eq of the centroid
    kMeanRing,       // mean over the ring (see below)
    kMaxIn,
    kMinIn,
    kBorderGrad,     // mean gradient magnitude (central differences, one-sided at the image edge) on border pixels
    kChanCols
};

struct RingParams {
    double gap = 1.0;           // pixels between the region's extent and the ring
    double width_factor = 1.0;  // ring width = max(min_width, width_factor * r_eq), r_eq = sqrt(area / pi)
    double min_width = 2.0;
    double core_fraction = 0.5;
};

// labels: int32, values in [0, n_labels] (0 = background), else std::invalid_argument.
// values: float32, C channels (C = values.channels). mask: uint8, the ring only
// takes pixels with mask != 0 and label 0.
// Ring of a region: pixels at distance d from the centroid with
// R + gap < d <= R + gap + width, R = r_max + 0.5.
// out: n_labels * (kGeomCols + kChanCols * C) doubles, row-major; statistics of
// an empty set are NaN, an absent label has area 0 and NaN elsewhere.
// Sums are taken in raster order per region: deterministic for any thread count.
void region_features(ConstView<std::int32_t> labels, std::int32_t n_labels, ConstView<float> values,
                     ConstView<std::uint8_t> mask, const RingParams& ring, double* out, int threads);

// The same with each value channel its own plane: channel q of pixel (y, x) is
// planes[q].row(y)[x * planes[q].channels] (`channels` is the pixel step in
// elements, >= 1: a plane may be one channel of an interleaved image, read in
// place). The interleaved form above is this one with planes[q] = values shifted
// by q. Results identical to the interleaved form of the same values.
void region_features(ConstView<std::int32_t> labels, std::int32_t n_labels, const ConstView<float>* planes,
                     int n_planes, ConstView<std::uint8_t> mask, const RingParams& ring, double* out,
                     int threads);

}  // namespace skincore::lesions
