// Local texture energy (see texture.hpp).
#include "skincore/texture.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"

namespace skincore::texture {

namespace {

// A packed W x H float image.
struct Grid {
    std::int64_t W = 0, H = 0;
    std::vector<float> px;
    Grid(std::int64_t w, std::int64_t h) : W(w), H(h), px(static_cast<std::size_t>(w * h), 0.0f) {}
    float* row(std::int64_t y) { return px.data() + static_cast<std::size_t>(y * W); }
    const float* row(std::int64_t y) const { return px.data() + static_cast<std::size_t>(y * W); }
    ConstView<float> cview() const { return {px.data(), W, H, W, 1}; }
    MutView<float> mview() { return {px.data(), W, H, W, 1}; }
};

void blur(const Grid& src, Grid& dst, double sigma, int threads) {
    gaussian_blur(src.cview(), dst.mview(), sigma, 4.0, threads);
}

// out = w > min_weight ? num / w : 0 (in place on num).
void normalise(Grid& num, const Grid& w, float min_weight, std::int64_t grain, int threads) {
    parallel_rows(num.H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            float* n = num.row(y);
            const float* d = w.row(y);
            for (std::int64_t x = 0; x < num.W; ++x) n[x] = d[x] > min_weight ? n[x] / d[x] : 0.0f;
        }
    });
}

}  // namespace

bool energy(ConstView<float> gray, ConstView<std::uint8_t> face, const EnergyParams& p, MutView<float> out,
            int threads) {
    const std::int64_t W = gray.width, H = gray.height;
    if (face.width != W || face.height != H) throw std::invalid_argument("face: shape does not match gray");
    if (out.width != W || out.height != H) throw std::invalid_argument("energy: shape does not match gray");
    for (double s : {p.fine_sigma, p.coarse_sigma, p.window_sigma})
        if (!(s > 0.0) || !std::isfinite(s)) throw std::invalid_argument("sigmas must be finite and > 0");
    if (!(p.erode_sigma >= 0.0) || !std::isfinite(p.erode_sigma))
        throw std::invalid_argument("erode_sigma must be finite and >= 0");
    const std::int64_t grain = row_grain(W);
    parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) std::fill(out.row(y), out.row(y) + W, 0.0f);
    });
    if (W == 0 || H == 0) return false;

    // m: the face mask as 0/1, eroded by blur-and-threshold.
    Grid m(W, H), t(W, H);
    for (std::int64_t y = 0; y < H; ++y) {
        const std::uint8_t* f = face.row(y);
        float* r = m.row(y);
        for (std::int64_t x = 0; x < W; ++x) r[x] = f[x] ? 1.0f : 0.0f;
    }
    if (p.erode_sigma > 0.0) {
        blur(m, t, p.erode_sigma, threads);
        for (std::size_t i = 0; i < m.px.size(); ++i) m.px[i] = (t.px[i] >= 0.977f && m.px[i] > 0.0f) ? 1.0f : 0.0f;
    }
    if (std::none_of(m.px.begin(), m.px.end(), [](float v) { return v != 0.0f; })) return false;

    // Band-pass: masked blurs at the fine and the coarse scale.
    Grid gm(W, H), wf(W, H), fine(W, H), band(W, H);
    for (std::int64_t y = 0; y < H; ++y) {
        const float* g = gray.row(y);
        const float* mr = m.row(y);
        float* r = gm.row(y);
        for (std::int64_t x = 0; x < W; ++x) r[x] = g[x] * mr[x];
    }
    blur(m, wf, p.fine_sigma, threads);
    blur(gm, fine, p.fine_sigma, threads);
    normalise(fine, wf, p.min_weight, grain, threads);
    blur(m, wf, p.coarse_sigma, threads);
    blur(gm, band, p.coarse_sigma, threads);
    normalise(band, wf, p.min_weight, grain, threads);
    const float lo = -p.band_clip, hi = p.band_clip;
    for (std::size_t i = 0; i < band.px.size(); ++i) {
        const float d = fine.px[i] - band.px[i];
        band.px[i] = std::min(std::max(d, lo), hi);  // numpy.clip: maximum, then minimum
    }

    // Window: blur(m) once; band^2 and the structure tensor, each times m.
    Grid& ww = wf;
    blur(m, ww, p.window_sigma, threads);
    Grid& e2 = gm;
    for (std::size_t i = 0; i < band.px.size(); ++i) t.px[i] = (band.px[i] * band.px[i]) * m.px[i];
    blur(t, e2, p.window_sigma, threads);
    normalise(e2, ww, p.min_weight, grain, threads);
    const bool iso = p.edge_isotropy > 0.0f;
    Grid jxx(iso ? W : 0, iso ? H : 0), jyy(jxx.W, jxx.H), jxy(jxx.W, jxx.H);
    if (iso) {
        // numpy.gradient(band): central differences / 2 inside, one-sided at the
        // borders; gy along rows (axis 0), gx along columns. Written straight
        // into three products times m.
        Grid& a = fine;  // gx^2 m (fine is no longer needed)
        Grid& b = t;     // gy^2 m
        Grid c(W, H);    // gx gy m
        parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) {
                const float* r = band.row(y);
                const float* rm = band.row(y > 0 ? y - 1 : y);
                const float* rp = band.row(y + 1 < H ? y + 1 : y);
                const bool inner_y = y > 0 && y + 1 < H;
                const float* mr = m.row(y);
                float* ar = a.row(y);
                float* br = b.row(y);
                float* cr = c.row(y);
                for (std::int64_t x = 0; x < W; ++x) {
                    float gx, gy;
                    if (W < 2) gx = 0.0f;
                    else if (x == 0) gx = (r[1] - r[0]) / 1.0f;
                    else if (x == W - 1) gx = (r[W - 1] - r[W - 2]) / 1.0f;
                    else gx = (r[x + 1] - r[x - 1]) / 2.0f;
                    if (H < 2) gy = 0.0f;
                    else if (inner_y) gy = (rp[x] - rm[x]) / 2.0f;
                    else gy = (rp[x] - rm[x]) / 1.0f;
                    ar[x] = (gx * gx) * mr[x];
                    br[x] = (gy * gy) * mr[x];
                    cr[x] = (gx * gy) * mr[x];
                }
            }
        });
        blur(a, jxx, p.window_sigma, threads);
        blur(b, jyy, p.window_sigma, threads);
        blur(c, jxy, p.window_sigma, threads);
        normalise(jxx, ww, p.min_weight, grain, threads);
        normalise(jyy, ww, p.min_weight, grain, threads);
        normalise(jxy, ww, p.min_weight, grain, threads);
    }
    const float ei = p.edge_isotropy;
    parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* er = e2.row(y);
            const float* mr = m.row(y);
            float* o = out.row(y);
            for (std::int64_t x = 0; x < W; ++x) {
                float e = std::sqrt(std::max(er[x], 0.0f));
                if (iso) {
                    const float a = jxx.row(y)[x], b = jyy.row(y)[x], c = jxy.row(y)[x];
                    const float tr = a + b;
                    const float d = a - b;
                    const float disc = std::sqrt(std::max(d * d + (4.0f * c) * c, 0.0f));
                    float i = tr > 1e-12f ? (tr - disc) / tr : 0.0f;
                    i = std::min(std::max(i, 0.0f), 1.0f);
                    e *= std::sqrt(std::min(i / ei, 1.0f));
                }
                o[x] = e * mr[x];
            }
        }
    });
    return true;
}

}  // namespace skincore::texture
