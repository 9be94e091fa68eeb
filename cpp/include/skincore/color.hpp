// Colour kernels: sRGB -> CIELAB, per-pixel ITA, and robust masked Lab statistics.
//
// Colorimetry (the single definition used everywhere in skincore):
//   * sRGB EOTF (IEC 61966-2-1): c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055)^2.4.
//   * linear sRGB -> XYZ with the 7-digit D65 matrix
//       0.4124564 0.3575761 0.1804375
//       0.2126729 0.7151522 0.0721750
//       0.0193339 0.1191920 0.9503041
//   * reference white = the row sums of that matrix (the exact D65 white of sRGB:
//     Xn = 0.9504700, Yn = 1.0000001, Zn = 1.0888300), so RGB white maps to
//     L* = 100, a* = b* = 0.
//   * CIE 1976 f(t) = t^(1/3) for t > 216/24389, else (24389/27 * t + 16) / 116.
#pragma once

#include <cstdint>

#include "skincore/image_view.hpp"

namespace skincore::color {

// The matrix and white above, shared with tests through the bindings.
constexpr double kSrgbToXyz[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                     {0.2126729, 0.7151522, 0.0721750},
                                     {0.0193339, 0.1191920, 0.9503041}};
constexpr double kEpsilon = 216.0 / 24389.0;
constexpr double kKappa = 24389.0 / 27.0;

// rgb: uint8, 3 channels. out: float32, 3 channels (L*, a*, b*), same H x W.
void rgb_to_lab(ConstView<std::uint8_t> rgb, MutView<float> out, int threads);
// rgb: uint8 (H, W, 3); out: float32 (H, W), 1 channel. out = L* / divisor, where
// L* is exactly rgb_to_lab's (same instance, same operations) and the division
// one IEEE float division: rgb_to_lab(rgb)[..., 0] / divisor bit for bit, at a
// fraction of the cost (no X, Z, a*, b*).
void rgb_to_lightness(ConstView<std::uint8_t> rgb, MutView<float> out, float divisor, int threads);
// Whether rgb_to_lab runs its AVX2+FMA instance (CPU support and simd_enabled()).
// Both instances do the same arithmetic; FMA contraction may change the last
// bits (within the documented tolerance, identical for every thread count).
bool rgb_to_lab_uses_avx2();

// lab: float32, 3 channels. out: float32, 1 channel, same H x W.
// ITA = atan((L* - 50) / b*) in degrees, in [-90, 90]. For b* == 0 the limit is
// used: +90 when L* > 50, -90 when L* < 50, 0 when L* == 50. Finite input gives
// finite output; a non-finite L* or b* gives NaN.
void ita_map(ConstView<float> lab, MutView<float> out, int threads);

// lab: float32, 3 channels. light, chroma: float32, 1 channel, same H x W.
// light = L*; chroma = C*ab = hypot(a*, b*), evaluated as glibc's hypotf (and so
// NumPy's np.hypot on float32): float(sqrt(double(a)^2 + double(b)^2)), exact
// squares, one rounding of the sum, of the root and of the narrowing; +inf when
// either is infinite, else NaN when either is NaN. One pass over the pixels.
void lightness_chroma(ConstView<float> lab, MutView<float> light, MutView<float> chroma,
                      int threads);

// rgb, out: uint8, 3 channels, same H x W (out may be rgb itself). luts: 3 x 256
// bytes, channel-major: out[y, x, c] = luts[256 c + rgb[y, x, c]].
void apply_channel_luts(ConstView<std::uint8_t> rgb, const std::uint8_t* luts,
                        MutView<std::uint8_t> out, int threads);

// rgb: uint8, 3 channels; mask: uint8, 1 channel, same H x W; luts as
// apply_channel_luts'. out: uint8, 3 channels, 1 x N with N the number of nonzero
// mask bytes (throws otherwise): the masked pixels in row-major order, each
// channel through its table (numpy.flatnonzero, take and the tables in one pass).
void masked_channel_luts(ConstView<std::uint8_t> rgb, ConstView<std::uint8_t> mask,
                         const std::uint8_t* luts, MutView<std::uint8_t> out, int threads);

// Histogram layout of the robust statistics (bin width 0.01).
constexpr double kBinWidth = 0.01;
constexpr std::int32_t kLBins = 10000;   // L* in [0, 100); values outside clamp to the end bins
constexpr std::int32_t kAbBins = 25600;  // a*, b* in [-128, 128); likewise clamped
constexpr double kAbOrigin = -128.0;

struct LabStats {
    std::int64_t n_mask = 0;       // pixels with mask != 0
    std::int64_t n_invalid = 0;    // masked pixels with a non-finite L*, a* or b*
    std::int64_t n_shadow = 0;     // masked valid pixels excluded as too dark
    std::int64_t n_highlight = 0;  // masked valid pixels excluded as too bright
    std::int64_t n_used = 0;       // pixels the statistics are computed over
    double L_median_all = 0, L_mad_all = 0;  // median and MAD of L* over masked valid pixels
    double L_low = 0, L_high = 0;  // kept L* range: [L_low, L_high) in histogram bins
    double mean[3] = {0, 0, 0};
    double median[3] = {0, 0, 0};
    double std[3] = {0, 0, 0};     // population standard deviation (ddof = 0)
};

// Robust masked statistics; see the Python docstring of skincore.color.lab_stats
// for the exact rule. k > 0 (may be +inf: no exclusion). Empty selections give
// n_used == 0 and NaN statistics.
LabStats lab_stats(ConstView<float> lab, ConstView<std::uint8_t> mask, double k, int threads);

}  // namespace skincore::color
