// Ridge kernels: multi-scale Hessian (Frangi) filtering and ridge tracing into
// polylines (wrinkles).
//
// Coordinates: x to the right (columns), y down (rows). An orientation angle theta
// is the direction (cos theta, sin theta) in those coordinates, wrapped to
// [-pi/2, pi/2): 0 = horizontal, +pi/4 = going down-right.
#pragma once

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
};

// Multi-scale Frangi vesselness (2-D). Per scale: B = gaussian_blur(src, sigma)
// (truncate 4, reflect-101), Hessian by central differences of B (times sigma^2
// if normalize), eigenvalues sorted by |lambda|, V = exp(-Rb^2 / 2beta^2) *
// (1 - exp(-S^2 / 2gamma^2)) with Rb = |l1| / max(l2, 1e-10), S^2 = l1^2 + l2^2
// (l2 > 0 is a dark ridge; bright ridges flip the sign of the Hessian).
// Outputs (all H x W, caller-owned): response = max over scales; scale = sigma of
// the max (0 where response == 0); orientation = ridge direction at that scale;
// strength = l2 at that scale (scale-normalised curvature across the ridge, in
// image units; may be null). mask (may be empty): outside, every output is 0,
// and the automatic gamma only looks inside. Deterministic for any thread count.
void frangi(ConstView<float> src, const std::vector<double>& sigmas, const FrangiParams& p,
            ConstView<std::uint8_t> mask, MutView<float> response, MutView<float> scale,
            MutView<float> orientation, MutView<float> strength, int threads);

// Hysteresis (pixels >= low, 8-connected to a pixel >= high, inside mask) and,
// if thin, Guo-Hall thinning to a one-pixel skeleton. out is 0/1.
void hysteresis_skeleton(ConstView<float> response, ConstView<std::uint8_t> mask, float low,
                         float high, bool thin, MutView<std::uint8_t> out, int threads);

struct TraceParams {
    float low = 0.f;
    float high = 0.f;
    double min_length = 10.0;   // px; shorter polylines are dropped
    double max_gap = 3.0;       // px; ends closer than this may be linked
    double max_angle_deg = 30;  // link only ends whose directions agree within this
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
