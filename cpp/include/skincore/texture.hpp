// Local texture: the band-pass energy of lightness over a skin mask (roughness).
//
// One fused pass over what the NumPy composition did in ten Gaussian blurs and
// some thirty full-grid array operations; every step is the same float32 IEEE
// operation in the same order, so the result equals that composition bit for bit
// (tests/reference/texture.py).
#pragma once

#include <cstdint>

#include "skincore/image_view.hpp"

namespace skincore::texture {

struct EnergyParams {
    double erode_sigma = 0.0;   // > 0: mask = face && blur(face, erode_sigma) >= 0.977
    double fine_sigma = 1.0;    // band-pass: masked blur at fine_sigma ...
    double coarse_sigma = 4.0;  // ... minus masked blur at coarse_sigma
    double window_sigma = 10.0; // window of the local RMS and of the structure tensor
    float band_clip = 0.03f;    // band values clipped to +-band_clip
    float edge_isotropy = 0.5f; // > 0: energy *= sqrt(min(1, isotropy / edge_isotropy))
    float min_weight = 1e-3f;   // masked blurs are 0 where blur(mask) <= min_weight
    // 1: the window blurs G_win are exact. k > 1: each masked window blur is
    // computed on a grid k times coarser (as geometry's wide_gaussian_blur):
    // area-average v m and m to (ceil(H/k), ceil(W/k)), blur both there with
    // sigma_c = sqrt((window_sigma / s)^2 - 1/4) (s = sqrt((W/w)(H/h)), the actual
    // scale), divide where the blurred m > min_weight (else 0), resample bilinearly
    // (pixel-centre aligned) to H x W. k is capped to max(1, min(H, W) / 2).
    std::int64_t window_factor = 1;
};

// Texture energy E of `gray` over the skin `face` (nonzero inside), written into
// `energy` (caller-owned, same shape; 0 outside the eroded mask m):
//   m      = face > 0, eroded: m &= blur(m, erode_sigma) >= 0.977 (if erode_sigma > 0)
//   G_s(v) = blur(v * m, s) / blur(m, s) where blur(m, s) > min_weight, else 0
//   band   = clip(G_fine(gray) - G_coarse(gray), -band_clip, band_clip)
//   E      = sqrt(max(G_win(band^2), 0))
//   (gx, gy) = central differences of band (one-sided at the borders, as numpy.gradient)
//   J = G_win of gx^2, gy^2, gx gy; iso = (tr - sqrt((jxx - jyy)^2 + 4 jxy^2)) / tr
//       (0 where tr <= 1e-12), clipped to [0, 1]
//   E     *= sqrt(min(iso / edge_isotropy, 1))   (if edge_isotropy > 0)
//   E     *= m
// Blurs: skincore::gaussian_blur (truncate 4, reflect-101); the window blurs on a
// coarser grid when p.window_factor > 1 (see EnergyParams). Returns false (energy
// all 0) when m is empty. Deterministic for any thread count.
bool energy(ConstView<float> gray, ConstView<std::uint8_t> face, const EnergyParams& p, MutView<float> energy,
            int threads);

// dst = geometry's bilinear resize of src to dst's size (pixel-centre aligned, the
// same float operations in the same order, so equal values) where mask != 0, and 0
// elsewhere: the energy of a coarser grid brought onto the mask's grid in one pass,
// computed only between the first and last mask pixel of each row. mask has dst's
// shape; src must not be empty unless dst is.
void upsample_on(ConstView<float> src, ConstView<std::uint8_t> mask, MutView<float> dst, int threads);

// Counts and the mean excess of an energy map over a skin mask (see excess_over).
struct ExcessStats {
    std::int64_t n_skin = 0;  // skin pixels (skin != 0)
    std::int64_t n_over = 0;  // skin pixels with energy > threshold
    double excess = 0.0;      // mean over the skin of clip((energy - t) / t, 0, 1), 0 without skin
};

// over = 255 where skin != 0 and energy > float(threshold), else 0 (caller-owned,
// energy's shape). The excess of each skin pixel is computed in double,
// clip((double(e) - t) / t, 0, 1), and the values, in row-major order, are summed
// pairwise exactly as NumPy sums a contiguous float64 array (blocks of 128 in eight
// interleaved partial sums, halves split at multiples of 8), then divided by their
// count: equal to numpy.mean of those values. Deterministic for any thread count.
ExcessStats excess_over(ConstView<float> energy, ConstView<std::uint8_t> skin, double threshold,
                        MutView<std::uint8_t> over, int threads);

// Shade of each kept pixel by its energy's excess over a threshold (moisture's map):
//   level = rint(1 + 254 * clip((e - t) / t, 0, 1)) as uint8, t = float(threshold),
//           every step in float32 in this order (NumPy's float32 arithmetic with a
//           Python-float threshold), where keep != 0 and the veto cell is 0;
//   level = 0 elsewhere.
// veto (optional: data null = no veto) is a mask on a coarser grid over the same
// extent; pixel (y, x) reads its cell (vy, vx), vy = min(int((y + 0.5) * vh / H), vh - 1)
// in double (vx likewise), the nearest-cell upsampling of the veto. Returns the
// pixels whose level is nonzero. Deterministic for any thread count.
std::int64_t excess_levels(ConstView<float> energy, ConstView<std::uint8_t> keep, ConstView<std::uint8_t> veto,
                           double threshold, MutView<std::uint8_t> level, int threads);

}  // namespace skincore::texture
