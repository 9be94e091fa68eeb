// Local texture energy (see texture.hpp).
#include "skincore/texture.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "skincore/bilinear_avx2.hpp"
#include "skincore/cpu.hpp"
#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"
#include "skincore/scratch.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

namespace skincore::texture {

namespace {

// A packed W x H float image in scratch storage.
struct Grid {
    std::int64_t W = 0, H = 0;
    float* px = nullptr;
    std::size_t size() const { return static_cast<std::size_t>(W * H); }
    float* row(std::int64_t y) { return px + static_cast<std::size_t>(y * W); }
    const float* row(std::int64_t y) const { return px + static_cast<std::size_t>(y * W); }
    ConstView<float> cview() const { return {px, W, H, W, 1}; }
    MutView<float> mview() { return {px, W, H, W, 1}; }
};

// The scratch grids (about 12 full-size images) are kept per calling thread
// between calls (kept_scratch): allocating and page-faulting them anew on every
// call cost about a quarter of the kernel's time.
struct EnergyScratch;

// Per row y, [spans[2y], spans[2y+1]): the columns where a blur is needed.
using Spans = std::vector<std::int64_t>;

// The blur of src at the span columns (each value equals gaussian_blur's); dst
// is 0 elsewhere.
void blur(const Grid& src, Grid& dst, double sigma, const Spans& spans, int threads) {
    gaussian_blur_row_range(src.cview(), dst.mview(), sigma, 4.0, spans.data(), threads);
    parallel_rows(dst.H, row_grain(dst.W), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::int64_t a =
                std::min(std::max<std::int64_t>(spans[static_cast<std::size_t>(2 * y)], 0), dst.W);
            const std::int64_t b = std::max(std::min(spans[static_cast<std::size_t>(2 * y + 1)], dst.W), a);
            float* r = dst.row(y);
            std::fill(r, r + a, 0.0f);
            std::fill(r + b, r + dst.W, 0.0f);
        }
    });
}

// f(y) for every row y of an H-row grid of width W, rows split over the threads
// (elementwise steps: the same values for any thread count).
template <class F>
void each_row(std::int64_t W, std::int64_t H, int threads, F&& f) {
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) f(y);
    });
}

// Columns from the first to the last nonzero pixel of each row of m.
Spans spans_of(const Grid& m, int threads) {
    Spans s(static_cast<std::size_t>(2 * m.H), 0);
    each_row(m.W, m.H, threads, [&](std::int64_t y) {
        const float* r = m.row(y);
        std::int64_t a = 0, b = m.W;
        while (a < b && r[a] == 0.0f) ++a;
        while (b > a && r[b - 1] == 0.0f) --b;
        s[static_cast<std::size_t>(2 * y)] = a;
        s[static_cast<std::size_t>(2 * y + 1)] = b;
    });
    return s;
}

// Spans grown by one pixel in the four directions (what a central difference at
// the span's pixels reads).
Spans grow1(const Spans& s, std::int64_t W, std::int64_t H) {
    Spans g(s.size(), 0);
    for (std::int64_t y = 0; y < H; ++y) {
        std::int64_t a = W, b = 0;
        for (std::int64_t q = std::max<std::int64_t>(0, y - 1); q <= std::min(H - 1, y + 1); ++q) {
            const std::int64_t qa = s[static_cast<std::size_t>(2 * q)], qb = s[static_cast<std::size_t>(2 * q + 1)];
            if (qa >= qb) continue;
            a = std::min(a, qa - 1);
            b = std::max(b, qb + 1);
        }
        g[static_cast<std::size_t>(2 * y)] = std::max<std::int64_t>(0, a);
        g[static_cast<std::size_t>(2 * y + 1)] = std::min(W, b);
    }
    return g;
}

// n = d > mw ? n / d : 0 over a row (a division per sample: AVX2 doubles its width).
SKINCORE_AVX2_CLONES void normalise_row(float* __restrict n, const float* __restrict d, float mw,
                                        std::int64_t width) {
    for (std::int64_t x = 0; x < width; ++x) n[x] = d[x] > mw ? n[x] / d[x] : 0.0f;
}

// out = w > min_weight ? num / w : 0 (in place on num).
void normalise(Grid& num, const Grid& w, float min_weight, std::int64_t grain, int threads) {
    parallel_rows(num.H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) normalise_row(num.row(y), w.row(y), min_weight, num.W);
    });
}

// The energy with the edge-isotropy factor, one row (three square roots and two
// divisions per sample: AVX2 doubles their width; no FMA in either clone).
SKINCORE_AVX2_CLONES void isotropic_energy_row(const float* __restrict er, const float* __restrict ja,
                                               const float* __restrict jb, const float* __restrict jc,
                                               const float* __restrict mr, float ei, float* __restrict o,
                                               std::int64_t W) {
    for (std::int64_t x = 0; x < W; ++x) {
        const float e = std::sqrt(std::max(er[x], 0.0f));
        const float a = ja[x], b = jb[x], c = jc[x];
        const float tr = a + b;
        const float d = a - b;
        const float disc = std::sqrt(std::max(d * d + (4.0f * c) * c, 0.0f));
        const float q = (tr - disc) / tr;  // computed, then selected
        float i = tr > 1e-12f ? q : 0.0f;
        i = std::min(std::max(i, 0.0f), 1.0f);
        o[x] = (e * std::sqrt(std::min(i / ei, 1.0f))) * mr[x];
    }
}

// The x axis of a bilinear resize as bilinear_row reads it: the axis, and for
// the AVX2 row its starts and tap counts as int32 (two: -1 for two taps, else 0).
struct BilinearCols {
    const BilinearAxis& ax;
    std::vector<std::int32_t> xs, two;
    bool avx2 = false;
    explicit BilinearCols(const BilinearAxis& a) : ax(a) {
#if defined(__GNUC__) && defined(__x86_64__)
        static const bool cpu = __builtin_cpu_supports("avx2");
        avx2 = cpu && simd_enabled();
#endif
        if (!avx2) return;
        xs.resize(a.start.size());
        two.resize(a.start.size());
        for (std::size_t i = 0; i < a.start.size(); ++i) {
            xs[i] = static_cast<std::int32_t>(a.start[i]);
            two[i] = a.two[i] ? -1 : 0;
        }
    }
};

#if defined(__GNUC__) && defined(__x86_64__)
// bilinear_row's horizontal pass over the blocks of eight outputs from x = a on
// whose taps lie within eight samples of the block's first one (upsampling): one
// load of acc, the taps permuted out of it. Per output the scalar loop's
// operations in its order, (w0 a0 + w1 a1) / den, or (w0 a0) / den selected for a
// one-tap output; no FMA. Returns where it stopped (the first output of a block
// it could not do, or the last b % 8 ones). acc has 8 samples past those read.
__attribute__((target("avx2"))) std::int64_t bilinear_h_avx2(const float* acc, const BilinearCols& c, float den,
                                                             float* o, std::int64_t a, std::int64_t b) {
    const __m256 vden = _mm256_set1_ps(den);
    const std::int32_t* xs = c.xs.data();
    const std::int32_t* two = c.two.data();
    const float* w0 = c.ax.w0.data();
    const float* w1 = c.ax.w1.data();
    std::int64_t x = a;
    for (; x + 8 <= b; x += 8)
        if (!bilinear8_avx2(acc, xs + x, two + x, w0 + x, w1 + x, vden, o + x)) break;
    return x;
}
#endif

// Output row yy of geometry's bilinear resize at columns [a, b) (a < b) into
// o[a, b), with the same float operations in the same order as resize's: rows of
// the source are blended into acc (scratch of the source width + 8) over the input
// columns read, then the horizontal pass. row_of(i) is source row i.
template <class RowOf>
inline void bilinear_row(RowOf&& row_of, std::int64_t src_w, const BilinearCols& cols, const BilinearAxis& ay,
                         std::size_t yy, std::int64_t a, std::int64_t b, float denom, float* __restrict acc,
                         float* __restrict o) {
    const BilinearAxis& ax = cols.ax;
    const std::int64_t i0 = ax.start[static_cast<std::size_t>(a)];
    const std::int64_t i1 = std::min(ax.start[static_cast<std::size_t>(b - 1)] + 2, src_w);
    const float* __restrict s0 = row_of(ay.start[yy]);
    const float wy0 = ay.w0[yy];
    for (std::int64_t i = i0; i < i1; ++i) acc[i] = wy0 * s0[i];
    if (ay.two[yy]) {
        const float* __restrict s1 = row_of(ay.start[yy] + 1);
        const float wy1 = ay.w1[yy];
        for (std::int64_t i = i0; i < i1; ++i) acc[i] += wy1 * s1[i];
    }
    std::int64_t x = a;
#if defined(__GNUC__) && defined(__x86_64__)
    // blocks of eight, while they fit (the rest, and any block they cannot do, below)
    while (cols.avx2 && x + 8 <= b) {
        x = bilinear_h_avx2(acc, cols, denom, o, x, b);
        if (x + 8 > b) break;
        const std::int64_t e = x + 8;  // a block it could not do: scalar
        for (; x < e; ++x) {
            const float a0 = acc[ax.start[static_cast<std::size_t>(x)]];
            const std::size_t i = static_cast<std::size_t>(x);
            o[x] = ax.two[i] ? (ax.w0[i] * a0 + ax.w1[i] * acc[ax.start[i] + 1]) / denom : (ax.w0[i] * a0) / denom;
        }
    }
#endif
    // locals: a float store may alias what is captured by reference
    const float den = denom;
    const std::int64_t* __restrict xs = ax.start.data();
    const float* __restrict xw0 = ax.w0.data();
    const float* __restrict xw1 = ax.w1.data();
    const char* __restrict two = ax.two.data();
    for (; x < b; ++x) {
        const float a0 = acc[xs[x]];
        o[x] = two[x] ? (xw0[x] * a0 + xw1[x] * acc[xs[x] + 1]) / den : (xw0[x] * a0) / den;
    }
}

// Row of resize()'s float area path with at most three taps per output (its
// resize_f32_taps3): h1 = w0 a0, h2 = h1 + w1 a1, h3 = h2 + w2 a2, the one of the
// output's tap count selected, / den. a has two samples past the last one read.
SKINCORE_AVX2_CLONES void area_row3(const float* __restrict a, const std::int64_t* __restrict xs,
                                    const float* __restrict w, const std::int32_t* __restrict n, float den,
                                    float* __restrict o, std::int64_t out_w) {
    for (std::int64_t x = 0; x < out_w; ++x) {
        const float* p = a + xs[x];
        const float h1 = w[3 * x] * p[0];
        const float h2 = h1 + w[3 * x + 1] * p[1];
        const float h3 = h2 + w[3 * x + 2] * p[2];
        const std::int32_t k = n[x];
        o[x] = (k == 1 ? h1 : (k == 2 ? h2 : h3)) / den;
    }
}

// Row y's structure-tensor products of the band-pass r (rows rm above, rp below,
// clamped at the edges) times the mask row mr: gx^2 m, gy^2 m, gx gy m, with
// np.gradient's differences (one-sided divided by 1, central by 2; dy is that
// divisor for the vertical one, has_y false for a one-row image: gy = 0).
void gradient_products_row(const float* r, const float* rm, const float* rp, const float* __restrict mr,
                           bool has_y, float dy, std::int64_t W, float* __restrict ar, float* __restrict br,
                           float* __restrict cr) {
    auto put = [&](std::int64_t x, float gx) {
        const float gy = has_y ? (rp[x] - rm[x]) / dy : 0.0f;
        ar[x] = (gx * gx) * mr[x];
        br[x] = (gy * gy) * mr[x];
        cr[x] = (gx * gy) * mr[x];
    };
    if (W < 2) {
        put(0, 0.0f);
        return;
    }
    put(0, (r[1] - r[0]) / 1.0f);
    for (std::int64_t x = 1; x < W - 1; ++x) put(x, (r[x + 1] - r[x - 1]) / 2.0f);
    put(W - 1, (r[W - 1] - r[W - 2]) / 1.0f);
}

// The products the window averages, row y of each plane: m; band^2 m; and, with
// iso, gx^2 m, gy^2 m, gx gy m, where (gx, gy) = numpy.gradient(band): central
// differences / 2 inside, one-sided at the borders; gy along rows (axis 0), gx
// along columns. planes[i] holds W floats (planes[0] is m's row itself).
void window_products(const Grid& m, const Grid& band, std::int64_t y, bool iso, const float** planes,
                     float* const* rows) {
    const std::int64_t W = m.W, H = m.H;
    const float* __restrict mr = m.row(y);
    const float* __restrict r = band.row(y);
    planes[0] = mr;
    float* __restrict t = rows[0];
    for (std::int64_t x = 0; x < W; ++x) t[x] = (r[x] * r[x]) * mr[x];
    planes[1] = t;
    if (!iso) return;
    const float* rm = band.row(y > 0 ? y - 1 : y);
    const float* rp = band.row(y + 1 < H ? y + 1 : y);
    // numpy divides the one-sided differences by 1, the central ones by 2
    const float dy = (y > 0 && y + 1 < H) ? 2.0f : 1.0f;
    const bool has_y = H >= 2;
    float* __restrict ar = rows[1];
    float* __restrict br = rows[2];
    float* __restrict cr = rows[3];
    gradient_products_row(r, rm, rp, mr, has_y, dy, W, ar, br, cr);
    planes[2] = ar;
    planes[3] = br;
    planes[4] = cr;
}

// The masked window blurs on a grid k times coarser (EnergyParams::window_factor),
// then the energy: out = the E of energy()'s formula at the span columns of in_m
// (0 elsewhere, where m is 0). The values are those of the plain composition
// (each product as a full grid, resize(Area) to the coarse grid, gaussian_blur,
// divide by the blurred m where it is > min_weight, resize(Bilinear) back, then
// the energy) with the same float operations in the same order, but no full-size
// product or window is stored: the products are made a row at a time and
// area-reduced as they are made; each coarse blur is evaluated only where the
// bilinear resampling reads it; the four windows are resampled a row at a time
// straight into the energy. coarse holds 2 * (iso ? 5 : 2) coarse grids.
void coarse_energy(const Grid& m, const Grid& band, const Spans& in_m, std::int64_t k, const EnergyParams& p,
                   bool iso, float* coarse, MutView<float> out, int threads) {
    const std::int64_t W = m.W, H = m.H;
    const std::int64_t w = (W + k - 1) / k, h = (H + k - 1) / k;
    // The area average adds a variance of s^2/12 and the bilinear resampling
    // s^2/6 on average: the coarse blur makes up the rest of window_sigma^2.
    const double scale = std::sqrt((static_cast<double>(W) / static_cast<double>(w)) *
                                   (static_cast<double>(H) / static_cast<double>(h)));
    const double r = p.window_sigma / scale;
    const double sigma = std::sqrt(std::max(r * r - 0.25, 1e-6));
    const int np = iso ? 5 : 2;  // m, band^2 m[, gx^2 m, gy^2 m, gx gy m]
    const std::size_t nc = static_cast<std::size_t>(w * h);
    Grid area[5], win[5];
    for (int i = 0; i < np; ++i) {
        area[i] = Grid{w, h, coarse + static_cast<std::size_t>(i) * nc};
        win[i] = Grid{w, h, coarse + static_cast<std::size_t>(np + i) * nc};
    }

    // 1. resize(Area) of every plane, its input rows made as they are summed.
    const AreaAxis dx = area_axis(W, w), dy = area_axis(H, h);
    const float aden = static_cast<float>(dx.denom * dy.denom);
    // At most three taps per column (factors up to 2): the weights padded to three.
    bool taps3 = true;
    std::vector<float> w3(static_cast<std::size_t>(3 * w), 0.0f);
    std::vector<std::int32_t> n3(static_cast<std::size_t>(w));
    for (std::int64_t x = 0; x < w && taps3; ++x) {
        const std::size_t i = static_cast<std::size_t>(x);
        const std::int64_t j0 = dx.woff[i], nj = dx.woff[i + 1] - j0;
        taps3 = nj <= 3;
        for (std::int64_t j = 0; j < nj && taps3; ++j)
            w3[3 * i + static_cast<std::size_t>(j)] = dx.w[static_cast<std::size_t>(j0 + j)];
        n3[i] = static_cast<std::int32_t>(nj);
    }
    const std::int64_t area_grain = row_grain(W * std::max<std::int64_t>(1, H / h));
    parallel_rows(h, area_grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        // two spare samples after each sum: area_row3's third tap of the last
        // columns reads past the row (computed and not selected)
        const std::int64_t stride = W + 2;
        std::vector<float> buf(static_cast<std::size_t>(2 * np * stride), 0.0f);
        float* rows[4];
        float* acc[5];
        for (int i = 0; i < 4; ++i) rows[i] = buf.data() + static_cast<std::size_t>(i * stride);
        for (int i = 0; i < np; ++i) acc[i] = buf.data() + static_cast<std::size_t>((np + i) * stride);
        const float* planes[5];
        for (std::int64_t cy = y0; cy < y1; ++cy) {
            const std::size_t c = static_cast<std::size_t>(cy);
            const std::int64_t sy = dy.start[c], k0 = dy.woff[c], nk = dy.woff[c + 1] - k0;
            for (std::int64_t j = 0; j < nk; ++j) {
                window_products(m, band, sy + j, iso, planes, rows);
                const float wk = dy.w[static_cast<std::size_t>(k0 + j)];
                for (int i = 0; i < np; ++i) {
                    const float* __restrict s = planes[i];
                    float* __restrict a = acc[i];
                    if (j == 0) {
                        for (std::int64_t x = 0; x < W; ++x) a[x] = wk * s[x];
                    } else {
                        for (std::int64_t x = 0; x < W; ++x) a[x] += wk * s[x];
                    }
                }
            }
            for (int i = 0; i < np; ++i) {
                if (taps3) {
                    area_row3(acc[i], dx.start.data(), w3.data(), n3.data(), aden, area[i].row(cy), w);
                    continue;
                }
                const std::int64_t* __restrict xs = dx.start.data();
                const std::int64_t* __restrict xo = dx.woff.data();
                const float* __restrict xw = dx.w.data();
                const float* __restrict a = acc[i];
                float* __restrict o = area[i].row(cy);
                for (std::int64_t x = 0; x < w; ++x) {
                    const float* ax = a + xs[x];
                    const std::int64_t j0 = xo[x], nj = xo[x + 1] - j0;
                    float hv = xw[j0] * ax[0];
                    for (std::int64_t j = 1; j < nj; ++j) hv += xw[j0 + j] * ax[j];
                    o[x] = hv / aden;
                }
            }
        }
    });

    // 2. The coarse samples the bilinear resampling of the span columns reads:
    // per coarse row, the union of [start(a), start(b - 1) + 2) over the fine
    // rows that read it.
    const BilinearAxis bx = bilinear_axis(w, W), by = bilinear_axis(h, H);
    Spans reads(static_cast<std::size_t>(2 * h), 0);
    for (std::int64_t cy = 0; cy < h; ++cy) reads[static_cast<std::size_t>(2 * cy)] = w;
    for (std::int64_t y = 0; y < H; ++y) {
        const std::size_t yy = static_cast<std::size_t>(y);
        const std::int64_t a = in_m[2 * yy], b = in_m[2 * yy + 1];
        if (a >= b) continue;
        const std::int64_t i0 = bx.start[static_cast<std::size_t>(a)];
        const std::int64_t i1 = std::min(bx.start[static_cast<std::size_t>(b - 1)] + 2, w);
        for (std::int64_t cy = by.start[yy]; cy <= by.start[yy] + (by.two[yy] ? 1 : 0); ++cy) {
            std::int64_t* rc = reads.data() + 2 * cy;
            rc[0] = std::min(rc[0], i0);
            rc[1] = std::max(rc[1], i1);
        }
    }

    // 3. The coarse blurs there (gaussian_blur's values), each window divided by
    // the blurred m where it is > min_weight (else 0).
    for (int i = 0; i < np; ++i)
        gaussian_blur_row_range(area[i].cview(), win[i].mview(), sigma, 4.0, reads.data(), threads);
    const float mw = p.min_weight;
    parallel_rows(h, row_grain(w), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t cy = y0; cy < y1; ++cy) {
            const std::int64_t a = reads[static_cast<std::size_t>(2 * cy)];
            const std::int64_t b = reads[static_cast<std::size_t>(2 * cy + 1)];
            if (a >= b) continue;
            for (int i = 1; i < np; ++i) normalise_row(win[i].row(cy) + a, win[0].row(cy) + a, mw, b - a);
        }
    });

    // 4. Per fine row: each window resampled at the span columns (resize's
    // bilinear values), then the energy there.
    const float bden = static_cast<float>(bx.denom * by.denom);
    const BilinearCols cols(bx);
    const float ei = p.edge_isotropy;
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> buf(static_cast<std::size_t>(4 * W + w + 8));
        float* vals[4];
        for (int i = 0; i < 4; ++i) vals[i] = buf.data() + static_cast<std::size_t>(i * W);
        float* acc = buf.data() + static_cast<std::size_t>(4 * W);
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::size_t yy = static_cast<std::size_t>(y);
            const std::int64_t a = in_m[2 * yy], b = in_m[2 * yy + 1];
            float* __restrict o = out.row(y);
            std::fill(o, o + std::min(a, W), 0.0f);
            std::fill(o + std::max(a, b), o + W, 0.0f);
            if (a >= b) continue;
            for (int i = 1; i < np; ++i)
                bilinear_row([&](std::int64_t s) { return win[i].row(s); }, w, cols, by, yy, a, b, bden, acc,
                             vals[i - 1]);
            const float* mr = m.row(y);
            if (!iso) {
                const float* __restrict er = vals[0];
                for (std::int64_t x = a; x < b; ++x) o[x] = std::sqrt(std::max(er[x], 0.0f)) * mr[x];
                continue;
            }
            isotropic_energy_row(vals[0] + a, vals[1] + a, vals[2] + a, vals[3] + a, mr + a, ei, o + a, b - a);
        }
    });
}

// NumPy's pairwise summation of a contiguous float64 array (numpy/_core/src/umath/
// loops_utils.h.src, pairwise_sum): below 8 values a plain loop; up to 128, eight
// interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then
// the rest in order; above, the two halves (split at a multiple of 8) summed apart.
double pairwise_sum(const double* a, std::int64_t n) {
    if (n < 8) {
        double res = 0.0;
        for (std::int64_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        std::int64_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    std::int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

}  // namespace

void upsample_on(ConstView<float> src, ConstView<std::uint8_t> mask, MutView<float> dst, int threads) {
    const std::int64_t W = dst.width, H = dst.height;
    if (mask.width != W || mask.height != H) throw std::invalid_argument("mask: shape does not match dst");
    if (W == 0 || H == 0) return;
    if (src.empty()) throw std::invalid_argument("src: empty input, non-empty output");
    // Per row the columns from the first to the last mask pixel.
    Spans spans(static_cast<std::size_t>(2 * H), 0);
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* r = mask.row(y);
            std::int64_t a = 0, b = W;
            while (a < b && r[a] == 0) ++a;
            while (b > a && r[b - 1] == 0) --b;
            spans[static_cast<std::size_t>(2 * y)] = a;
            spans[static_cast<std::size_t>(2 * y + 1)] = b;
        }
    });
    const BilinearAxis ax = bilinear_axis(src.width, W), ay = bilinear_axis(src.height, H);
    const float denom = static_cast<float>(ax.denom * ay.denom);
    const BilinearCols cols(ax);
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> line(static_cast<std::size_t>(src.width) + 8);
        float* __restrict acc = line.data();
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::size_t yy = static_cast<std::size_t>(y);
            const std::int64_t a = spans[2 * yy], b = spans[2 * yy + 1];
            float* __restrict o = dst.row(y);
            std::fill(o, o + a, 0.0f);
            std::fill(o + b, o + W, 0.0f);
            if (a == b) continue;
            const std::uint8_t* __restrict m = mask.row(y);
            bilinear_row([&](std::int64_t i) { return src.row(i); }, src.width, cols, ay, yy, a, b, denom, acc, o);
            for (std::int64_t x = a; x < b; ++x) o[x] = m[x] ? o[x] : 0.0f;
        }
    });
}

ExcessStats excess_over(ConstView<float> energy, ConstView<std::uint8_t> skin, double threshold,
                        MutView<std::uint8_t> over, int threads) {
    const std::int64_t W = energy.width, H = energy.height;
    if (skin.width != W || skin.height != H) throw std::invalid_argument("skin: shape does not match energy");
    if (over.width != W || over.height != H) throw std::invalid_argument("over: shape does not match energy");
    if (!(threshold > 0.0) || !std::isfinite(threshold))
        throw std::invalid_argument("threshold must be finite and > 0");
    ExcessStats st;
    if (W == 0 || H == 0) return st;
    // Skin pixels per row, then each row's excess values at their row-major place.
    std::vector<std::int64_t> start(static_cast<std::size_t>(H) + 1, 0);
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* s = skin.row(y);
            std::int64_t n = 0;
            for (std::int64_t x = 0; x < W; ++x) n += s[x] != 0;
            start[static_cast<std::size_t>(y) + 1] = n;
        }
    });
    for (std::int64_t y = 0; y < H; ++y) start[static_cast<std::size_t>(y) + 1] += start[static_cast<std::size_t>(y)];
    st.n_skin = start[static_cast<std::size_t>(H)];
    // The values in memory this thread keeps (fresh pages cost as much as the pass).
    thread_local std::vector<double> kept;
    std::vector<double> local;
    std::vector<double>& values = static_cast<std::size_t>(st.n_skin) * sizeof(double) <= kKeptScratchBytes ? kept : local;
    if (values.size() < static_cast<std::size_t>(st.n_skin)) values.resize(static_cast<std::size_t>(st.n_skin));
    const float tf = static_cast<float>(threshold);
    const std::int64_t grain = row_grain(W);
    std::vector<std::int64_t> over_n(static_cast<std::size_t>(chunk_count(H, grain)), 0);
    parallel_chunks(H, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        std::int64_t n_over = 0;
        // locals: stores through uint8_t* may alias anything captured by reference,
        // which would keep the loops below from vectorising
        const std::int64_t w = W;
        const float thr = tf;
        const double t = threshold;
        std::vector<double> row_values(static_cast<std::size_t>(w) + 1);
        double* __restrict tmp = row_values.data();
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* __restrict e = energy.row(y);
            const std::uint8_t* __restrict s = skin.row(y);
            std::uint8_t* __restrict o = over.row(y);
            // the mask above the threshold and its count (branch-free, vectorised)
            std::int32_t row_over = 0;
            for (std::int64_t x = 0; x < w; ++x) {
                const std::uint8_t hi = static_cast<std::uint8_t>((s[x] != 0) & (e[x] > thr));
                o[x] = static_cast<std::uint8_t>(0 - hi);
                row_over += hi;
            }
            n_over += row_over;
            // the skin's values in order (branch-free: every value is written, the
            // skin's are kept), then their excess in place (vectorised):
            // clip((e - t) / t, 0, 1) as numpy.clip (maximum, then minimum)
            std::int64_t k = 0;
            for (std::int64_t x = 0; x < w; ++x) {
                tmp[k] = static_cast<double>(e[x]);
                k += s[x] != 0;
            }
            double* __restrict v = values.data() + start[static_cast<std::size_t>(y)];
            for (std::int64_t i = 0; i < k; ++i) {
                const double d = (tmp[i] - t) / t;
                v[i] = std::min(std::max(d, 0.0), 1.0);
            }
        }
        over_n[static_cast<std::size_t>(c)] = n_over;
    });
    for (auto n : over_n) st.n_over += n;
    if (st.n_skin > 0) st.excess = pairwise_sum(values.data(), st.n_skin) / static_cast<double>(st.n_skin);
    return st;
}

bool energy(ConstView<float> gray, ConstView<std::uint8_t> face, const EnergyParams& p, MutView<float> out,
            int threads) {
    const std::int64_t W = gray.width, H = gray.height;
    if (face.width != W || face.height != H) throw std::invalid_argument("face: shape does not match gray");
    if (out.width != W || out.height != H) throw std::invalid_argument("energy: shape does not match gray");
    for (double s : {p.fine_sigma, p.coarse_sigma, p.window_sigma})
        if (!(s > 0.0) || !std::isfinite(s)) throw std::invalid_argument("sigmas must be finite and > 0");
    if (!(p.erode_sigma >= 0.0) || !std::isfinite(p.erode_sigma))
        throw std::invalid_argument("erode_sigma must be finite and >= 0");
    if (p.window_factor < 1) throw std::invalid_argument("window_factor must be >= 1");
    const std::int64_t grain = row_grain(W);
    auto zero_out = [&]() {
        parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) std::fill(out.row(y), out.row(y) + W, 0.0f);
        });
        return false;
    };
    if (W == 0 || H == 0) return zero_out();

    // m: the face mask as 0/1, eroded by blur-and-threshold. Every blur below is
    // evaluated only where its result is read (the face for the erosion, m for
    // the window, m grown by the gradient's reach for the band-pass); elsewhere
    // its buffer stays 0, which the masked steps multiply by m = 0.
    const bool iso = p.edge_isotropy > 0.0f;
    const std::size_t n = static_cast<std::size_t>(W) * static_cast<std::size_t>(H);
    // With window_factor k > 1 the masked window blurs run on a grid k times
    // coarser (see EnergyParams): 7 full grids and the coarse ones; else 9 or 12.
    const std::int64_t k = std::min(p.window_factor, std::max<std::int64_t>(1, std::min(W, H) / 2));
    const std::size_t nc = static_cast<std::size_t>(((W + k - 1) / k) * ((H + k - 1) / k));
    const std::size_t need = k > 1 ? 7 * n + 2 * (iso ? 5 : 2) * nc : (iso ? 12 : 9) * n;
    Scratch<float> local;
    float* base = kept_scratch<EnergyScratch>(need, local);
    std::size_t used = 0;
    auto grid = [&]() {
        Grid g{W, H, base + used};
        used += n;
        return g;
    };
    Grid m = grid(), t = grid();
    // The elementwise passes below run over rows split among the threads.
    each_row(W, H, threads, [&](std::int64_t y) {
        const std::uint8_t* f = face.row(y);
        float* r = m.row(y);
        for (std::int64_t x = 0; x < W; ++x) r[x] = f[x] ? 1.0f : 0.0f;
    });
    if (p.erode_sigma > 0.0) {
        blur(m, t, p.erode_sigma, spans_of(m, threads), threads);
        each_row(W, H, threads, [&](std::int64_t y) {
            float* __restrict mr = m.row(y);
            const float* __restrict tr = t.row(y);
            for (std::int64_t x = 0; x < W; ++x) mr[x] = (tr[x] >= 0.977f && mr[x] > 0.0f) ? 1.0f : 0.0f;
        });
    }
    const Spans in_m = spans_of(m, threads);
    bool any = false;  // m is empty when no row has a span
    for (std::int64_t y = 0; y < H && !any; ++y)
        any = in_m[static_cast<std::size_t>(2 * y)] < in_m[static_cast<std::size_t>(2 * y + 1)];
    if (!any) return zero_out();
    const Spans near_m = grow1(in_m, W, H);

    // Band-pass: masked blurs at the fine and the coarse scale.
    Grid gm = grid(), wf = grid(), fine = grid(), wc = grid(), band = grid();
    each_row(W, H, threads, [&](std::int64_t y) {
        const float* __restrict g = gray.row(y);
        const float* __restrict mr = m.row(y);
        float* __restrict r = gm.row(y);
        for (std::int64_t x = 0; x < W; ++x) r[x] = g[x] * mr[x];
    });
    blur(m, wf, p.fine_sigma, near_m, threads);
    blur(gm, fine, p.fine_sigma, near_m, threads);
    normalise(fine, wf, p.min_weight, grain, threads);
    blur(m, wc, p.coarse_sigma, near_m, threads);
    blur(gm, band, p.coarse_sigma, near_m, threads);
    normalise(band, wc, p.min_weight, grain, threads);
    const float lo = -p.band_clip, hi = p.band_clip;
    each_row(W, H, threads, [&](std::int64_t y) {
        const float* __restrict f = fine.row(y);
        float* __restrict b = band.row(y);
        for (std::int64_t x = 0; x < W; ++x) {
            const float d = f[x] - b[x];
            b[x] = std::min(std::max(d, lo), hi);  // numpy.clip: maximum, then minimum
        }
    });

    // Window: blur(m) once; band^2 and the structure tensor, each times m.
    if (k > 1) {
        coarse_energy(m, band, in_m, k, p, iso, base + used, out, threads);
        return true;
    }
    Grid ww = grid(), e2 = grid();
    auto window = [&](const Grid& v, Grid& dst) {
        blur(v, dst, p.window_sigma, in_m, threads);
        normalise(dst, ww, p.min_weight, grain, threads);
    };
    blur(m, ww, p.window_sigma, in_m, threads);
    each_row(W, H, threads, [&](std::int64_t y) {
        const float* __restrict b = band.row(y);
        const float* __restrict mr = m.row(y);
        float* __restrict tr = t.row(y);
        for (std::int64_t x = 0; x < W; ++x) tr[x] = (b[x] * b[x]) * mr[x];
    });
    window(t, e2);
    Grid jxx, jyy, jxy;
    if (iso) {
        jxx = grid();
        jyy = grid();
        jxy = grid();
        // numpy.gradient(band): central differences / 2 inside, one-sided at the
        // borders; gy along rows (axis 0), gx along columns. Written straight
        // into three products times m.
        Grid& a = fine;  // gx^2 m (fine is no longer needed)
        Grid& b = t;     // gy^2 m
        Grid& c = gm;    // gx gy m
        parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) {
                const float* r = band.row(y);
                const float* rm = band.row(y > 0 ? y - 1 : y);
                const float* rp = band.row(y + 1 < H ? y + 1 : y);
                // numpy divides the one-sided differences by 1, the central ones by 2
                const float dy = (y > 0 && y + 1 < H) ? 2.0f : 1.0f;
                const bool has_y = H >= 2;
                const float* __restrict mr = m.row(y);
                gradient_products_row(r, rm, rp, mr, has_y, dy, W, a.row(y), b.row(y), c.row(y));
            }
        });
        window(a, jxx);
        window(b, jyy);
        window(c, jxy);
    }
    const float ei = p.edge_isotropy;
    parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* __restrict er = e2.row(y);
            const float* __restrict mr = m.row(y);
            float* __restrict o = out.row(y);
            if (!iso) {
                for (std::int64_t x = 0; x < W; ++x) o[x] = std::sqrt(std::max(er[x], 0.0f)) * mr[x];
                continue;
            }
            isotropic_energy_row(er, jxx.row(y), jyy.row(y), jxy.row(y), mr, ei, o, W);
        }
    });
    return true;
}

std::int64_t excess_levels(ConstView<float> energy, ConstView<std::uint8_t> keep, ConstView<std::uint8_t> veto,
                           double threshold, MutView<std::uint8_t> level, int threads) {
    const std::int64_t W = energy.width, H = energy.height;
    if (keep.width != W || keep.height != H) throw std::invalid_argument("keep: shape does not match energy");
    if (level.width != W || level.height != H) throw std::invalid_argument("level: shape does not match energy");
    if (!(threshold > 0.0) || !std::isfinite(threshold))
        throw std::invalid_argument("threshold must be finite and > 0");
    const bool vetoed = veto.data != nullptr;
    if (vetoed && (W > 0 && H > 0) && veto.empty()) throw std::invalid_argument("veto: empty");
    if (W == 0 || H == 0) return 0;
    // The veto's cell of every column and row (numpy: ((arange(n) + 0.5) * m / n).astype(intp)).
    std::vector<std::int64_t> vcol, vrow;
    if (vetoed) {
        vcol.resize(static_cast<std::size_t>(W));
        vrow.resize(static_cast<std::size_t>(H));
        for (std::int64_t x = 0; x < W; ++x)
            vcol[static_cast<std::size_t>(x)] = std::min<std::int64_t>(
                static_cast<std::int64_t>((static_cast<double>(x) + 0.5) * static_cast<double>(veto.width) /
                                          static_cast<double>(W)),
                veto.width - 1);
        for (std::int64_t y = 0; y < H; ++y)
            vrow[static_cast<std::size_t>(y)] = std::min<std::int64_t>(
                static_cast<std::int64_t>((static_cast<double>(y) + 0.5) * static_cast<double>(veto.height) /
                                          static_cast<double>(H)),
                veto.height - 1);
    }
    const float t = static_cast<float>(threshold);
    const std::int64_t grain = row_grain(W);
    std::vector<std::int64_t> counts(static_cast<std::size_t>(chunk_count(H, grain)), 0);
    parallel_chunks(H, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        std::int64_t n = 0;
        const std::int64_t w = W;
        const float tt = t;
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* __restrict e = energy.row(y);
            const std::uint8_t* __restrict k = keep.row(y);
            const std::uint8_t* __restrict v = vetoed ? veto.row(vrow[static_cast<std::size_t>(y)]) : nullptr;
            std::uint8_t* __restrict o = level.row(y);
            for (std::int64_t x = 0; x < w; ++x) {
                std::uint8_t out = 0;
                if (k[x] != 0 && (v == nullptr || v[vcol[static_cast<std::size_t>(x)]] == 0)) {
                    float ex = (e[x] - tt) / tt;
                    ex = ex < 0.0f ? 0.0f : ex;  // numpy.clip: maximum, then minimum
                    ex = ex > 1.0f ? 1.0f : ex;
                    const float shade = std::nearbyint(1.0f + 254.0f * ex);
                    out = static_cast<std::uint8_t>(shade);
                    n += out != 0;
                }
                o[x] = out;
            }
        }
        counts[static_cast<std::size_t>(c)] = n;
    });
    std::int64_t total = 0;
    for (const std::int64_t n : counts) total += n;
    return total;
}

}  // namespace skincore::texture
