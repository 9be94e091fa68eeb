// Chromophore separation: per-pixel melanin and haemoglobin maps from sRGB.
//
// Method (a fixed-vector form of Tsumura et al., "Image-based skin color and
// texture analysis/synthesis by extracting hemoglobin and melanin information in
// the skin", ACM TOG 22(3), SIGGRAPH 2003):
//   * optical density per channel d_c = -log10(max(lin_c, lin(1/255))), lin_c the
//     sRGB EOTF of the 8-bit value (IEC 61966-2-1), so a black channel does not
//     give an infinite density;
//   * d = c_mel * s_mel + c_hb * s_hb + shading * (1, 1, 1): shading (a change of
//     illumination intensity) adds the same density to every channel, so solving
//     this 3x3 system for (c_mel, c_hb, shading) removes it;
//   * s_mel, s_hb: fixed density vectors of the two chromophores at the dominant
//     wavelengths of the sRGB primaries (R 612 nm, G 549 nm, B 464 nm):
//       melanin: mu_a proportional to lambda^-3.33 (Jacques, "Optical properties
//         of biological tissues: a review", Phys. Med. Biol. 58 (2013) R37):
//         (612^-3.33, 549^-3.33, 464^-3.33) / 549^-3.33 = (0.696, 1, 1.751);
//       haemoglobin: molar extinction of 75 % oxygenated blood from Prahl's
//         compilation (omlc.org/spectra/hemoglobin), relative to 549 nm:
//         (0.08, 1, 0.62) (approximate: read at the three wavelengths).
// The outputs are concentrations in density units (log10) along each vector; a
// neutral grey gives 0 and 0, typical light skin about 0.27 melanin and 0.19
// haemoglobin. They are relative measures for comparing pixels of one photo
// (white balance and camera response shift them), not absolute concentrations.
#pragma once

#include <cstdint>

#include "skincore/image_view.hpp"

namespace skincore::chromophore {

constexpr double kMelaninVector[3] = {0.696, 1.0, 1.751};
constexpr double kHemoglobinVector[3] = {0.08, 1.0, 0.62};

// Rows of the inverse of [s_mel | s_hb | (1,1,1)]: melanin, haemoglobin, shading.
void unmixing_matrix(double out[3][3]);

// Optical density of each 8-bit value (the table used by the kernel, in double).
double optical_density(int v);

// rgb: uint8, 3 channels. melanin, hemoglobin: float32, 1 channel, same H x W.
void chromophore_maps(ConstView<std::uint8_t> rgb, MutView<float> melanin, MutView<float> hemoglobin,
                      int threads);

}  // namespace skincore::chromophore
