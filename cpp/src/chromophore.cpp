// Chromophore separation (see chromophore.hpp for the method and its sources).
#include "skincore/chromophore.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "skincore/parallel.hpp"

namespace skincore::chromophore {

void unmixing_matrix(double out[3][3]) {
    // Columns: melanin, haemoglobin, shading.
    const double a[3][3] = {{kMelaninVector[0], kHemoglobinVector[0], 1.0},
                            {kMelaninVector[1], kHemoglobinVector[1], 1.0},
                            {kMelaninVector[2], kHemoglobinVector[2], 1.0}};
    const double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                       a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                       a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    // Adjugate / determinant.
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
            const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
            out[r][c] = (a[r1][c1] * a[r2][c2] - a[r1][c2] * a[r2][c1]) / det;
        }
}

double optical_density(int v) {
    const auto eotf = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    const double lin = std::max(eotf(v / 255.0), eotf(1.0 / 255.0));
    return -std::log10(lin);
}

namespace {

struct Tables {
    float od[256];
    float mel[3];
    float hb[3];
};

Tables make_tables() {
    Tables t{};
    for (int v = 0; v < 256; ++v) t.od[v] = static_cast<float>(optical_density(v));
    double m[3][3];
    unmixing_matrix(m);
    for (int c = 0; c < 3; ++c) {
        t.mel[c] = static_cast<float>(m[0][c]);
        t.hb[c] = static_cast<float>(m[1][c]);
    }
    return t;
}

const Tables& tables() {
    static const Tables t = make_tables();
    return t;
}

constexpr int kBlock = 64;

}  // namespace

void chromophore_maps(ConstView<std::uint8_t> rgb, MutView<float> melanin, MutView<float> hemoglobin,
                      int threads) {
    if (rgb.channels != 3 || melanin.channels != 1 || hemoglobin.channels != 1)
        throw std::invalid_argument("chromophore_maps: bad channels");
    if (rgb.width != melanin.width || rgb.height != melanin.height || rgb.width != hemoglobin.width ||
        rgb.height != hemoglobin.height)
        throw std::invalid_argument("chromophore_maps: shape mismatch");
    if (rgb.empty()) return;
    const Tables& tb = tables();
    parallel_rows(rgb.height, row_grain(rgb.width, 1 << 14), threads, [&](std::int64_t y0, std::int64_t y1) {
        const float m0 = tb.mel[0], m1 = tb.mel[1], m2 = tb.mel[2];
        const float h0 = tb.hb[0], h1 = tb.hb[1], h2 = tb.hb[2];
        float r[kBlock], g[kBlock], b[kBlock];
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* src = rgb.row(y);
            float* dm = melanin.row(y);
            float* dh = hemoglobin.row(y);
            for (std::int64_t x0 = 0; x0 < rgb.width; x0 += kBlock) {
                const int n = static_cast<int>(std::min<std::int64_t>(kBlock, rgb.width - x0));
                const std::uint8_t* s = src + 3 * x0;
                for (int i = 0; i < n; ++i) {
                    r[i] = tb.od[s[3 * i]];
                    g[i] = tb.od[s[3 * i + 1]];
                    b[i] = tb.od[s[3 * i + 2]];
                }
                float* pm = dm + x0;
                float* ph = dh + x0;
                for (int i = 0; i < n; ++i) {
                    pm[i] = m0 * r[i] + m1 * g[i] + m2 * b[i];
                    ph[i] = h0 * r[i] + h1 * g[i] + h2 * b[i];
                }
            }
        }
    });
}

}  // namespace skincore::chromophore
