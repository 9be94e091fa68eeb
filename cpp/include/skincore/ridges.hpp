// Ridge kernels: multi-scale Hessian (Frangi) filtering and ridge tracing into
// polylines (wrinkles).
//
// Coordinates: x to the right (columns), y down (rows). An orientation angle theta
// is the direction (cos theta, sin theta) in those coordinates, wrapped to
// [-pi/2, pi/2): 0 = horizontal, +pi/4 = going down-right.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "skincore/image_view.hpp"

namespace skincore {

constexpr std::size_t kMaxFrangiScales = 64;
constexpr double kMaxFrangiSigma = 256.0;

struct FrangiParams {
    bool black_ridges = true;
    double beta = 0.5;
    double gamma = 0.0;     // <= 0: automatic (half the max Hessian norm at the first scale)
    bool normalize = true;  // multiply the Hessian by sigma^2
    // > 0: multiply V by exp(-Rg^2 / 2 edge_beta^2), Rg = sigma |grad B . n| / (sigma^2 l2)
    // (n: unit eigenvector of l2, i.e. across the ridge),
    // which suppresses the flanks of edges and of opposite-polarity lines (a
    // ridge centre has no gradient). 0: off (plain Frangi, as scikit-image).
    double edge_beta = 0.0;
    // > 0: responses below response_floor are not needed (e.g. a tracer's `low`
    // threshold): where the bound V <= S^2 / 2 gamma^2 shows V < floor, V is
    // written as 0 without its exponentials, and the orientation (an atan2) is
    // computed only where response >= floor (0 elsewhere). Responses >= floor,
    // their scale and orientation, strength and strength_scale are exact.
    float response_floor = 0.0f;
};

// Multi-scale Frangi vesselness (2-D). Per scale: B = gaussian_blur(src, sigma)
// (truncate 4, reflect-101), Hessian by central differences of B (times sigma^2
// if normalize), eigenvalues sorted by |lambda|, V = exp(-Rb^2 / 2beta^2) *
// (1 - exp(-S^2 / 2gamma^2)) with Rb = |l1| / max(l2, 1e-10), S^2 = l1^2 + l2^2
// (l2 > 0 is a dark ridge; bright ridges flip the sign of the Hessian).
// Outputs (all H x W, caller-owned): response = max over scales; scale = sigma of
// the max (0 where response == 0; may be null: not computed); orientation = ridge
// direction at that scale (its arctangent a polynomial, within 2e-7 rad of 0.5 atan2);
// strength = the largest l2 > 0 over the scales
// (curvature across the ridge, scale-normalised if normalize; may be null);
// strength_scale = the sigma of that maximum (may be null; without strength the
// maximum is kept in a row buffer). A null output is neither computed nor written,
// and leaves every other output's values unchanged.
// For a bar of width w the sigma^2-normalised l2 peaks at sigma = w / 2. mask (may be empty): outside, every output is 0,
// and the automatic gamma only looks inside. Deterministic for any thread count.
void frangi(ConstView<float> src, const std::vector<double>& sigmas, const FrangiParams& p,
            ConstView<std::uint8_t> mask, MutView<float> response, MutView<float> scale,
            MutView<float> orientation, MutView<float> strength, MutView<float> strength_scale,
            int threads);

// Whether frangi runs its AVX2 instance (bit-identical to the generic one) on this
// CPU; SKINCORE_DISABLE_SIMD=1 or set_simd_enabled(false) turn it off.
bool frangi_uses_avx2();

// Hysteresis (pixels >= low, 8-connected to a pixel >= high, inside mask) and,
// if thin, Guo-Hall thinning to a one-pixel skeleton. out is 0/1.
void hysteresis_skeleton(ConstView<float> response, ConstView<std::uint8_t> mask, float low,
                         float high, bool thin, MutView<std::uint8_t> out, int threads);

// Gap linking bounds: each free end keeps at most kMaxLinkCandidates nearest
// valid partners within max_gap (below that the rule is exact), and a search
// stops after the ring of cells in which it has met kMaxLinkScan ends.
constexpr std::size_t kMaxLinkCandidates = 8;
constexpr std::size_t kMaxLinkScan = 128;

struct TraceParams {
    float low = 0.f;
    float high = 0.f;
    double min_length = 10.0;   // px; shorter polylines are dropped
    double max_gap = 3.0;       // px; ends closer than this may be linked
    double max_angle_deg = 45;  // link only ends whose directions agree within this
    double spur_length = 10.0;  // px; branches from a junction to a free end shorter than this are pruned
    int smooth = 2;             // half-window of the moving average on the points
};

struct TraceResult {
    // Polyline i has points [offsets[i], offsets[i+1]) of xy (x, y interleaved).
    std::vector<std::int64_t> offsets;
    std::vector<float> xy;
    // Per polyline, kStats values: length, mean_depth, max_depth, mean_width,
    // orientation, closed (0/1), pixel count.
    std::vector<double> stats;
};
constexpr int kTraceStats = 7;

// Trace ridges of `response` into polylines. scale, orientation, depth may be
// empty views: width is then NaN, orientation comes from the geometry, and
// depth is sampled from response.
TraceResult trace(ConstView<float> response, ConstView<float> scale, ConstView<float> orientation,
                  ConstView<float> depth, ConstView<std::uint8_t> mask, const TraceParams& p,
                  int threads);

}  // namespace skincore
