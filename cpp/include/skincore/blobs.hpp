// Blob kernels: scale-space difference-of-Gaussians blob detection (pores,
// blackheads) with polarity, masks, subpixel refinement and overlap pruning.
//
// Scale space. For blur scales s_0 < s_1 < ... < s_{K-1} (K in [2, kMaxBlobScales])
// the scale space is built incrementally with skincore::gaussian_blur (reflect-101
// borders): L_0 = G(s_0) * I and L_{k+1} = G(sqrt(s_{k+1}^2 - s_k^2)) * L_k, which equals
// G(s_{k+1}) * I up to the kernels' truncation (the step kernels are much shorter than
// direct blurs). Layer i (i = 0 .. K-2) holds the scale-normalised difference
//
//     D_i = p * 2 s_i s_{i+1} / (s_{i+1}^2 - s_i^2) * (L_{i+1} - L_i),
//
// p = +1 for dark blobs, -1 for bright ones. Since dL/d(s^2/2) is the Laplacian, D_i
// approximates s'^2 * Laplacian(L) at the detection scale s'_i = sqrt(s_i s_{i+1}); for
// a Gaussian dip of standard deviation b and depth c it peaks exactly at s' = b, with
// value 2c / (2 + q + 1/q) (q = s_{i+1}/s_i), i.e. about c / 2. Responses (and the
// threshold) are therefore in intensity units of the input.
//
// Detection: a sample is a candidate when it is > threshold, a maximum of the 3x3x3
// space/scale neighbourhood (neighbours outside the stack are ignored; ties are
// broken by (layer, row, column) order: a neighbour earlier in that order must be
// strictly smaller, a later one may be equal, so a plateau gives one candidate), and
// (if a mask is given) its pixel is nonzero in the mask. x and y are refined by
// independent 3-point parabolas on the layer (offsets clamped to +-0.5; none at the
// image border). The scale is refined by the parabola through three consecutive
// layers centred on the candidate's layer, or on the next inner layer for the two end
// layers (a blob between the last two layers is still refined; nothing is
// extrapolated beyond the stack); the fractional layer stays within +-0.5 of the peak
// layer and log s' is interpolated linearly between layers.
// radius = sqrt(2) * s'. Candidates are ordered by response descending, then pixel
// row, column and layer; a greedy pass keeps a blob unless it overlaps an already
// kept one by more than `overlap` of the smaller disk's area.
//
// Memory: five W*H float buffers (plus the blur's scratch), whatever K is; callers
// that need the layers again (both polarities, or the blurs themselves) build them
// once with blob_scale_space and search them with detect_blobs_in_layers.
// Deterministic for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "skincore/image_view.hpp"

namespace skincore {

constexpr int kMaxBlobScales = 32;

enum class BlobPolarity : int { Dark = 0, Bright = 1 };

struct Blob {
    float x = 0.f;         // column, pixels (subpixel)
    float y = 0.f;         // row, pixels (subpixel)
    float radius = 0.f;    // sqrt(2) * detection sigma, pixels
    float response = 0.f;  // scale-normalised DoG at the peak sample, intensity units
};

struct BlobParams {
    std::vector<double> sigmas;  // blur scales, strictly increasing, 2..kMaxBlobScales
    BlobPolarity polarity = BlobPolarity::Dark;
    double threshold = 0.01;     // >= 0, on the normalised response
    double overlap = 0.5;        // in [0, 1]
    double truncate = 4.0;       // Gaussian radius = int(truncate * sigma + 0.5)
};

// Throws std::invalid_argument (message starts with the offending parameter name)
// for bad parameters.
void validate_blob_params(const BlobParams& p);

// Scale-normalised DoG of one pair of blur scales (layer formula above) into dst.
void dog_response(ConstView<float> gray, MutView<float> dst, double sigma_a, double sigma_b,
                  BlobPolarity polarity, double truncate, int threads);

// Full detector. `mask` may be null; otherwise it must have gray's shape.
std::vector<Blob> detect_blobs(ConstView<float> gray, const ConstView<std::uint8_t>* mask,
                               const BlobParams& params, int threads);

// The scale space the detector builds, kept: blurs[k] = L_k (k = 0..K-1) and
// layers[i] = D_i of the dark polarity (i = 0..K-2), each of gray's shape, computed
// exactly as detect_blobs computes them (so detect_blobs_in_layers on them finds the
// same blobs). Costs K + (K - 1) W*H outputs instead of detect_blobs' five buffers.
// With a `support` mask (gray's shape), the outputs are computed only where they
// are needed to be exact within `margin` (>= 0) pixels (Chebyshev distance) of its
// nonzero samples: the layers there, and each blur where the next steps read it;
// the other samples are set to 0. With a mask, detect_blobs restricts its
// scale space the same way (to one pixel around the mask), and both detectors
// search only the mask's runs: the blobs found are the same.
// Returns whether every layer sample within `margin` of the support (every sample
// without one) is finite, tested as the layers are written (rows still in cache):
// detect_blobs_in_layers on them with a mask within margin - 1 of the support may
// then skip its own test.
bool blob_scale_space(ConstView<float> gray, const std::vector<double>& sigmas, double truncate,
                      const std::vector<MutView<float>>& blurs,
                      const std::vector<MutView<float>>& layers, int threads,
                      const ConstView<std::uint8_t>* support = nullptr, std::int64_t margin = 0);

// The detector on given dark-polarity layers D_0..D_{K-2} (blob_scale_space's, or
// any leading subset of them with the matching leading sigmas): params.polarity
// picks dark (D) or bright (-D) blobs; params.truncate is unused. Identical to
// detect_blobs on the image the layers came from. The samples the search reads
// (within one pixel of the mask, every sample without one) must be finite; they
// are tested unless `check_finite` is false (the caller knows it, e.g. from
// blob_scale_space's result).
std::vector<Blob> detect_blobs_in_layers(const std::vector<ConstView<float>>& layers,
                                         const ConstView<std::uint8_t>* mask,
                                         const BlobParams& params, int threads,
                                         bool check_finite = true);

// Fraction of the smaller disk's area covered by the intersection of two disks.
double disk_overlap(double x1, double y1, double r1, double x2, double y2, double r2);

}  // namespace skincore
