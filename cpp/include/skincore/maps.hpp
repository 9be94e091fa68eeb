// Map kernels: the enhanced black-and-white image (pores and blackheads made
// visible) with the AILabTools Pro coordinate mapping x_e = (x - left) * ratio,
// y_e = (y - top) * ratio.
//
// enhanced_bw, for a box (left, top, width, height) inside the image (original pixels)
// and a ratio r, into an output of (out_h, out_w) pixels:
//  1. grey of the region R = [floor(left), min(W, ceil(left + width) + 1)) x (same for
//     rows): 0.299 R + 0.587 G + 0.114 B over 255 for RGB uint8, v / 255 for grey uint8,
//     v for grey float32;
//  2. when r < 1, anti-aliasing: Gaussian blur of R with sigma = (1/r - 1) / 2;
//  3. output pixel (i, j) is the bilinear sample of R at the original point
//     (left + j / r, top + i / r) (coordinates clamped to R), so a point (x, y) of the
//     original lands exactly at ((x - left) r, (y - top) r);
//  4. local contrast: hp = S - G_sigma(S), z = hp / sqrt(G_sigma(hp^2) + eps^2),
//     out = clamp(floor(128 + gain * z + 0.5), 0, 255). sigma is in output pixels.
// Flat input gives 128 everywhere; dark dots go to 0 and bright ones to 255.
// All Gaussian blurs are skincore::gaussian_blur (reflect-101, truncate 4).
// Deterministic for any thread count.
#pragma once

#include <cstdint>

#include "skincore/image_view.hpp"

namespace skincore {

struct EnhancedBWParams {
    double left = 0.0, top = 0.0, width = 0.0, height = 0.0;  // box, original pixels
    double ratio = 1.0;                                        // (0, kMaxEnhanceRatio]
    double sigma = 8.0;                                        // > 0, output pixels
    double gain = 40.0;                                        // finite, >= 0
    double eps = 0.02;                                         // > 0, intensity units
};

constexpr double kMaxEnhanceRatio = 16.0;

// Throws std::invalid_argument (message starts with the parameter name) when the box is
// not inside a width x height image or a parameter is out of range.
void validate_enhanced_bw(const EnhancedBWParams& p, std::int64_t image_width,
                          std::int64_t image_height);

// `image` has channels 1 or 3 (uint8) or 1 (float32); `out` is (out_h, out_w).
void enhanced_bw(ConstView<std::uint8_t> image, const EnhancedBWParams& p,
                 MutView<std::uint8_t> out, int threads);
void enhanced_bw(ConstView<float> image, const EnhancedBWParams& p, MutView<std::uint8_t> out,
                 int threads);

}  // namespace skincore
