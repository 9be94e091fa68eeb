// Geometry kernels: Gaussian blur, resize, polygon rasterisation.
#include "skincore/geometry.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "skincore/bilinear_avx2.hpp"
#include "skincore/cpu.hpp"
#include "skincore/parallel.hpp"
#include "skincore/scratch.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define SKINCORE_RESIZE_AVX2 1
#endif

namespace skincore {

namespace {

template <class A, class B>
bool views_overlap(const A& a, const B& b) {
    if (a.empty() || b.empty()) return false;
    const auto* a0 = reinterpret_cast<const unsigned char*>(a.data);
    const auto* a1 = reinterpret_cast<const unsigned char*>(
        a.data + (a.height - 1) * a.row_stride + a.width * a.channels);
    const auto* b0 = reinterpret_cast<const unsigned char*>(b.data);
    const auto* b1 = reinterpret_cast<const unsigned char*>(
        b.data + (b.height - 1) * b.row_stride + b.width * b.channels);
    return std::less<const unsigned char*>()(a0, b1) && std::less<const unsigned char*>()(b0, a1);
}

}  // namespace

bool all_finite(ConstView<float> v, int threads) {
    if (v.empty()) return true;
    const std::int64_t grain = row_grain(v.width * v.channels, 1 << 16);
    std::vector<std::uint8_t> bad(static_cast<std::size_t>(chunk_count(v.height, grain)), 0);
    parallel_chunks(v.height, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        const std::int64_t n = v.width * v.channels;
        std::uint8_t any = 0;
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* r = v.row(y);
            // x - x is 0 for finite x and NaN for NaN or +-inf: branch-free, vectorises.
            for (std::int64_t x = 0; x < n; ++x) any |= static_cast<std::uint8_t>(!(r[x] - r[x] == 0.0f));
        }
        bad[static_cast<std::size_t>(c)] = any;
    });
    for (auto b : bad)
        if (b) return false;
    return true;
}

bool all_finite_on(ConstView<float> v, const RowSpans& where, int threads) {
    if (v.empty()) return true;
    if (where.width != v.width || where.height != v.height ||
        where.start.size() != static_cast<std::size_t>(v.height) + 1)
        throw std::invalid_argument("all_finite_on: spans differ in shape from the image");
    const std::int64_t grain = row_grain(v.width * v.channels, 1 << 16);
    std::vector<std::uint8_t> bad(static_cast<std::size_t>(chunk_count(v.height, grain)), 0);
    parallel_chunks(v.height, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        std::uint8_t any = 0;
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* r = v.row(y);
            for (const Span& run : where.row(y))
                for (std::int64_t x = run.x0; x < run.x1; ++x)
                    any |= static_cast<std::uint8_t>(!(r[x] - r[x] == 0.0f));
        }
        bad[static_cast<std::size_t>(c)] = any;
    });
    for (auto b : bad)
        if (b) return false;
    return true;
}

// =============================================================== Gaussian blur

std::vector<float> gaussian_kernel(double sigma, double truncate) {
    if (!(sigma > 0.0) || !std::isfinite(sigma)) throw std::invalid_argument("sigma must be > 0");
    if (!(truncate > 0.0) || !std::isfinite(truncate))
        throw std::invalid_argument("truncate must be > 0");
    const double rr = std::floor(truncate * sigma + 0.5);
    if (rr > static_cast<double>(kMaxGaussianRadius))
        throw std::invalid_argument("sigma * truncate too large");
    const long r = static_cast<long>(rr);
    // r == 0 (truncate * sigma < 0.5, e.g. sigma = 1e-300) is the single tap 1:
    // the identity. (i / sigma)^2 rather than i^2 / sigma^2, whose denominator
    // underflows to 0 for tiny sigmas.
    if (r == 0) return {1.0f};
    std::vector<double> w(static_cast<std::size_t>(2 * r + 1));
    double sum = 0.0;
    for (long i = -r; i <= r; ++i) {
        const double u = static_cast<double>(i) / sigma;
        const double v = std::exp(-0.5 * u * u);
        w[static_cast<std::size_t>(i + r)] = v;
        sum += v;
    }
    std::vector<float> out(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) out[i] = static_cast<float>(w[i] / sum);
    return out;
}

namespace {

// o[x] = (First ? w0*c[x] : o[x]) + w1*(a0[x]+b0[x]) + ... (N pairs, left to right).
// Grouping N taps per sweep keeps the per-pixel operation order identical to the
// plain one-tap-at-a-time loop (o is stored as float between sweeps) while reading
// and writing o N times less often.
template <int N, bool First>
__attribute__((always_inline)) inline void conv_group(float* __restrict o, const float* __restrict c, float w0,
                const float* __restrict a0, const float* __restrict b0, float w1,
                const float* __restrict a1, const float* __restrict b1, float w2,
                const float* __restrict a2, const float* __restrict b2, float w3,
                const float* __restrict a3, const float* __restrict b3, float w4, long n) {
    for (long x = 0; x < n; ++x) {
        float s;
        if constexpr (First) s = w0 * c[x];
        else s = o[x];
        if constexpr (N >= 1) s += w1 * (a0[x] + b0[x]);
        if constexpr (N >= 2) s += w2 * (a1[x] + b1[x]);
        if constexpr (N >= 3) s += w3 * (a2[x] + b2[x]);
        if constexpr (N >= 4) s += w4 * (a3[x] + b3[x]);
        o[x] = s;
    }
}

template <bool First>
__attribute__((always_inline)) inline void conv_dispatch(int m, float* o, const float* c, float w0, const float* const* lo,
                   const float* const* hi, const float* w, long n) {
    // lo/hi/w are indexed from the first tap of this group; unused slots point at c.
    // (Element by element: a loop here becomes a memcpy call, which costs more
    // than a short run's convolution.)
    const float* a[4] = {m > 0 ? lo[0] : c, m > 1 ? lo[1] : c, m > 2 ? lo[2] : c,
                         m > 3 ? lo[3] : c};
    const float* b[4] = {m > 0 ? hi[0] : c, m > 1 ? hi[1] : c, m > 2 ? hi[2] : c,
                         m > 3 ? hi[3] : c};
    const float ww[4] = {m > 0 ? w[0] : 0.f, m > 1 ? w[1] : 0.f, m > 2 ? w[2] : 0.f,
                         m > 3 ? w[3] : 0.f};
    switch (m) {
        case 0:
            conv_group<0, First>(o, c, w0, a[0], b[0], ww[0], a[1], b[1], ww[1], a[2], b[2], ww[2],
                                 a[3], b[3], ww[3], n);
            break;
        case 1:
            conv_group<1, First>(o, c, w0, a[0], b[0], ww[0], a[1], b[1], ww[1], a[2], b[2], ww[2],
                                 a[3], b[3], ww[3], n);
            break;
        case 2:
            conv_group<2, First>(o, c, w0, a[0], b[0], ww[0], a[1], b[1], ww[1], a[2], b[2], ww[2],
                                 a[3], b[3], ww[3], n);
            break;
        case 3:
            conv_group<3, First>(o, c, w0, a[0], b[0], ww[0], a[1], b[1], ww[1], a[2], b[2], ww[2],
                                 a[3], b[3], ww[3], n);
            break;
        default:
            conv_group<4, First>(o, c, w0, a[0], b[0], ww[0], a[1], b[1], ww[1], a[2], b[2], ww[2],
                                 a[3], b[3], ww[3], n);
            break;
    }
}

}  // namespace

// o[x] = w[0]*c[x] + sum_{k=1..r} w[k]*(lo[k-1][x] + hi[k-1][x]), sequential in k.
SKINCORE_AVX2_CLONES void conv_line(float* o, const float* c, const float* const* lo,
                                    const float* const* hi, const float* w, long r, long n) {
    long k = 0;
    int m = static_cast<int>(std::min<long>(r, 4));
    conv_dispatch<true>(m, o, c, w[0], lo, hi, w + 1, n);
    k += m;
    while (k < r) {
        m = static_cast<int>(std::min<long>(r - k, 4));
        conv_dispatch<false>(m, o, c, 0.f, lo + k, hi + k, w + 1 + k, n);
        k += m;
    }
}

void gaussian_blur_planes(const ConstView<float>* srcs, const MutView<float>* dsts, int n, double sigma,
                          double truncate, int threads) {
    (void)gaussian_kernel(sigma, truncate);  // validates sigma and truncate
    for (int i = 0; i < n; ++i) {
        if (srcs[i].width != dsts[i].width || srcs[i].height != dsts[i].height)
            throw std::invalid_argument("gaussian_blur_planes: src and dst shapes differ");
        if (srcs[i].channels != 1 || dsts[i].channels != 1)
            throw std::invalid_argument("gaussian_blur_planes: single-channel images only");
        for (int j = 0; j < n; ++j)
            if (views_overlap(srcs[j], dsts[i]) || (j != i && views_overlap(dsts[j], dsts[i])))
                throw std::invalid_argument("gaussian_blur_planes: a dst overlaps a src or another dst");
    }
    parallel_chunks(n, 1, threads, [&](std::int64_t, std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) gaussian_blur(srcs[i], dsts[i], sigma, truncate, 1);
    });
}

void gaussian_blur(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                   int threads) {
    if (src.width != dst.width || src.height != dst.height)
        throw std::invalid_argument("gaussian_blur: src and dst shapes differ");
    if (src.channels != 1 || dst.channels != 1)
        throw std::invalid_argument("gaussian_blur: single-channel images only");
    const std::vector<float> taps = gaussian_kernel(sigma, truncate);
    if (src.empty()) return;
    const long r = static_cast<long>(taps.size() / 2);
    const float* w = taps.data() + r;  // w[0..r]
    const long W = static_cast<long>(src.width), H = static_cast<long>(src.height);

    // In place (or any overlap): blur from a packed copy of the input.
    std::vector<float> copy;
    if (views_overlap(src, dst)) {
        copy.resize(static_cast<std::size_t>(W) * static_cast<std::size_t>(H));
        for (long y = 0; y < H; ++y)
            std::memcpy(copy.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(W),
                        src.row(y), static_cast<std::size_t>(W) * sizeof(float));
        src = ConstView<float>{copy.data(), W, H, W, 1};
    }

    // Per output row: vertical pass from the source rows into a padded line, fill its
    // reflect-101 margins, horizontal pass into dst. No full-size temporary.
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> pad(static_cast<std::size_t>(W + 2 * r));
        std::vector<const float*> lo(static_cast<std::size_t>(r) + 1), hi(static_cast<std::size_t>(r) + 1);
        float* p = pad.data() + r;
        for (long y = static_cast<long>(y0); y < y1; ++y) {
            for (long k = 1; k <= r; ++k) {
                lo[static_cast<std::size_t>(k - 1)] = src.row(reflect101(y - k, H));
                hi[static_cast<std::size_t>(k - 1)] = src.row(reflect101(y + k, H));
            }
            conv_line(p, src.row(y), lo.data(), hi.data(), w, r, W);
            for (long i = 1; i <= r; ++i) {
                p[-i] = p[reflect101(-i, W)];
                p[W - 1 + i] = p[reflect101(W - 1 + i, W)];
            }
            for (long k = 1; k <= r; ++k) {
                lo[static_cast<std::size_t>(k - 1)] = p - k;
                hi[static_cast<std::size_t>(k - 1)] = p + k;
            }
            conv_line(dst.row(y), p, lo.data(), hi.data(), w, r, W);
        }
    });
}

// =================================================================== row spans

RowSpans mask_spans(ConstView<std::uint8_t> mask) {
    RowSpans out;
    out.width = mask.empty() ? 0 : mask.width;
    out.height = mask.empty() ? 0 : mask.height;
    out.start.reserve(static_cast<std::size_t>(out.height) + 1);
    out.start.push_back(0);
    const std::int64_t w = out.width;
    for (std::int64_t y = 0; y < out.height; ++y) {
        const std::uint8_t* m = mask.row(y);
        std::int64_t x = 0;
        while (x < w) {
            // skip zeros, 8 at a time where possible
            while (x + 8 <= w) {
                std::uint64_t word;
                std::memcpy(&word, m + x, sizeof(word));
                if (word != 0) break;
                x += 8;
            }
            while (x < w && m[x] == 0) ++x;
            if (x >= w) break;
            const std::int64_t x0 = x;
            while (x < w && m[x] != 0) ++x;
            out.spans.push_back(Span{x0, x});
        }
        out.start.push_back(out.spans.size());
    }
    return out;
}

namespace {

// Append the union of two sorted run lists to out (touching or overlapping runs
// merged).
void unite_spans(SpanRow a, SpanRow b, std::vector<Span>& out) {
    const std::size_t first = out.size();
    const Span* i = a.first;
    const Span* j = b.first;
    while (i != a.last || j != b.last) {
        const Span s = (j == b.last || (i != a.last && i->x0 <= j->x0)) ? *i++ : *j++;
        if (out.size() > first && s.x0 <= out.back().x1)
            out.back().x1 = std::max(out.back().x1, s.x1);
        else
            out.push_back(s);
    }
}

SpanRow row_of(const std::vector<std::size_t>& start, const std::vector<Span>& spans,
               std::int64_t y) {
    const auto u = static_cast<std::size_t>(y);
    return {spans.data() + start[u], spans.data() + start[u + 1]};
}

}  // namespace

void zero_outside(float* row, SpanRow runs, std::int64_t width) {
    std::int64_t x = 0;
    for (const Span& run : runs) {
        if (run.x0 > x) std::memset(row + x, 0, static_cast<std::size_t>(run.x0 - x) * sizeof(float));
        x = run.x1;
    }
    if (width > x) std::memset(row + x, 0, static_cast<std::size_t>(width - x) * sizeof(float));
}

RowSpans dilate_spans(const RowSpans& s, std::int64_t r) {
    if (r < 0) throw std::invalid_argument("dilate_spans: r must be >= 0");
    const std::int64_t w = s.width, h = s.height;
    // Horizontal: each run grown by r, clipped, merged.
    RowSpans grown;
    grown.width = w;
    grown.height = h;
    grown.start.reserve(static_cast<std::size_t>(h) + 1);
    grown.spans.reserve(s.spans.size());
    grown.start.push_back(0);
    for (std::int64_t y = 0; y < h; ++y) {
        const std::size_t first = grown.spans.size();
        for (const Span& sp : s.row(y)) {
            const Span g{std::max<std::int64_t>(0, sp.x0 - r), std::min(w, sp.x1 + r)};
            if (grown.spans.size() > first && g.x0 <= grown.spans.back().x1)
                grown.spans.back().x1 = std::max(grown.spans.back().x1, g.x1);
            else
                grown.spans.push_back(g);
        }
        grown.start.push_back(grown.spans.size());
    }
    if (r == 0 || h == 0) return grown;
    // Vertical: the union over rows [y - r, y + r], from a sparse table of unions
    // over windows of 2^k rows (two overlapping windows cover any range).
    struct Level {
        std::vector<std::size_t> start;
        std::vector<Span> spans;
    };
    std::vector<Level> table;
    table.push_back(Level{std::move(grown.start), std::move(grown.spans)});
    const std::int64_t longest = std::min<std::int64_t>(2 * r + 1, h);
    for (std::int64_t len = 2; len <= longest; len *= 2) {
        const Level& prev = table.back();
        Level next;
        next.start.reserve(static_cast<std::size_t>(h - len + 2));
        next.spans.reserve(prev.spans.size());
        next.start.push_back(0);
        for (std::int64_t y = 0; y + len <= h; ++y) {
            unite_spans(row_of(prev.start, prev.spans, y),
                        row_of(prev.start, prev.spans, y + len / 2), next.spans);
            next.start.push_back(next.spans.size());
        }
        table.push_back(std::move(next));
    }
    RowSpans out;
    out.width = w;
    out.height = h;
    out.start.reserve(static_cast<std::size_t>(h) + 1);
    out.spans.reserve(table.back().spans.size() + static_cast<std::size_t>(h));
    out.start.push_back(0);
    for (std::int64_t y = 0; y < h; ++y) {
        const std::int64_t lo = std::max<std::int64_t>(0, y - r), hi = std::min(h - 1, y + r);
        const std::int64_t n = hi - lo + 1;
        std::size_t k = 0;
        while ((std::int64_t{2} << k) <= n) ++k;
        const Level& t = table[k];
        unite_spans(row_of(t.start, t.spans, lo),
                    row_of(t.start, t.spans, hi - (std::int64_t{1} << k) + 1), out.spans);
        out.start.push_back(out.spans.size());
    }
    return out;
}

void gaussian_blur_spans(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                         const RowSpans& where, int threads,
                         const std::function<void(std::int64_t)>& row_done) {
    if (src.width != dst.width || src.height != dst.height)
        throw std::invalid_argument("gaussian_blur_spans: src and dst shapes differ");
    if (src.channels != 1 || dst.channels != 1)
        throw std::invalid_argument("gaussian_blur_spans: single-channel images only");
    const std::vector<float> taps = gaussian_kernel(sigma, truncate);
    if (src.empty()) return;
    if (where.width != src.width || where.height != src.height ||
        where.start.size() != static_cast<std::size_t>(src.height) + 1)
        throw std::invalid_argument("gaussian_blur_spans: spans differ in shape from src");
    if (views_overlap(src, dst)) throw std::invalid_argument("gaussian_blur_spans: dst overlaps src");
    const long r = static_cast<long>(taps.size() / 2);
    const float* w = taps.data() + r;
    const long W = static_cast<long>(src.width), H = static_cast<long>(src.height);
    auto reflect = [](long i, long n) { return (i >= 0 && i < n) ? i : reflect101(i, n); };
    // As gaussian_blur, run by run: the vertical pass over the run grown by r (the
    // samples its horizontal pass reads), the reflect-101 margins where the run
    // reaches a border (their sources lie in that grown run, or the run covers the
    // whole row when the row is shorter than r), the horizontal pass over the run.
    // Each sample sees the same operations in the same order as in gaussian_blur.
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> pad(static_cast<std::size_t>(W + 2 * r));
        std::vector<const float*> lo(static_cast<std::size_t>(r) + 1),
            hi(static_cast<std::size_t>(r) + 1);
        float* p = pad.data() + r;
        for (long y = static_cast<long>(y0); y < y1; ++y) {
            const SpanRow runs = where.row(y);
            zero_outside(dst.row(y), runs, W);
            for (const Span& run : runs) {
                const long a = static_cast<long>(run.x0), b = static_cast<long>(run.x1);
                const long xa = std::max(0L, a - r), xb = std::min(W, b + r);
                // (row pointers computed here, not copied from a per-row table: a
                // vector copy of freshly stored pointers stalls on store forwarding)
                for (long k = 1; k <= r; ++k) {
                    lo[static_cast<std::size_t>(k - 1)] = src.row(reflect(y - k, H)) + xa;
                    hi[static_cast<std::size_t>(k - 1)] = src.row(reflect(y + k, H)) + xa;
                }
                conv_line(p + xa, src.row(y) + xa, lo.data(), hi.data(), w, r, xb - xa);
                if (a - r < 0)
                    for (long i = 1; i <= r; ++i) p[-i] = p[reflect101(-i, W)];
                if (b + r > W)
                    for (long i = 1; i <= r; ++i) p[W - 1 + i] = p[reflect101(W - 1 + i, W)];
                for (long k = 1; k <= r; ++k) {
                    lo[static_cast<std::size_t>(k - 1)] = p + a - k;
                    hi[static_cast<std::size_t>(k - 1)] = p + a + k;
                }
                conv_line(dst.row(y) + a, p + a, lo.data(), hi.data(), w, r, b - a);
            }
            if (row_done) row_done(y);
        }
    });
}

// ================================================================== max_filter

namespace {

// NaN-propagating max (numpy.maximum): a NaN in either operand wins. Two
// selects (no short-circuit) so that the loops vectorise.
inline float nan_max(float a, float b) {
    const float m = a > b ? a : b;  // b when either is NaN
    return a != a ? a : m;
}

// o[x] = max(a[x], b[x]) for x < n. The plain instance is nan_max without its
// NaN select (the same float for every pair of non-NaN operands):
// max_filter takes it when the image holds no NaN. o may be a (the same element
// is read, then written), never overlap b.
SKINCORE_AVX2_CLONES void max_line_nan(float* o, const float* a, const float* __restrict b, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) o[x] = nan_max(a[x], b[x]);
}
SKINCORE_AVX2_CLONES void max_line_plain(float* o, const float* a, const float* __restrict b, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) o[x] = a[x] > b[x] ? a[x] : b[x];
}

bool has_nan(ConstView<float> v) {
    for (std::int64_t y = 0; y < v.height; ++y) {
        const float* r = v.row(y);
        std::uint8_t any = 0;
        for (std::int64_t x = 0; x < v.width; ++x) any |= static_cast<std::uint8_t>(r[x] != r[x]);
        if (any) return true;
    }
    return false;
}

}  // namespace

// Per output row (no full-size scratch): the maximum of the source rows within
// r of it (row by row, into a line padded with r samples of -inf), then window
// maxima along the line by doubling: after the levels span = 1, 2, 4, ...
// (2 span <= n), m[i] = max(v[i .. i + span - 1]), each level written into the
// other of two lines and formed at i <= WP - 2 sp only (the samples the later
// levels and the final maxima read); the max over a window of n >= span samples
// starting at i is then max(m[i], m[i + n - span]). Each output pixel's maxima
// are taken in the same order whatever the thread count.
void max_filter(ConstView<float> src, MutView<float> dst, std::int64_t radius, int threads) {
    if (src.width != dst.width || src.height != dst.height)
        throw std::invalid_argument("max_filter: src and dst shapes differ");
    if (src.channels != 1 || dst.channels != 1)
        throw std::invalid_argument("max_filter: single-channel images only");
    if (radius < 0) throw std::invalid_argument("max_filter: radius must be >= 0");
    if (src.empty()) return;
    const std::int64_t W = src.width, H = src.height;
    const std::int64_t r = std::min<std::int64_t>(radius, std::max(W, H));
    const std::int64_t n = 2 * r + 1;
    std::int64_t span = 1;
    while (2 * span <= n) span *= 2;
    const float lowest = -std::numeric_limits<float>::infinity();
    auto line_max = has_nan(src) ? max_line_nan : max_line_plain;
    // In place (or any overlap): filter from a packed copy of the input.
    std::vector<float> copy;
    if (views_overlap(src, dst)) {
        copy.resize(static_cast<std::size_t>(W * H));
        for (std::int64_t y = 0; y < H; ++y)
            std::memcpy(copy.data() + y * W, src.row(y), static_cast<std::size_t>(W) * sizeof(float));
        src = ConstView<float>{copy.data(), W, H, W, 1};
    }
    const std::int64_t WP = W + 2 * r;
    parallel_rows(H, row_grain(W * (2 * r + 8)), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> lines(static_cast<std::size_t>(2 * WP), lowest);
        for (std::int64_t y = y0; y < y1; ++y) {
            float* m = lines.data();
            float* o = lines.data() + WP;
            std::fill(m, m + r, lowest);
            std::fill(m + r + W, m + WP, lowest);
            const std::int64_t a = std::max<std::int64_t>(0, y - r), b = std::min(H - 1, y + r);
            std::memcpy(m + r, src.row(a), static_cast<std::size_t>(W) * sizeof(float));
            for (std::int64_t k = a + 1; k <= b; ++k) line_max(m + r, m + r, src.row(k), W);
            for (std::int64_t sp = 1; sp < span; sp *= 2) {
                line_max(o, m, m + sp, WP - 2 * sp + 1);
                std::swap(m, o);
            }
            line_max(dst.row(y), m, m + (n - span), W);
        }
    });
}

void gaussian_blur_row(ConstView<float> src, const float* w, long r, long y, long a, long b, float* pad,
                       const float** lo, const float** hi, float* out) {
    const long W = static_cast<long>(src.width), H = static_cast<long>(src.height);
    a = std::max(0L, a);
    b = std::min(W, b);
    if (a >= b) return;
    // As gaussian_blur's row: the vertical pass on the columns the horizontal pass
    // reads ([a - r, b + r) inside the image; a reflected margin sample is a copy of
    // one of those), then the horizontal pass on [a, b).
    float* p = pad + r;
    const long va = std::max(0L, a - r), vb = std::min(W, b + r);
    for (long k = 1; k <= r; ++k) {
        lo[k - 1] = src.row(reflect101(y - k, H)) + va;
        hi[k - 1] = src.row(reflect101(y + k, H)) + va;
    }
    conv_line(p + va, src.row(y) + va, lo, hi, w, r, vb - va);
    for (long i = 1; i <= r; ++i) {
        if (-i >= a - r) p[-i] = p[reflect101(-i, W)];
        if (W - 1 + i < b + r) p[W - 1 + i] = p[reflect101(W - 1 + i, W)];
    }
    for (long k = 1; k <= r; ++k) {
        lo[k - 1] = p + a - k;
        hi[k - 1] = p + a + k;
    }
    conv_line(out + a, p + a, lo, hi, w, r, b - a);
}

void gaussian_blur_row_range(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                         const std::int64_t* spans, int threads) {
    if (src.width != dst.width || src.height != dst.height)
        throw std::invalid_argument("gaussian_blur_row_range: src and dst shapes differ");
    if (src.channels != 1 || dst.channels != 1)
        throw std::invalid_argument("gaussian_blur_row_range: single-channel images only");
    if (views_overlap(src, dst)) throw std::invalid_argument("gaussian_blur_row_range: dst overlaps src");
    const std::vector<float> taps = gaussian_kernel(sigma, truncate);
    if (src.empty()) return;
    const long r = static_cast<long>(taps.size() / 2);
    const float* w = taps.data() + r;
    const long W = static_cast<long>(src.width), H = static_cast<long>(src.height);
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> pad(static_cast<std::size_t>(W + 2 * r));
        std::vector<const float*> lo(static_cast<std::size_t>(r) + 1), hi(static_cast<std::size_t>(r) + 1);
        for (long y = static_cast<long>(y0); y < y1; ++y)
            gaussian_blur_row(src, w, r, y, static_cast<long>(spans[2 * y]), static_cast<long>(spans[2 * y + 1]),
                              pad.data(), lo.data(), hi.data(), dst.row(y));
    });
}

namespace {

// Whether the 8 samples of a 0/1 plane at p are all +0 (their bits are zero).
inline bool zero8(const float* p) {
    std::uint64_t w[4];
    std::memcpy(w, p, sizeof w);
    return (w[0] | w[1] | w[2] | w[3]) == 0;
}

// Narrows each row's range [ext[2y], ext[2y + 1]) of a 0/1 plane to its set pixels
// (W, 0 when it holds none); the plane is 0 outside the ranges given. (The plane
// holds +0.0f and 1.0f only: a zero sample is a zero bit pattern, so empty runs
// are skipped eight samples at a time.)
void trim_extents(const float* plane, std::int64_t W, std::int64_t H, std::int64_t* ext) {
    for (std::int64_t y = 0; y < H; ++y) {
        const float* row = plane + static_cast<std::size_t>(y * W);
        std::int64_t x0 = ext[2 * y], x1 = ext[2 * y + 1];
        while (x1 - x0 >= 8 && zero8(row + x0)) x0 += 8;
        while (x0 < x1 && row[x0] == 0.0f) ++x0;
        while (x1 - x0 >= 8 && zero8(row + x1 - 8)) x1 -= 8;
        while (x1 > x0 && row[x1 - 1] == 0.0f) --x1;
        ext[2 * y] = x0 < x1 ? x0 : W;
        ext[2 * y + 1] = x0 < x1 ? x1 : 0;
    }
}

// blur_threshold's per-row passes, AVX2 clones: mask bytes to 0/1 floats, the
// threshold b > t to 0/1 floats, and 0/1 floats back to bytes.
SKINCORE_AVX2_CLONES void mask_to_plane(const std::uint8_t* __restrict m, float* __restrict o, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) o[x] = m[x] ? 1.0f : 0.0f;
}
SKINCORE_AVX2_CLONES void threshold_to_plane(const float* __restrict b, float t, float* __restrict o,
                                             std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) o[x] = b[x] > t ? 1.0f : 0.0f;
}
SKINCORE_AVX2_CLONES void plane_to_mask(const float* __restrict p, std::uint8_t* __restrict o, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) o[x] = p[x] != 0.0f ? 1 : 0;
}

}  // namespace

void blur_threshold(ConstView<std::uint8_t> mask, const double* sigmas, const float* thresholds, int steps,
                    MutView<std::uint8_t> out, int threads, std::int64_t* box) {
    if (mask.width != out.width || mask.height != out.height)
        throw std::invalid_argument("blur_threshold: mask and out shapes differ");
    if (steps < 0) throw std::invalid_argument("blur_threshold: steps must be >= 0");
    for (int k = 0; k < steps; ++k) (void)gaussian_kernel(sigmas[k], 4.0);  // validates sigma
    if (box) std::fill(box, box + 4, std::int64_t{0});
    if (mask.empty()) return;
    const std::int64_t W = mask.width, H = mask.height;
    const std::size_t n = static_cast<std::size_t>(W) * static_cast<std::size_t>(H);
    // Scratch (uninitialised): a is written whole; b by each step where it is then read.
    Scratch<float> a(n), b(n);
    std::vector<std::int64_t> ext(2 * static_cast<std::size_t>(H)),
        spans(2 * static_cast<std::size_t>(H));
    // ext: each row's set pixels lie in [ext[2y], ext[2y + 1]) (W, 0 when none). Found
    // on the uint8 row eight bytes at a time (the zero margins of a zone's window are
    // most of a row's scan), then kept up to date by each step's threshold pass.
    for (std::int64_t y = 0; y < H; ++y) {
        const std::uint8_t* r = mask.row(y);
        mask_to_plane(r, a.data() + static_cast<std::size_t>(y * W), W);
        std::int64_t x0 = 0, x1 = W;
        for (std::uint64_t c = 0; x0 + 8 <= W; x0 += 8) {
            std::memcpy(&c, r + x0, 8);
            if (c != 0) break;
        }
        while (x0 < W && r[x0] == 0) ++x0;
        for (std::uint64_t c = 0; x1 - 8 >= x0; x1 -= 8) {
            std::memcpy(&c, r + x1 - 8, 8);
            if (c != 0) break;
        }
        while (x1 > x0 && r[x1 - 1] == 0) --x1;
        ext[2 * static_cast<std::size_t>(y)] = x0 < x1 ? x0 : W;
        ext[2 * static_cast<std::size_t>(y) + 1] = x0 < x1 ? x1 : 0;
    }
    const ConstView<float> av{a.data(), W, H, W, 1};
    const MutView<float> bv{b.data(), W, H, W, 1};
    for (int k = 0; k < steps; ++k) {
        const float t = thresholds[k];
        if (!(t >= 0.0f)) {  // zeros pass a negative threshold: the whole image
            gaussian_blur(av, bv, sigmas[k], 4.0, threads);
            for (std::size_t i = 0; i < n; ++i) a[i] = b[i] > t ? 1.0f : 0.0f;
            for (std::int64_t y = 0; y < H; ++y) {  // anywhere in the row
                ext[2 * static_cast<std::size_t>(y)] = 0;
                ext[2 * static_cast<std::size_t>(y) + 1] = W;
            }
            trim_extents(a.data(), W, H, ext.data());
            continue;
        }
        // The blur is exactly 0 (not above t) wherever no set pixel lies within the
        // kernel radius r in both axes (a reflected border sample is one of those
        // too), so it is evaluated only on each row's span: the extent of the set
        // pixels of rows y - r .. y + r, widened by r (gaussian_blur_row_range:
        // the same values there as the whole-image blur).
        const std::int64_t r =
            static_cast<std::int64_t>(gaussian_kernel(sigmas[k], 4.0).size() / 2);
        for (std::int64_t y = 0; y < H; ++y) {
            std::int64_t lo = W, hi = 0;
            for (std::int64_t v = std::max<std::int64_t>(0, y - r); v <= std::min(H - 1, y + r);
                 ++v) {
                lo = std::min(lo, ext[2 * static_cast<std::size_t>(v)]);
                hi = std::max(hi, ext[2 * static_cast<std::size_t>(v) + 1]);
            }
            const bool any = lo < hi;
            spans[2 * static_cast<std::size_t>(y)] = any ? std::max<std::int64_t>(0, lo - r) : 0;
            spans[2 * static_cast<std::size_t>(y) + 1] = any ? std::min(W, hi + r) : 0;
        }
        gaussian_blur_row_range(av, bv, sigmas[k], 4.0, spans.data(), threads);
        for (std::int64_t y = 0; y < H; ++y) {
            float* o = a.data() + static_cast<std::size_t>(y * W);
            const float* pb = b.data() + static_cast<std::size_t>(y * W);
            const std::int64_t x0 = spans[2 * static_cast<std::size_t>(y)],
                               x1 = spans[2 * static_cast<std::size_t>(y) + 1];
            // Only the span is written: outside it the plane is 0 already (the set
            // pixels before this step lay within ext, which the span covers).
            if (x1 > x0) threshold_to_plane(pb + x0, t, o + x0, x1 - x0);
            // the set pixels now lie within the span
            ext[2 * static_cast<std::size_t>(y)] = x0;
            ext[2 * static_cast<std::size_t>(y) + 1] = x1;
        }
        trim_extents(a.data(), W, H, ext.data());
    }
    for (std::int64_t y = 0; y < H; ++y) plane_to_mask(a.data() + static_cast<std::size_t>(y * W), out.row(y), W);
    if (box) {
        // ext holds each row's exact set extent (the mask's scan, or the last step's
        // trim_extents): the box is their union
        std::int64_t x0 = W, y0 = H, x1 = 0, y1 = 0;
        for (std::int64_t y = 0; y < H; ++y) {
            const std::int64_t a0 = ext[2 * static_cast<std::size_t>(y)], a1 = ext[2 * static_cast<std::size_t>(y) + 1];
            if (a0 >= a1) continue;
            x0 = std::min(x0, a0);
            x1 = std::max(x1, a1);
            y0 = std::min(y0, y);
            y1 = y + 1;
        }
        if (x0 < x1) {
            box[0] = x0;
            box[1] = y0;
            box[2] = x1;
            box[3] = y1;
        }
    }
}

void blur_threshold_masks(const ConstView<std::uint8_t>* masks, const MutView<std::uint8_t>* outs, int n,
                          const double* sigmas, const float* thresholds, int steps, int threads,
                          std::int64_t* boxes) {
    for (int i = 0; i < n; ++i)
        if (masks[i].width != outs[i].width || masks[i].height != outs[i].height)
            throw std::invalid_argument("blur_threshold_masks: a mask and its out differ in shape");
    for (int k = 0; k < steps; ++k) (void)gaussian_kernel(sigmas[k], 4.0);  // validates sigma
    // Largest first, so that the last masks taken are the small ones.
    std::vector<int> order(static_cast<std::size_t>(std::max(n, 0)));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return masks[a].width * masks[a].height > masks[b].width * masks[b].height;
    });
    parallel_chunks(n, 1, threads, [&](std::int64_t, std::int64_t b, std::int64_t e) {
        for (std::int64_t c = b; c < e; ++c) {
            const int i = order[static_cast<std::size_t>(c)];
            blur_threshold(masks[i], sigmas, thresholds, steps, outs[i], 1,
                           boxes ? boxes + 4 * static_cast<std::ptrdiff_t>(i) : nullptr);
        }
    });
}

// ====================================================================== resize
//
// Both methods are separable with rational weights. Per axis, every weight is an
// integer w and every output's weights sum to the same denominator D, so
// out = sum_y sum_x wy*wx*in / (Dx*Dy). With sides <= 2^20, D <= 2^21 per axis:
// the uint8 vertical sums (<= 255*2^21) are exact in float or double and the full sums (< 2^50)
// exact in double, so uint8 results are the exact mean rounded (ties up).

namespace {

struct Axis {
    std::vector<std::int64_t> start;   // first input index per output
    std::vector<std::int64_t> woff;    // offset of its weights in w (size out + 1)
    std::vector<std::uint32_t> w;      // integer weights
    std::uint64_t denom = 1;           // common sum of each output's weights
    std::int64_t max_taps = 0;
    // Same weights padded to max_taps per output with zero weights (start shifted left
    // where needed to stay inside the input): a fixed tap count for the uint8 paths,
    // where 0 * value adds exactly nothing.
    std::vector<std::int64_t> fstart;
    std::vector<std::uint32_t> fw;
};

void make_fixed(Axis& a, std::int64_t in) {
    const std::int64_t T = a.max_taps;
    const std::size_t out = a.start.size();
    a.fstart.assign(out, 0);
    a.fw.assign(out * static_cast<std::size_t>(T), 0u);
    for (std::size_t o = 0; o < out; ++o) {
        const std::int64_t s = a.start[o];
        const std::int64_t fs = std::max<std::int64_t>(0, std::min(s, in - T));
        a.fstart[o] = fs;
        for (std::int64_t j = a.woff[o]; j < a.woff[o + 1]; ++j)
            a.fw[o * static_cast<std::size_t>(T) + static_cast<std::size_t>(s - fs + j - a.woff[o])] =
                a.w[static_cast<std::size_t>(j)];
    }
}

Axis make_axis(std::int64_t in, std::int64_t out, ResizeMethod method) {
    Axis a;
    a.start.resize(static_cast<std::size_t>(out));
    a.woff.resize(static_cast<std::size_t>(out) + 1);
    const std::int64_t g = std::gcd(in, out);
    auto push = [&](std::uint64_t v) { a.w.push_back(static_cast<std::uint32_t>(v / static_cast<std::uint64_t>(g))); };
    if (method == ResizeMethod::Area) {
        // Footprint [o*in, (o+1)*in) and input pixel s = [s*out, (s+1)*out), in units of 1/out.
        a.denom = static_cast<std::uint64_t>(in / g);
        for (std::int64_t o = 0; o < out; ++o) {
            const std::int64_t f0 = o * in, f1 = (o + 1) * in;
            const std::int64_t s0 = f0 / out, s1 = (f1 + out - 1) / out;
            a.start[static_cast<std::size_t>(o)] = s0;
            a.woff[static_cast<std::size_t>(o)] = static_cast<std::int64_t>(a.w.size());
            for (std::int64_t s = s0; s < s1; ++s) {
                const std::int64_t ov = std::min(f1, (s + 1) * out) - std::max(f0, s * out);
                push(static_cast<std::uint64_t>(ov));
            }
            a.max_taps = std::max(a.max_taps, s1 - s0);
        }
    } else {
        // Sample position ((2o+1)*in - out) / (2*out), clamped to [0, in-1].
        const std::int64_t D = 2 * out;
        a.denom = static_cast<std::uint64_t>(D / g);
        for (std::int64_t o = 0; o < out; ++o) {
            const std::int64_t num = (2 * o + 1) * in - out;
            a.woff[static_cast<std::size_t>(o)] = static_cast<std::int64_t>(a.w.size());
            std::int64_t s0 = 0, rem = 0;
            if (num > 0) {
                s0 = num / D;
                rem = num % D;
            }
            if (s0 >= in - 1) {
                s0 = in - 1;
                rem = 0;
            }
            a.start[static_cast<std::size_t>(o)] = s0;
            if (rem == 0) {
                push(static_cast<std::uint64_t>(D));
                a.max_taps = std::max<std::int64_t>(a.max_taps, 1);
            } else {
                push(static_cast<std::uint64_t>(D - rem));
                push(static_cast<std::uint64_t>(rem));
                a.max_taps = 2;
            }
        }
    }
    a.woff[static_cast<std::size_t>(out)] = static_cast<std::int64_t>(a.w.size());
    return a;
}

// uint8: vertical sums are exact integers in float (when 255*Dy < 2^24) or double;
// horizontal sums exact in double (< 2^50). The rounding q = floor(h/D + 1/2) =
// floor((2h + D) / (2D)) is computed as (2h + D) * inv with inv = 1/(2D) rounded up:
// with 2h + D < 2^51 and 2D <= 2^43 that product never crosses an integer it should
// not, so the result is exact without a division per pixel.
struct U8Finish {
    double denom, inv;
    explicit U8Finish(double d) : denom(d), inv(std::nextafter(1.0 / (2.0 * d), 2.0)) {}
    std::uint8_t operator()(double h) const {
        return static_cast<std::uint8_t>(static_cast<std::int32_t>((2.0 * h + denom) * inv));
    }
};

// Same rounding entirely in float, exact when D <= 2^13 (then 2h + D < 2^22 and
// 2D <= 2^14, so the rounding error of the product stays below the distance to
// the next integer).
struct U8FinishF {
    float denom, inv;
    explicit U8FinishF(double d)
        : denom(static_cast<float>(d)), inv(std::nextafter(1.0f / static_cast<float>(2.0 * d), 2.0f)) {}
    std::uint8_t operator()(float h) const {
        return static_cast<std::uint8_t>(static_cast<std::int32_t>((2.0f * h + denom) * inv));
    }
};

struct F32Finish {
    float denom;
    explicit F32Finish(double d) : denom(static_cast<float>(d)) {}
    float operator()(float h) const { return h / denom; }
};

#ifdef SKINCORE_RESIZE_AVX2
// Rows [y0, y1) of a 3-channel uint8 resize with NT fixed taps, float vertical
// and double horizontal sums (resize_impl<uint8_t, 3, float, double, U8Finish, NT>):
// the vertical pass vectorised by the compiler for AVX2, the horizontal one with
// the three channels of an output pixel in one vector of doubles (a fourth lane
// unused). Every sum is an exact integer (see resize_dispatch) and the rounding
// is U8Finish's, operation for operation: the bytes equal the generic path's.
// `line` holds 3 * src.width + 4 floats (the last pixel's vector reads past it).
template <int NT>
__attribute__((target("avx2"))) void resize_u8c3_rows_avx2(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst,
                                                          const Axis& ax, const Axis& ay, const double* hw,
                                                          double denom, double inv, float* line,
                                                          std::int64_t y0, std::int64_t y1) {
    const std::int64_t in_n = src.width * 3;
    const std::int64_t out_w = dst.width;
    float* __restrict acc = line;
    const __m256d vd = _mm256_set1_pd(denom), vinv = _mm256_set1_pd(inv);
    for (std::int64_t y = y0; y < y1; ++y) {
        const std::int64_t sy = ay.start[static_cast<std::size_t>(y)];
        const std::int64_t k0 = ay.woff[static_cast<std::size_t>(y)];
        const std::int64_t nk = ay.woff[static_cast<std::size_t>(y) + 1] - k0;
        for (std::int64_t k = 0; k < nk; ++k) {
            const std::uint8_t* __restrict s = src.row(sy + k);
            const float wk = static_cast<float>(ay.w[static_cast<std::size_t>(k0 + k)]);
            if (k == 0) {
                for (std::int64_t i = 0; i < in_n; ++i) acc[i] = wk * static_cast<float>(s[i]);
            } else {
                for (std::int64_t i = 0; i < in_n; ++i) acc[i] += wk * static_cast<float>(s[i]);
            }
        }
        std::uint8_t* o = dst.row(y);
        const std::int64_t* fs = ax.fstart.data();
        for (std::int64_t x = 0; x < out_w; ++x) {
            const float* a = acc + fs[x] * 3;
            const double* wx = hw + x * NT;
            __m256d h = _mm256_mul_pd(_mm256_set1_pd(wx[0]), _mm256_cvtps_pd(_mm_loadu_ps(a)));
            for (int j = 1; j < NT; ++j)
                h = _mm256_add_pd(h, _mm256_mul_pd(_mm256_set1_pd(wx[j]), _mm256_cvtps_pd(_mm_loadu_ps(a + 3 * j))));
            // U8Finish: int32((2 h + denom) * inv), then the low byte
            const __m256d t = _mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(2.0), h), vd), vinv);
            __m128i q = _mm256_cvttpd_epi32(t);
            q = _mm_packus_epi32(q, q);
            q = _mm_packus_epi16(q, q);
            const std::uint32_t bytes = static_cast<std::uint32_t>(_mm_cvtsi128_si32(q));
            std::uint8_t b4[4];
            std::memcpy(b4, &bytes, 4);
            o[3 * x] = b4[0];
            o[3 * x + 1] = b4[1];
            o[3 * x + 2] = b4[2];
        }
    }
}

bool resize_u8_avx2() {
    static const bool cpu = __builtin_cpu_supports("avx2");
    return cpu && simd_enabled();
}
#endif

template <class T, int C, class VAcc, class HAcc, class Finish, int NT = 0>
void resize_impl(ConstView<T> src, MutView<T> dst, const Axis& ax, const Axis& ay, int threads) {
    const std::int64_t in_n = src.width * C;
    const std::int64_t out_w = dst.width;
    const Finish finish(static_cast<double>(ax.denom) * static_cast<double>(ay.denom));
    const std::int64_t grain = row_grain(std::max(src.width, dst.width) * C *
                                         std::max<std::int64_t>(1, ay.max_taps));
    std::vector<HAcc> hw;  // fixed-width horizontal weights in the accumulator type
    if constexpr (NT > 0) hw.assign(ax.fw.begin(), ax.fw.end());
#ifdef SKINCORE_RESIZE_AVX2
    if constexpr (std::is_same_v<T, std::uint8_t> && C == 3 && NT > 0 && std::is_same_v<VAcc, float> &&
                  std::is_same_v<HAcc, double> && std::is_same_v<Finish, U8Finish>) {
        if (resize_u8_avx2()) {
            parallel_rows(dst.height, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
                std::vector<float> line(static_cast<std::size_t>(in_n) + 4, 0.0f);
                resize_u8c3_rows_avx2<NT>(src, dst, ax, ay, hw.data(), finish.denom, finish.inv, line.data(), y0,
                                          y1);
            });
            return;
        }
    }
#endif
    parallel_rows(dst.height, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<VAcc> line(static_cast<std::size_t>(in_n));
        VAcc* __restrict acc = line.data();
        for (std::int64_t y = y0; y < y1; ++y) {
            // Vertical: weighted sum of the input rows of this output row.
            const std::int64_t sy = ay.start[static_cast<std::size_t>(y)];
            const std::int64_t k0 = ay.woff[static_cast<std::size_t>(y)];
            const std::int64_t nk = ay.woff[static_cast<std::size_t>(y) + 1] - k0;
            for (std::int64_t k = 0; k < nk; ++k) {
                const T* __restrict s = src.row(sy + k);
                const VAcc wk = static_cast<VAcc>(ay.w[static_cast<std::size_t>(k0 + k)]);
                if (k == 0) {
                    for (std::int64_t i = 0; i < in_n; ++i) acc[i] = wk * static_cast<VAcc>(s[i]);
                } else {
                    for (std::int64_t i = 0; i < in_n; ++i) acc[i] += wk * static_cast<VAcc>(s[i]);
                }
            }
            // Horizontal: weighted sum along the row, then normalise.
            T* __restrict o = dst.row(y);
            if constexpr (NT > 0) {
                // Locals: stores through T* (uint8) may alias anything, so nothing
                // read through a reference would stay in a register.
                const std::int64_t* __restrict fs = ax.fstart.data();
                const HAcc* __restrict fw = hw.data();
                const Finish fin = finish;
                const std::int64_t n = out_w;
                for (std::int64_t x = 0; x < n; ++x) {
                    const VAcc* a = acc + fs[x] * C;
                    const HAcc* wx = fw + x * NT;
                    HAcc h[C];
                    for (int c = 0; c < C; ++c) h[c] = wx[0] * static_cast<HAcc>(a[c]);
                    for (int j = 1; j < NT; ++j)
                        for (int c = 0; c < C; ++c) h[c] += wx[j] * static_cast<HAcc>(a[j * C + c]);
                    for (int c = 0; c < C; ++c) o[x * C + c] = fin(h[c]);
                }
                continue;
            }
            const std::int64_t* __restrict xs = ax.start.data();
            const std::int64_t* __restrict xo = ax.woff.data();
            const std::uint32_t* __restrict xw = ax.w.data();
            for (std::int64_t x = 0; x < out_w; ++x) {
                const VAcc* a = acc + xs[x] * C;
                const std::int64_t j0 = xo[x], nj = xo[x + 1] - j0;
                HAcc h[C];
                for (int c = 0; c < C; ++c) h[c] = static_cast<HAcc>(xw[j0]) * static_cast<HAcc>(a[c]);
                for (std::int64_t j = 1; j < nj; ++j) {
                    const HAcc wj = static_cast<HAcc>(xw[j0 + j]);
                    for (int c = 0; c < C; ++c) h[c] += wj * static_cast<HAcc>(a[j * C + c]);
                }
                for (int c = 0; c < C; ++c) o[x * C + c] = finish(h[c]);
            }
        }
    });
}

template <int C, class VAcc, class HAcc, class Finish>
void resize_u8_taps(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, const Axis& ax,
                    const Axis& ay, int threads) {
    switch (ax.max_taps) {
        case 1: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 1>(src, dst, ax, ay, threads);
        case 2: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 2>(src, dst, ax, ay, threads);
        case 3: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 3>(src, dst, ax, ay, threads);
        case 4: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 4>(src, dst, ax, ay, threads);
        case 5: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 5>(src, dst, ax, ay, threads);
        case 6: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 6>(src, dst, ax, ay, threads);
        default: return resize_impl<std::uint8_t, C, VAcc, HAcc, Finish, 0>(src, dst, ax, ay, threads);
    }
}

// Single-channel uint8 upsampling (at most two taps per output row, e.g. the
// texture grid's skin gate brought up from the colour grid): the horizontal pass
// first, once per input row (exact int32 sums: 255 * Dx < 2^31), then per output
// row the vertical blend of two such rows in double (exact: < 2^50) and the
// rounding of U8Finish, a contiguous loop that vectorises. Every sum is the same
// exact integer as resize_impl's vertical-then-horizontal one and U8Finish (like
// U8FinishF) rounds it exactly, so the bytes equal the generic path's; an input
// row is resampled once instead of once per output row that reads it.
SKINCORE_AVX2_CLONES void blend_rows_u8(const std::int32_t* h0, const std::int32_t* h1, double w0,
                                        double w1, bool two, double denom, double inv,
                                        std::uint8_t* o, std::int64_t n) {
    if (two) {
        for (std::int64_t x = 0; x < n; ++x) {
            const double h = w0 * static_cast<double>(h0[x]) + w1 * static_cast<double>(h1[x]);
            o[x] = static_cast<std::uint8_t>(static_cast<std::int32_t>((2.0 * h + denom) * inv));
        }
    } else {
        for (std::int64_t x = 0; x < n; ++x) {
            const double h = w0 * static_cast<double>(h0[x]);
            o[x] = static_cast<std::uint8_t>(static_cast<std::int32_t>((2.0 * h + denom) * inv));
        }
    }
}

template <int NT>
void hpass_u8c1(const std::uint8_t* __restrict s, const std::int64_t* __restrict fs,
                const std::int32_t* __restrict fw, std::int32_t* __restrict h, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) {
        const std::uint8_t* a = s + fs[x];
        const std::int32_t* w = fw + x * NT;
        std::int32_t acc = w[0] * static_cast<std::int32_t>(a[0]);
        for (int j = 1; j < NT; ++j) acc += w[j] * static_cast<std::int32_t>(a[j]);
        h[x] = acc;
    }
}

void resize_up_u8c1(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, const Axis& ax,
                    const Axis& ay, int threads) {
    const std::int64_t out_w = dst.width;
    const int nt = static_cast<int>(ax.max_taps);
    const U8Finish finish(static_cast<double>(ax.denom) * static_cast<double>(ay.denom));
    const std::vector<std::int32_t> fw(ax.fw.begin(), ax.fw.end());
    const std::int64_t grain = row_grain(std::max(src.width, out_w) * 2);
    parallel_rows(dst.height, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        // Two resampled input rows, slot r % 2 holding input row r (an output
        // reads rows sy and sy + 1: different slots).
        std::vector<std::int32_t> buf(static_cast<std::size_t>(2 * out_w));
        std::int64_t held[2] = {-1, -1};
        auto row = [&](std::int64_t r) -> const std::int32_t* {
            std::int32_t* h = buf.data() + (r & 1) * out_w;
            if (held[r & 1] == r) return h;
            held[r & 1] = r;
            const std::uint8_t* s = src.row(r);
            switch (nt) {
                case 1:
                    hpass_u8c1<1>(s, ax.fstart.data(), fw.data(), h, out_w);
                    break;
                case 2:
                    hpass_u8c1<2>(s, ax.fstart.data(), fw.data(), h, out_w);
                    break;
                case 3:
                    hpass_u8c1<3>(s, ax.fstart.data(), fw.data(), h, out_w);
                    break;
                case 4:
                    hpass_u8c1<4>(s, ax.fstart.data(), fw.data(), h, out_w);
                    break;
                case 5:
                    hpass_u8c1<5>(s, ax.fstart.data(), fw.data(), h, out_w);
                    break;
                default:
                    hpass_u8c1<6>(s, ax.fstart.data(), fw.data(), h, out_w);
                    break;
            }
            return h;
        };
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::size_t yy = static_cast<std::size_t>(y);
            const std::int64_t sy = ay.start[yy], k0 = ay.woff[yy];
            const bool two = ay.woff[yy + 1] - k0 == 2;
            const double w0 = static_cast<double>(ay.w[static_cast<std::size_t>(k0)]);
            const double w1 =
                two ? static_cast<double>(ay.w[static_cast<std::size_t>(k0 + 1)]) : 0.0;
            const std::int32_t* h0 = row(sy);
            const std::int32_t* h1 = two ? row(sy + 1) : h0;
            blend_rows_u8(h0, h1, w0, w1, two, finish.denom, finish.inv, dst.row(y), out_w);
        }
    });
}

template <int C>
void resize_dispatch(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, Axis& ax,
                     const Axis& ay, int threads) {
    if (ax.max_taps <= 6) make_fixed(ax, src.width);
    if (C == 1 && dst.height > src.height && ay.max_taps <= 2 && ax.max_taps <= 6)
        return resize_up_u8c1(src, dst, ax, ay, threads);
    const double D = static_cast<double>(ax.denom) * static_cast<double>(ay.denom);
    if (D <= 8192.0)
        resize_u8_taps<C, float, float, U8FinishF>(src, dst, ax, ay, threads);
    else if (255.0 * static_cast<double>(ay.denom) < 16777216.0)
        resize_u8_taps<C, float, double, U8Finish>(src, dst, ax, ay, threads);
    else
        resize_u8_taps<C, double, double, U8Finish>(src, dst, ax, ay, threads);
}

// Single-channel float with at most three horizontal taps per output (area
// reductions by factors below 2, e.g. the texture grids' 6 -> 4 px/mm and the
// window blurs' 2x coarser grid): resize_impl's arithmetic per output, case by
// case (h = w0 a0, then + w1 a1, then + w2 a2, in float, then h / D), with the
// weights converted once per call and the tap count selected without a branch
// (the generic loop's variable trip count mispredicted at every other output).
// acc = wk * s (first row) or acc += wk * s: resize_f32_taps3's vertical pass
// (AVX2 clone: the same mul and add per sample, no FMA).
SKINCORE_AVX2_CLONES void area_vpass(float* __restrict acc, const float* __restrict s, float wk, bool first,
                                     std::int64_t n) {
    if (first) {
        for (std::int64_t i = 0; i < n; ++i) acc[i] = wk * s[i];
    } else {
        for (std::int64_t i = 0; i < n; ++i) acc[i] += wk * s[i];
    }
}

#ifdef SKINCORE_RESIZE_AVX2
// resize_f32_taps3's horizontal pass eight outputs at a time where their taps
// lie within 16 samples (area reductions by up to about 1.8), from two loads and
// in-register permutes (vpgatherdd measured slower than scalar loads on the
// build machine), with the same float operations in the same order (mul, add,
// select, divide: no FMA), so the values are identical; other blocks are left
// to the scalar loop. `acc` is readable 16 samples past the row. Returns the
// columns done (a multiple of 8) and writes the skipped blocks' starts to `todo`.
// Sample i (0..15) of the 16 in lo, hi, per lane.
__attribute__((target("avx2"))) inline __m256 pick16(__m256 lo, __m256 hi, __m256i i, __m256i seven) {
    return _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, i), _mm256_permutevar8x32_ps(hi, i),
                            _mm256_castsi256_ps(_mm256_cmpgt_epi32(i, seven)));
}

__attribute__((target("avx2"))) std::int64_t area3_hpass_avx2(const float* acc, const std::int32_t* xs,
                                                               const float* w0, const float* w1,
                                                               const float* w2, const std::int32_t* xn,
                                                               float den, float* o, std::int64_t n,
                                                               std::vector<std::int64_t>& todo) {
    const __m256i seven = _mm256_set1_epi32(7), one = _mm256_set1_epi32(1), two = _mm256_set1_epi32(2);
    const __m256 vden = _mm256_set1_ps(den);
    std::int64_t x = 0;
    for (; x + 8 <= n; x += 8) {
        const std::int32_t base = xs[x];
        if (xs[x + 7] + 2 - base > 15) {  // starts ascend with x: the block reads [xs[x], xs[x + 7] + 2]
            todo.push_back(x);
            continue;
        }
        const __m256i i0 =
            _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + x)), _mm256_set1_epi32(base));
        const __m256 lo = _mm256_loadu_ps(acc + base), hi = _mm256_loadu_ps(acc + base + 8);
        const __m256 a0 = pick16(lo, hi, i0, seven);
        const __m256 a1 = pick16(lo, hi, _mm256_add_epi32(i0, one), seven);
        const __m256 a2 = pick16(lo, hi, _mm256_add_epi32(i0, two), seven);
        const __m256 h1 = _mm256_mul_ps(_mm256_loadu_ps(w0 + x), a0);
        const __m256 h2 = _mm256_add_ps(h1, _mm256_mul_ps(_mm256_loadu_ps(w1 + x), a1));
        const __m256 h3 = _mm256_add_ps(h2, _mm256_mul_ps(_mm256_loadu_ps(w2 + x), a2));
        const __m256i k = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xn + x));
        // k == 1 ? h1 : (k == 2 ? h2 : h3)
        const __m256 h = _mm256_blendv_ps(_mm256_blendv_ps(h3, h2, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, two))),
                                          h1, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, one)));
        _mm256_storeu_ps(o + x, _mm256_div_ps(h, vden));
    }
    return x;
}
#endif

void resize_f32_taps3(ConstView<float> src, MutView<float> dst, const Axis& ax, const Axis& ay,
                      int threads) {
    const std::int64_t in_w = src.width, out_w = dst.width;
    const F32Finish finish(static_cast<double>(ax.denom) * static_cast<double>(ay.denom));
    std::vector<float> xw(static_cast<std::size_t>(3 * out_w), 0.0f);
    std::vector<std::int32_t> xn(static_cast<std::size_t>(out_w));
    for (std::int64_t x = 0; x < out_w; ++x) {
        const std::size_t i = static_cast<std::size_t>(x);
        const std::int64_t j0 = ax.woff[i], nj = ax.woff[i + 1] - j0;
        for (std::int64_t j = 0; j < nj; ++j)
            xw[3 * i + static_cast<std::size_t>(j)] = static_cast<float>(ax.w[static_cast<std::size_t>(j0 + j)]);
        xn[i] = static_cast<std::int32_t>(nj);
    }
    const std::int64_t grain = row_grain(std::max(in_w, out_w) * std::max<std::int64_t>(1, ay.max_taps));
#ifdef SKINCORE_RESIZE_AVX2
    const bool simd = resize_u8_avx2() && in_w <= (std::int64_t{1} << 30);
    std::vector<std::int32_t> xs32;
    std::vector<float> xw0, xw1, xw2;
    if (simd) {
        xs32.assign(ax.start.begin(), ax.start.end());
        for (std::int64_t x = 0; x < out_w; ++x) {
            xw0.push_back(xw[static_cast<std::size_t>(3 * x)]);
            xw1.push_back(xw[static_cast<std::size_t>(3 * x + 1)]);
            xw2.push_back(xw[static_cast<std::size_t>(3 * x + 2)]);
        }
    }
#endif
    parallel_rows(dst.height, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        // spare samples: the third tap of the last outputs reads past the row
        // (its value is computed and not selected), and area3_hpass_avx2 reads up
        // to 16 samples from a block's first tap
        std::vector<float> line(static_cast<std::size_t>(in_w) + 16, 0.0f);
#ifdef SKINCORE_RESIZE_AVX2
        std::vector<std::int64_t> todo;
#endif
        float* __restrict acc = line.data();
        const std::int64_t* __restrict xs = ax.start.data();
        const float* __restrict w = xw.data();
        const std::int32_t* __restrict n = xn.data();
        const float den = finish.denom;
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::int64_t sy = ay.start[static_cast<std::size_t>(y)];
            const std::int64_t k0 = ay.woff[static_cast<std::size_t>(y)];
            const std::int64_t nk = ay.woff[static_cast<std::size_t>(y) + 1] - k0;
            for (std::int64_t k = 0; k < nk; ++k)
                area_vpass(acc, src.row(sy + k), static_cast<float>(ay.w[static_cast<std::size_t>(k0 + k)]), k == 0,
                           in_w);
            float* __restrict o = dst.row(y);
            auto outputs = [&](std::int64_t xa, std::int64_t xb) {
                for (std::int64_t x = xa; x < xb; ++x) {
                    const float* a = acc + xs[x];
                    const float h1 = w[3 * x] * a[0];
                    const float h2 = h1 + w[3 * x + 1] * a[1];
                    const float h3 = h2 + w[3 * x + 2] * a[2];
                    const std::int32_t k = n[x];
                    const float h = k == 1 ? h1 : (k == 2 ? h2 : h3);
                    o[x] = h / den;
                }
            };
            std::int64_t x = 0;
#ifdef SKINCORE_RESIZE_AVX2
            if (simd) {
                todo.clear();
                x = area3_hpass_avx2(acc, xs32.data(), xw0.data(), xw1.data(), xw2.data(), n, den, o, out_w, todo);
                for (std::int64_t b : todo) outputs(b, b + 8);
            }
#endif
            outputs(x, out_w);
        }
    });
}

template <int C>
void resize_dispatch(ConstView<float> src, MutView<float> dst, Axis& ax, const Axis& ay,
                     int threads) {
    if constexpr (C == 1) {
        if (ax.max_taps <= 3) return resize_f32_taps3(src, dst, ax, ay, threads);
    }
    resize_impl<float, C, float, float, F32Finish>(src, dst, ax, ay, threads);
}

// Area reduction of uint8 by integer factors (kx, ky) on both axes: every output is
// the plain mean of a kx x ky block. Block sums are exact integers (uint16 down the
// columns, ky <= 257; uint32 along the row) and are rounded by the same U8FinishF as
// the general path (exact for kx * ky <= 2^13), so the result is bit-identical to
// it: only the arithmetic is cheaper (integer adds instead of float multiply-adds).
template <int C, int KX>
void box_reduce_u8(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, std::int64_t kx_rt,
                   std::int64_t ky, int threads) {
    const std::int64_t kx = KX > 0 ? KX : kx_rt;
    const std::int64_t out_w = dst.width;
    const std::int64_t in_n = out_w * kx * C;  // the columns the blocks cover
    const U8FinishF finish(static_cast<double>(kx * ky));
    const std::int64_t grain = row_grain(in_n * ky);
    parallel_rows(dst.height, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<std::uint16_t> line(static_cast<std::size_t>(in_n));
        std::uint16_t* __restrict acc = line.data();
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* __restrict s0 = src.row(y * ky);
            for (std::int64_t i = 0; i < in_n; ++i) acc[i] = s0[i];
            for (std::int64_t k = 1; k < ky; ++k) {
                const std::uint8_t* __restrict s = src.row(y * ky + k);
                for (std::int64_t i = 0; i < in_n; ++i)
                    acc[i] = static_cast<std::uint16_t>(acc[i] + s[i]);
            }
            std::uint8_t* __restrict o = dst.row(y);
            const U8FinishF fin = finish;
            for (std::int64_t x = 0; x < out_w; ++x) {
                const std::uint16_t* a = acc + x * kx * C;
                std::uint32_t h[C];
                for (int c = 0; c < C; ++c) h[c] = a[c];
                for (std::int64_t j = 1; j < kx; ++j)
                    for (int c = 0; c < C; ++c) h[c] += a[j * C + c];
                for (int c = 0; c < C; ++c) o[x * C + c] = fin(static_cast<float>(h[c]));
            }
        }
    });
}

template <int C>
void box_reduce_u8_dispatch(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst,
                            std::int64_t kx, std::int64_t ky, int threads) {
    switch (kx) {
        case 2: return box_reduce_u8<C, 2>(src, dst, kx, ky, threads);
        case 3: return box_reduce_u8<C, 3>(src, dst, kx, ky, threads);
        case 4: return box_reduce_u8<C, 4>(src, dst, kx, ky, threads);
        case 5: return box_reduce_u8<C, 5>(src, dst, kx, ky, threads);
        case 6: return box_reduce_u8<C, 6>(src, dst, kx, ky, threads);
        case 8: return box_reduce_u8<C, 8>(src, dst, kx, ky, threads);
        default: return box_reduce_u8<C, 0>(src, dst, kx, ky, threads);
    }
}

// True (and the reduction done) when an area resize of uint8 is an integer box
// reduction that box_reduce_u8 computes exactly.
bool try_box_reduce(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, ResizeMethod method,
                    int threads) {
    if (method != ResizeMethod::Area || dst.width <= 0 || dst.height <= 0) return false;
    if (src.width % dst.width != 0 || src.height % dst.height != 0) return false;
    const std::int64_t kx = src.width / dst.width, ky = src.height / dst.height;
    if (kx * ky < 2 || ky > 257 || kx * ky > 8192) return false;
    if (src.channels == 1) box_reduce_u8_dispatch<1>(src, dst, kx, ky, threads);
    else box_reduce_u8_dispatch<3>(src, dst, kx, ky, threads);
    return true;
}

bool try_box_reduce(ConstView<float>, MutView<float>, ResizeMethod, int) { return false; }

// Single-channel float bilinear (the upsampling of wide_gaussian_blur's coarse grid):
// the arithmetic of resize_impl<float, 1, ...> per pixel, in the same order (vertical
// weighted sum of at most two input rows, then h = w0 * a0 [+ w1 * a1], then h / D),
// so the results are identical; the horizontal pass goes over runs of outputs that
// read the same input pixels (weights converted to float once per call), a loop
// that vectorises.
#ifdef SKINCORE_RESIZE_AVX2
// The horizontal pass of resize_bilinear_f32 for the blocks of eight outputs whose
// taps lie within eight samples of the block's first one (upsampling, the coarse
// grids of wide_gaussian_blur brought back: a few samples feed a block): one load
// of the line, the taps permuted out of it. Per output the run loop's operations,
// in its order: (w0 a0 + w1 a1) / D, or (w0 a0) / D for a one-tap output (selected,
// not a zero weight: 0 * inf is NaN and -0 + 0 is +0); no FMA. Other blocks, and
// the last out_w % 8 outputs, are left to the caller (returns false for them via
// `done`). `acc` has 8 samples past the row.
__attribute__((target("avx2"))) void resize_bilinear_f32_row_avx2(const float* acc, const std::int32_t* xs,
                                                                  const std::int32_t* two, const float* w0,
                                                                  const float* w1, float denom, float* o,
                                                                  std::int64_t out_w, std::uint8_t* done) {
    const __m256 vden = _mm256_set1_ps(denom);
    for (std::int64_t x = 0; x + 8 <= out_w; x += 8)
        done[x / 8] = bilinear8_avx2(acc, xs + x, two + x, w0 + x, w1 + x, vden, o + x) ? 1 : 0;
}
#endif

void resize_bilinear_f32(ConstView<float> src, MutView<float> dst, const Axis& ax, const Axis& ay,
                         int threads) {
    const std::int64_t in_w = src.width, out_w = dst.width;
    const float denom = static_cast<float>(static_cast<double>(ax.denom) * static_cast<double>(ay.denom));
    // Runs of consecutive outputs reading the same input pixel(s): within a run the
    // loop reads two scalars and vectorises.
    struct Run {
        std::int64_t x0, x1, s;
        bool two;
    };
    std::vector<Run> runs;
    std::vector<float> xw0(static_cast<std::size_t>(out_w)), xw1(static_cast<std::size_t>(out_w), 0.0f);
    for (std::int64_t x = 0; x < out_w; ++x) {
        const std::size_t i = static_cast<std::size_t>(x);
        const std::int64_t j0 = ax.woff[i];
        const bool two = ax.woff[i + 1] - j0 == 2;
        xw0[i] = static_cast<float>(ax.w[static_cast<std::size_t>(j0)]);
        if (two) xw1[i] = static_cast<float>(ax.w[static_cast<std::size_t>(j0 + 1)]);
        if (runs.empty() || runs.back().s != ax.start[i] || runs.back().two != two)
            runs.push_back(Run{x, x + 1, ax.start[i], two});
        else
            runs.back().x1 = x + 1;
    }
    const std::int64_t grain = row_grain(std::max(in_w, out_w) * std::max<std::int64_t>(1, ay.max_taps));
#ifdef SKINCORE_RESIZE_AVX2
    const bool avx2 = resize_u8_avx2();
    std::vector<std::int32_t> xs32(avx2 ? static_cast<std::size_t>(out_w) : 0);
    std::vector<std::int32_t> two32(avx2 ? static_cast<std::size_t>(out_w) : 0);
    if (avx2)
        for (std::int64_t x = 0; x < out_w; ++x) {
            const std::size_t i = static_cast<std::size_t>(x);
            xs32[i] = static_cast<std::int32_t>(ax.start[i]);
            two32[i] = ax.woff[i + 1] - ax.woff[i] == 2 ? -1 : 0;
        }
#endif
    parallel_rows(dst.height, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        // 8 spare samples: the AVX2 row loads eight from a block's first tap
        std::vector<float> line(static_cast<std::size_t>(in_w) + 8, 0.0f);
        std::vector<std::uint8_t> done(static_cast<std::size_t>(out_w / 8) + 1, 0);
        float* __restrict acc = line.data();
        const float* __restrict w0 = xw0.data();
        const float* __restrict w1 = xw1.data();
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::size_t yy = static_cast<std::size_t>(y);
            const std::int64_t sy = ay.start[yy];
            const std::int64_t k0 = ay.woff[yy];
            const std::int64_t nk = ay.woff[yy + 1] - k0;
            {
                const float* __restrict s = src.row(sy);
                const float wk = static_cast<float>(ay.w[static_cast<std::size_t>(k0)]);
                for (std::int64_t i = 0; i < in_w; ++i) acc[i] = wk * s[i];
            }
            for (std::int64_t k = 1; k < nk; ++k) {
                const float* __restrict s = src.row(sy + k);
                const float wk = static_cast<float>(ay.w[static_cast<std::size_t>(k0 + k)]);
                for (std::int64_t i = 0; i < in_w; ++i) acc[i] += wk * s[i];
            }
            float* __restrict o = dst.row(y);
#ifdef SKINCORE_RESIZE_AVX2
            if (avx2) {
                resize_bilinear_f32_row_avx2(acc, xs32.data(), two32.data(), w0, w1, denom, o, out_w,
                                             done.data());
                // the blocks it left, and the last out_w % 8 outputs: the run loop's arithmetic
                const std::int64_t n8 = out_w / 8 * 8;
                for (std::int64_t x = 0; x < out_w; ++x) {
                    if (x < n8 && done[static_cast<std::size_t>(x / 8)]) {
                        x += 7;
                        continue;
                    }
                    const std::size_t i = static_cast<std::size_t>(x);
                    const float a0 = acc[xs32[i]];
                    o[x] = two32[i] ? (w0[x] * a0 + w1[x] * acc[xs32[i] + 1]) / denom : (w0[x] * a0) / denom;
                }
                continue;
            }
#endif
            for (const Run& r : runs) {
                const float a0 = acc[r.s];
                if (r.two) {
                    const float a1 = acc[r.s + 1];
                    for (std::int64_t x = r.x0; x < r.x1; ++x) o[x] = (w0[x] * a0 + w1[x] * a1) / denom;
                } else {
                    for (std::int64_t x = r.x0; x < r.x1; ++x) o[x] = (w0[x] * a0) / denom;
                }
            }
        }
    });
}

template <class T>
void resize_any(ConstView<T> src, MutView<T> dst, ResizeMethod method, int threads) {
    if (src.channels != dst.channels)
        throw std::invalid_argument("resize: src and dst channel counts differ");
    if (src.channels != 1 && src.channels != 3)
        throw std::invalid_argument("resize: 1 or 3 channels only");
    if (method != ResizeMethod::Area && method != ResizeMethod::Bilinear)
        throw std::invalid_argument("resize: unknown method");
    for (std::int64_t side : {src.width, src.height, dst.width, dst.height})
        if (side < 0 || side > kMaxResizeSide)
            throw std::invalid_argument("resize: image side out of range (max 2^20)");
    if (dst.empty()) return;
    if (src.empty()) throw std::invalid_argument("resize: empty input, non-empty output");
    if (views_overlap(src, dst)) throw std::invalid_argument("resize: dst overlaps src");
    if (try_box_reduce(src, dst, method, threads)) return;
    Axis ax = make_axis(src.width, dst.width, method);
    const Axis ay = make_axis(src.height, dst.height, method);
    if constexpr (std::is_same_v<T, float>) {
        if (src.channels == 1 && method == ResizeMethod::Bilinear)
            return resize_bilinear_f32(src, dst, ax, ay, threads);
    }
    if (src.channels == 1) resize_dispatch<1>(src, dst, ax, ay, threads);
    else resize_dispatch<3>(src, dst, ax, ay, threads);
}

// resize_mask: one axis of the bilinear resize as two taps per output, s0 and s1
// (s1 = s0 with weight 0 where the output has a single tap), integer weights.
struct MaskAxis {
    std::vector<std::int32_t> s0, s1, w0, w1;
    std::int64_t denom = 1;
};

MaskAxis mask_axis(std::int64_t in, std::int64_t out) {
    Axis a = make_axis(in, out, ResizeMethod::Bilinear);
    make_fixed(a, in);
    const std::size_t n = static_cast<std::size_t>(out);
    const bool two = a.max_taps == 2;
    MaskAxis m;
    m.denom = static_cast<std::int64_t>(a.denom);
    m.s0.resize(n);
    m.s1.resize(n);
    m.w0.resize(n);
    m.w1.resize(n);
    for (std::size_t o = 0; o < n; ++o) {
        m.s0[o] = static_cast<std::int32_t>(a.fstart[o]);
        m.s1[o] = static_cast<std::int32_t>(a.fstart[o] + (two ? 1 : 0));
        m.w0[o] = static_cast<std::int32_t>(a.fw[two ? 2 * o : o]);
        m.w1[o] = two ? static_cast<std::int32_t>(a.fw[2 * o + 1]) : 0;
    }
    return m;
}

// acc = w0 r0 + w1 r1: exact (<= 255 * Dy <= 2^29).
SKINCORE_AVX2_CLONES void mask_vpass(const std::uint8_t* __restrict r0, const std::uint8_t* __restrict r1,
                                     std::int32_t w0, std::int32_t w1, std::int32_t* __restrict acc,
                                     std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        acc[i] = w0 * static_cast<std::int32_t>(r0[i]) + w1 * static_cast<std::int32_t>(r1[i]);
}

// o[x] = 255 where 2 h >= t, h = w0 acc[s0] + w1 acc[s1] in H (int32 when 2 * 255 D
// fits, else int64: h <= 255 D <= 2^50). Scalar: AVX2 gathers measured slower
// than these loads on the build machine. Locals, not the axis' vectors: the
// uint8 stores may alias anything, so nothing read through a reference would
// stay in a register.
template <class H>
void mask_hpass(const std::int32_t* __restrict acc, const MaskAxis& ax, H t, std::uint8_t* __restrict o,
                std::int64_t x0, std::int64_t x1) {
    const std::int32_t* __restrict s0 = ax.s0.data();
    const std::int32_t* __restrict s1 = ax.s1.data();
    const std::int32_t* __restrict w0 = ax.w0.data();
    const std::int32_t* __restrict w1 = ax.w1.data();
    for (std::int64_t x = x0; x < x1; ++x) {
        const H h = static_cast<H>(w0[x]) * static_cast<H>(acc[s0[x]]) +
                    static_cast<H>(w1[x]) * static_cast<H>(acc[s1[x]]);
        o[x] = 2 * h >= t ? 255 : 0;
    }
}

#ifdef SKINCORE_RESIZE_AVX2
// mask_hpass<int32_t> eight outputs at a time where their taps lie within 16
// samples (any upsampling, downsampling by up to 2): two loads and in-register
// permutes instead of gathers (vpgatherdd measured slower than scalar loads on
// the build machine); other blocks scalar. `acc` is readable 16 samples past
// the row. Returns the columns done (a multiple of 8).
__attribute__((target("avx2"))) std::int64_t mask_hpass_avx2(const std::int32_t* acc, const MaskAxis& ax,
                                                              std::int32_t t, std::uint8_t* o,
                                                              std::int64_t n) {
    const std::int32_t* s0 = ax.s0.data();
    const std::int32_t* s1 = ax.s1.data();
    const __m256i below = _mm256_set1_epi32(t - 1), seven = _mm256_set1_epi32(7);
    std::int64_t x = 0;
    for (; x + 8 <= n; x += 8) {
        const std::int32_t base = s0[x];
        if (s1[x + 7] - base > 15) {  // taps ascend with x: [s0[x], s1[x + 7]] holds them all
            mask_hpass<std::int32_t>(acc, ax, t, o, x, x + 8);
            continue;
        }
        const __m256i vb = _mm256_set1_epi32(base);
        const __m256i i0 = _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s0 + x)), vb);
        const __m256i i1 = _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s1 + x)), vb);
        const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + base));
        const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + base + 8));
        // index & 7 within lo (index < 8) or hi
        const __m256i a0 = _mm256_blendv_epi8(_mm256_permutevar8x32_epi32(lo, i0),
                                              _mm256_permutevar8x32_epi32(hi, i0), _mm256_cmpgt_epi32(i0, seven));
        const __m256i a1 = _mm256_blendv_epi8(_mm256_permutevar8x32_epi32(lo, i1),
                                              _mm256_permutevar8x32_epi32(hi, i1), _mm256_cmpgt_epi32(i1, seven));
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ax.w0.data() + x));
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ax.w1.data() + x));
        const __m256i h = _mm256_add_epi32(_mm256_mullo_epi32(w0, a0), _mm256_mullo_epi32(w1, a1));
        const __m256i c = _mm256_cmpgt_epi32(_mm256_add_epi32(h, h), below);  // 2h >= t: -1
        __m256i p = _mm256_packs_epi32(c, c);
        p = _mm256_packs_epi16(p, p);  // lane 0: bytes of outputs 0-3, lane 1: 4-7
        const std::uint32_t b0 = static_cast<std::uint32_t>(_mm256_extract_epi32(p, 0));
        const std::uint32_t b1 = static_cast<std::uint32_t>(_mm256_extract_epi32(p, 4));
        std::memcpy(o + x, &b0, 4);
        std::memcpy(o + x + 4, &b1, 4);
    }
    return x;
}
#endif

}  // namespace

void resize_mask(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, int threads) {
    if (src.channels != 1 || dst.channels != 1) throw std::invalid_argument("resize_mask: single-channel masks only");
    for (std::int64_t side : {src.width, src.height, dst.width, dst.height})
        if (side < 0 || side > kMaxResizeSide)
            throw std::invalid_argument("resize_mask: image side out of range (max 2^20)");
    if (dst.empty()) return;
    if (src.empty()) throw std::invalid_argument("resize_mask: empty input, non-empty output");
    if (views_overlap(src, dst)) throw std::invalid_argument("resize_mask: dst overlaps src");
    const MaskAxis ax = mask_axis(src.width, dst.width);
    const MaskAxis ay = mask_axis(src.height, dst.height);
    // q = round(h / D) >= 128  <=>  h / D + 1/2 >= 128  <=>  2 h >= 255 D (exact integers)
    const std::int64_t t = 255 * ax.denom * ay.denom;
    const bool narrow = 2 * t < (std::int64_t{1} << 31);  // 2 h <= 2 t fits int32
    const std::int64_t in_w = src.width, out_w = dst.width;
#ifdef SKINCORE_RESIZE_AVX2
    const bool simd = resize_u8_avx2();
#endif
    parallel_rows(dst.height, row_grain(in_w + out_w), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<std::int32_t> acc(static_cast<std::size_t>(in_w) + 16, 0);  // + mask_hpass_avx2's reach
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::size_t i = static_cast<std::size_t>(y);
            mask_vpass(src.row(ay.s0[i]), src.row(ay.s1[i]), ay.w0[i], ay.w1[i], acc.data(), in_w);
            std::uint8_t* o = dst.row(y);
            if (!narrow) {
                mask_hpass<std::int64_t>(acc.data(), ax, t, o, 0, out_w);
                continue;
            }
            std::int64_t x = 0;
#ifdef SKINCORE_RESIZE_AVX2
            if (simd) x = mask_hpass_avx2(acc.data(), ax, static_cast<std::int32_t>(t), o, out_w);
#endif
            mask_hpass<std::int32_t>(acc.data(), ax, static_cast<std::int32_t>(t), o, x, out_w);
        }
    });
}

BilinearAxis bilinear_axis(std::int64_t in, std::int64_t out) {
    const Axis ax = make_axis(in, out, ResizeMethod::Bilinear);
    BilinearAxis a;
    a.denom = static_cast<double>(ax.denom);
    for (std::int64_t o = 0; o < out; ++o) {
        const auto j0 = static_cast<std::size_t>(ax.woff[static_cast<std::size_t>(o)]);
        const bool two = ax.woff[static_cast<std::size_t>(o) + 1] - ax.woff[static_cast<std::size_t>(o)] == 2;
        a.start.push_back(ax.start[static_cast<std::size_t>(o)]);
        a.w0.push_back(static_cast<float>(ax.w[j0]));
        a.w1.push_back(two ? static_cast<float>(ax.w[j0 + 1]) : 0.0f);
        a.two.push_back(two ? 1 : 0);
    }
    return a;
}

AreaAxis area_axis(std::int64_t in, std::int64_t out) {
    const Axis ax = make_axis(in, out, ResizeMethod::Area);
    AreaAxis a;
    a.denom = static_cast<double>(ax.denom);
    a.start = ax.start;
    a.woff = ax.woff;
    a.w.assign(ax.w.begin(), ax.w.end());
    return a;
}

void resize(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, ResizeMethod method,
            int threads) {
    resize_any(src, dst, method, threads);
}

void resize(ConstView<float> src, MutView<float> dst, ResizeMethod method, int threads) {
    resize_any(src, dst, method, threads);
}

// ============================================================ polygon filling

namespace {

struct Edge {
    double xa, ya, xb, yb;  // ya < yb
    int dir;                // +1: original edge goes down (y increasing)
    std::int64_t row0, row1;  // rows [row0, row1) it crosses, clipped to the image
};

// ceil(v) clamped to [lo, hi] without overflow for any finite v.
inline std::int64_t ceil_clamped(double v, std::int64_t lo, std::int64_t hi) {
    if (v <= static_cast<double>(lo)) return lo;
    if (v >= static_cast<double>(hi)) return hi;
    return static_cast<std::int64_t>(std::ceil(v));
}

}  // namespace

void fill_polygons(const double* xy, const std::int64_t* offsets, std::int64_t n_polygons,
                   MutView<std::uint8_t> dst, std::uint8_t value, FillRule rule, int threads,
                   std::int64_t ox, std::int64_t oy) {
    if (n_polygons < 0) throw std::invalid_argument("fill_polygons: negative polygon count");
    if (rule != FillRule::EvenOdd && rule != FillRule::NonZero)
        throw std::invalid_argument("fill_polygons: unknown fill rule");
    if (dst.channels != 1) throw std::invalid_argument("fill_polygons: single-channel mask only");
    if (n_polygons > 0 && offsets[0] != 0)
        throw std::invalid_argument("fill_polygons: offsets[0] must be 0");
    for (std::int64_t p = 0; p < n_polygons; ++p)
        if (offsets[p + 1] < offsets[p])
            throw std::invalid_argument("fill_polygons: offsets must be non-decreasing");
    const std::int64_t n_points = n_polygons > 0 ? offsets[n_polygons] : 0;
    for (std::int64_t i = 0; i < 2 * n_points; ++i)
        if (!(std::fabs(xy[i]) <= kMaxPolygonCoord))
            throw std::invalid_argument(
                "fill_polygons: coordinates must be finite with magnitude <= 1e100");
    if (dst.empty()) return;
    const std::int64_t H = dst.height, W = dst.width;

    std::vector<Edge> edges;
    for (std::int64_t p = 0; p < n_polygons; ++p) {
        const std::int64_t b = offsets[p], n = offsets[p + 1] - offsets[p];
        if (n < 3) continue;
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t j = (i + 1 == n) ? 0 : i + 1;
            double x0 = xy[2 * (b + i)], y0 = xy[2 * (b + i) + 1];
            double x1 = xy[2 * (b + j)], y1 = xy[2 * (b + j) + 1];
            if (y0 == y1) continue;
            int dir = 1;
            if (y0 > y1) {
                std::swap(x0, x1);
                std::swap(y0, y1);
                dir = -1;
            }
            // rows of dst (the grid's rows [oy, oy + H))
            const std::int64_t r0 = ceil_clamped(y0, oy, oy + H) - oy, r1 = ceil_clamped(y1, oy, oy + H) - oy;
            if (r0 >= r1) continue;
            edges.push_back(Edge{x0, y0, x1, y1, dir, r0, r1});
        }
    }
    if (edges.empty()) return;
    std::stable_sort(edges.begin(), edges.end(),
                     [](const Edge& a, const Edge& b) { return a.row0 < b.row0; });
    const bool evenodd = rule == FillRule::EvenOdd;

    parallel_rows(H, row_grain(W, 1 << 16), threads, [&](std::int64_t y0, std::int64_t y1) {
        // Active edge list over this stripe: edges enter in row0 order, leave at row1.
        const auto end = std::lower_bound(edges.begin(), edges.end(), y1,
                                          [](const Edge& e, std::int64_t v) { return e.row0 < v; });
        auto next = edges.begin();
        std::vector<const Edge*> active;
        std::vector<std::pair<double, int>> xs;
        for (std::int64_t y = y0; y < y1; ++y) {
            for (; next != end && next->row0 <= y; ++next)
                if (next->row1 > y) active.push_back(&*next);
            std::size_t keep = 0;
            for (std::size_t i = 0; i < active.size(); ++i)
                if (active[i]->row1 > y) active[keep++] = active[i];
            active.resize(keep);
            if (active.empty()) continue;
            xs.clear();
            const double py = static_cast<double>(y + oy);
            for (const Edge* e : active) {
                const double t = (py - e->ya) * (e->xb - e->xa);
                xs.emplace_back(e->xa + t / (e->yb - e->ya), e->dir);
            }
            std::sort(xs.begin(), xs.end());
            std::uint8_t* row = dst.row(y);
            int wind = 0;
            for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
                wind += evenodd ? 1 : xs[i].second;
                const bool inside = evenodd ? (wind & 1) != 0 : wind != 0;
                if (!inside) continue;
                const std::int64_t a = ceil_clamped(xs[i].first, ox, ox + W) - ox;
                const std::int64_t b = ceil_clamped(xs[i + 1].first, ox, ox + W) - ox;
                if (b > a) std::memset(row + a, value, static_cast<std::size_t>(b - a));
            }
        }
    });
}

// ========================================================= separable sampling

void sample_separable(ConstView<float> src, const double* xs, const double* ys,
                      MutView<float> dst, int threads) {
    const std::int64_t h = src.height, w = src.width;
    const std::int64_t rows = dst.height, cols = dst.width;
    if (rows <= 0 || cols <= 0) return;
    if (h <= 0 || w <= 0) throw std::invalid_argument("src: must not be empty");
    struct Tap {
        std::int64_t c0, c1;
        float f, g, in;  // f, 1 - f, 1 or 0
    };
    auto taps = [](const double* c, std::int64_t m, std::int64_t n) {
        std::vector<Tap> out(static_cast<std::size_t>(m));
        for (std::int64_t i = 0; i < m; ++i) {
            const double v = c[i];
            const double t = std::min(std::max(v, 0.0), static_cast<double>(n - 1));
            const auto c0 = std::min(static_cast<std::int64_t>(std::floor(t)),
                                     std::max<std::int64_t>(n - 2, 0));
            const std::int64_t c1 = std::min(c0 + 1, n - 1);
            const auto f = static_cast<float>(t - static_cast<double>(c0));
            const bool in = v >= -0.5 && v <= static_cast<double>(n) - 0.5;
            out[static_cast<std::size_t>(i)] = Tap{c0, c1, f, 1.0f - f, in ? 1.0f : 0.0f};
        }
        return out;
    };
    const std::vector<Tap> tx = taps(xs, cols, w), ty = taps(ys, rows, h);
    parallel_rows(rows, row_grain(cols), threads, [&](std::int64_t j0, std::int64_t j1) {
        for (std::int64_t j = j0; j < j1; ++j) {
            const Tap& a = ty[static_cast<std::size_t>(j)];
            const float* r0 = src.row(a.c0);
            const float* r1 = src.row(a.c1);
            float* o = dst.row(j);
            for (std::int64_t i = 0; i < cols; ++i) {
                const Tap& b = tx[static_cast<std::size_t>(i)];
                const float t0 = r0[b.c0] * a.g + r1[b.c0] * a.f;
                const float t1 = r0[b.c1] * a.g + r1[b.c1] * a.f;
                const float v = t0 * b.g + t1 * b.f;
                o[i] = v * (a.in * b.in);
            }
        }
    });
}

// ================================================================ affine warp

namespace {

constexpr std::array<double, 256> make_u8_doubles() {
    std::array<double, 256> t{};
    for (int v = 0; v < 256; ++v) t[static_cast<std::size_t>(v)] = static_cast<double>(v);
    return t;
}
constexpr std::array<double, 256> kU8 = make_u8_doubles();

// Output pixel i of row j (CH channels); store(out_channel_ptr, value_0_255).
template <int CH, class Out, class Store>
inline void warp_affine_pixel(ConstView<std::uint8_t> src, const double* a, Out* o, std::int64_t i,
                              double by, double ey, Store& store) {
    const std::int64_t w = src.width, h = src.height;
    const double xc = static_cast<double>(i) + 0.5;
    double xin = a[0] * xc + by + a[2];
    double yin = a[3] * xc + ey + a[5];
    // (NaN fails both comparisons: filled, never indexed)
    if (!(xin >= 0.0 && xin < static_cast<double>(w) && yin >= 0.0 &&
          yin < static_cast<double>(h))) {
        for (int c = 0; c < CH; ++c) store(o + c, 0);
        return;
    }
    xin -= 0.5;
    yin -= 0.5;
    // floor of a value in [-0.5, 2^31): truncate, then step down below zero
    // (std::floor is a library call without SSE4.1)
    auto x = static_cast<std::int64_t>(xin);
    auto y = static_cast<std::int64_t>(yin);
    x -= static_cast<std::int64_t>(xin < static_cast<double>(x));
    y -= static_cast<std::int64_t>(yin < static_cast<double>(y));
    const double dx = xin - static_cast<double>(x);
    const double dy = yin - static_cast<double>(y);
    const std::uint8_t* r0 = src.row(y < 0 ? 0 : y);  // y <= h - 1 here
    const bool has1 = y + 1 < h;                        // y + 1 >= 0 here
    const std::uint8_t* r1 = has1 ? src.row(y + 1) : r0;
    const std::int64_t x0 = (x < 0 ? 0 : x) * CH;
    const std::int64_t x1 = (x + 1 < w ? x + 1 : w - 1) * CH;
    // kU8[p] == double(p): the same values as int -> double conversions (and
    // kU8[b] - kU8[a] == double(b - a), exactly). When row y + 1 is outside, r1 == r0
    // and v2 is computed from v1's operands: v2 == v1, as Pillow's "v2 = v1".
    // All channels are computed before any store (an 8-bit store may alias the
    // source for the compiler: stores in between would serialise them).
    int v[CH];
    for (int c = 0; c < CH; ++c) {
        const double p0 = kU8[r0[x0 + c]], p1 = kU8[r0[x1 + c]];
        const double q0 = kU8[r1[x0 + c]], q1 = kU8[r1[x1 + c]];
        const double v1 = p0 + (p1 - p0) * dx;
        const double v2 = q0 + (q1 - q0) * dx;
        v[c] = static_cast<int>(v1 + (v2 - v1) * dy);
    }
    for (int c = 0; c < CH; ++c) store(o + c, v[c]);
}

template <int CH, class Out, class Store>
void warp_affine_row(ConstView<std::uint8_t> src, const double* a, Out* o, std::int64_t j,
                     std::int64_t i0, std::int64_t cols, Store& store) {
    const double yc = static_cast<double>(j) + 0.5;
    const double by = a[1] * yc, ey = a[4] * yc;
    for (std::int64_t i = i0; i < cols; ++i)
        warp_affine_pixel<CH>(src, a, o + i * CH, i, by, ey, store);
}

#ifdef SKINCORE_RESIZE_AVX2
// The same arithmetic, 4 RGB pixels at a time: every double operation is the scalar
// one in the same order (no FMA), so the values are identical. Pixels are read as
// 4-byte gathers (a pixel and the next byte); a block whose gather would touch the
// last pixel of the buffer (the byte after it is not ours) goes the scalar way.
// Returns the first column not done.
template <class Out, class Store>
__attribute__((target("avx2"))) std::int64_t warp_affine_row_rgb_avx2(
    ConstView<std::uint8_t> src, const double* a, Out* o, std::int64_t j, std::int64_t cols,
    Store& store) {
    const std::int64_t w = src.width, h = src.height;
    const double yc = static_cast<double>(j) + 0.5;
    const double by = a[1] * yc, ey = a[4] * yc;
    const __m256d A0 = _mm256_set1_pd(a[0]), A2 = _mm256_set1_pd(a[2]);
    const __m256d A3 = _mm256_set1_pd(a[3]), A5 = _mm256_set1_pd(a[5]);
    const __m256d BY = _mm256_set1_pd(by), EY = _mm256_set1_pd(ey);
    const __m256d zero = _mm256_setzero_pd(), half = _mm256_set1_pd(0.5);
    const __m256d FW = _mm256_set1_pd(static_cast<double>(w));
    const __m256d FH = _mm256_set1_pd(static_cast<double>(h));
    const __m256d lane = _mm256_set_pd(3.5, 2.5, 1.5, 0.5);
    const __m128i one = _mm_set1_epi32(1), izero = _mm_setzero_si128();
    const __m128i wm1 = _mm_set1_epi32(static_cast<int>(w - 1));
    const __m128i hh = _mm_set1_epi32(static_cast<int>(h));
    const __m128i stride = _mm_set1_epi32(static_cast<int>(src.row_stride));
    const __m128i three = _mm_set1_epi32(3), byte = _mm_set1_epi32(0xff);
    const int last = static_cast<int>((h - 1) * src.row_stride + (w - 1) * 3);
    const __m128i lastv = _mm_set1_epi32(last);
    const int* base = reinterpret_cast<const int*>(src.data);
    std::int64_t i = 0;
    for (; i + 4 <= cols; i += 4) {
        // i + k + 0.5 for lane k: exact, as double(i + k) + 0.5
        const __m256d xc = _mm256_add_pd(_mm256_set1_pd(static_cast<double>(i)), lane);
        __m256d xin = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(A0, xc), BY), A2);
        __m256d yin = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(A3, xc), EY), A5);
        const __m256d in = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(xin, zero, _CMP_GE_OQ), _mm256_cmp_pd(xin, FW, _CMP_LT_OQ)),
            _mm256_and_pd(_mm256_cmp_pd(yin, zero, _CMP_GE_OQ), _mm256_cmp_pd(yin, FH, _CMP_LT_OQ)));
        const int inmask = _mm256_movemask_pd(in);
        if (inmask == 0) {
            for (int k = 0; k < 12; ++k) store(o + i * 3 + k, 0);
            continue;
        }
        xin = _mm256_blendv_pd(half, _mm256_sub_pd(xin, half), in);  // outside: a safe 0
        yin = _mm256_blendv_pd(half, _mm256_sub_pd(yin, half), in);
        const __m256d fx = _mm256_floor_pd(xin), fy = _mm256_floor_pd(yin);
        const __m256d dx = _mm256_sub_pd(xin, fx), dy = _mm256_sub_pd(yin, fy);
        const __m128i xi = _mm256_cvttpd_epi32(fx), yi = _mm256_cvttpd_epi32(fy);
        const __m128i x0 = _mm_mullo_epi32(_mm_max_epi32(xi, izero), three);
        const __m128i x1 = _mm_mullo_epi32(_mm_min_epi32(_mm_add_epi32(xi, one), wm1), three);
        const __m128i y0 = _mm_max_epi32(yi, izero);
        const __m128i yn = _mm_add_epi32(yi, one);
        const __m128i y1 = _mm_blendv_epi8(y0, yn, _mm_cmplt_epi32(yn, hh));
        const __m128i r0 = _mm_mullo_epi32(y0, stride), r1 = _mm_mullo_epi32(y1, stride);
        const __m128i o00 = _mm_add_epi32(r0, x0), o01 = _mm_add_epi32(r0, x1);
        const __m128i o10 = _mm_add_epi32(r1, x0), o11 = _mm_add_epi32(r1, x1);
        const __m128i mx = _mm_max_epi32(_mm_max_epi32(o00, o01), _mm_max_epi32(o10, o11));
        if (_mm_movemask_epi8(_mm_cmplt_epi32(mx, lastv)) != 0xffff) {
            for (std::int64_t k = i; k < i + 4; ++k)
                warp_affine_pixel<3>(src, a, o + k * 3, k, by, ey, store);
            continue;
        }
        const __m128i g00 = _mm_i32gather_epi32(base, o00, 1);
        const __m128i g01 = _mm_i32gather_epi32(base, o01, 1);
        const __m128i g10 = _mm_i32gather_epi32(base, o10, 1);
        const __m128i g11 = _mm_i32gather_epi32(base, o11, 1);
        alignas(16) int v[3][4];
        for (int c = 0; c < 3; ++c) {
            const __m256d p0 = _mm256_cvtepi32_pd(_mm_and_si128(_mm_srli_epi32(g00, 8 * c), byte));
            const __m256d p1 = _mm256_cvtepi32_pd(_mm_and_si128(_mm_srli_epi32(g01, 8 * c), byte));
            const __m256d q0 = _mm256_cvtepi32_pd(_mm_and_si128(_mm_srli_epi32(g10, 8 * c), byte));
            const __m256d q1 = _mm256_cvtepi32_pd(_mm_and_si128(_mm_srli_epi32(g11, 8 * c), byte));
            const __m256d v1 = _mm256_add_pd(p0, _mm256_mul_pd(_mm256_sub_pd(p1, p0), dx));
            const __m256d v2 = _mm256_add_pd(q0, _mm256_mul_pd(_mm256_sub_pd(q1, q0), dx));
            __m256d r = _mm256_add_pd(v1, _mm256_mul_pd(_mm256_sub_pd(v2, v1), dy));
            r = _mm256_blendv_pd(zero, r, in);  // outside: 0
            _mm_store_si128(reinterpret_cast<__m128i*>(v[c]), _mm256_cvttpd_epi32(r));
        }
        Out* q = o + i * 3;
        for (int k = 0; k < 4; ++k) {
            store(q + 3 * k, v[0][k]);
            store(q + 3 * k + 1, v[1][k]);
            store(q + 3 * k + 2, v[2][k]);
        }
    }
    return i;
}

bool warp_affine_avx2() {
    static const bool cpu = __builtin_cpu_supports("avx2");
    return cpu && simd_enabled();
}
#endif

template <class Out, class Store>
void warp_affine_any(ConstView<std::uint8_t> src, const double* a, MutView<Out> dst, int threads,
                     Store store) {
    if (dst.empty()) return;
    if (dst.channels != src.channels) throw std::invalid_argument("dst: channels must match src");
    for (int k = 0; k < 6; ++k)
        if (!std::isfinite(a[k])) throw std::invalid_argument("coeffs: must be finite");
    if (src.channels != 1 && src.channels != 3)
        throw std::invalid_argument("src: expected 1 or 3 channels");
    ConstView<std::uint8_t> s = src;
    if (s.empty()) s.width = s.height = 0;  // every sample falls outside: all fill
    bool avx2 = false;
#ifdef SKINCORE_RESIZE_AVX2
    // 32-bit gather offsets: the whole source must lie within 2^31 - 4 bytes
    avx2 = s.channels == 3 && !s.empty() && warp_affine_avx2() &&
           (s.height - 1) * s.row_stride + s.width * 3 < (std::int64_t{1} << 31) - 4;
#endif
    parallel_rows(dst.height, row_grain(dst.width * dst.channels), threads,
                  [&](std::int64_t j0, std::int64_t j1) {
                      for (std::int64_t j = j0; j < j1; ++j) {
                          if (s.channels == 1) {
                              warp_affine_row<1>(s, a, dst.row(j), j, 0, dst.width, store);
                              continue;
                          }
                          std::int64_t i0 = 0;
#ifdef SKINCORE_RESIZE_AVX2
                          if (avx2)
                              i0 = warp_affine_row_rgb_avx2(s, a, dst.row(j), j, dst.width, store);
#endif
                          warp_affine_row<3>(s, a, dst.row(j), j, i0, dst.width, store);
                      }
                  });
}

}  // namespace

void warp_affine(ConstView<std::uint8_t> src, const double* a, MutView<std::uint8_t> dst,
                 int threads) {
    warp_affine_any(src, a, dst, threads,
                    [](std::uint8_t* p, int v) { *p = static_cast<std::uint8_t>(v); });
}

void warp_affine(ConstView<std::uint8_t> src, const double* a, MutView<float> dst, float div,
                 float sub, int threads) {
    float lut[256];
    for (int v = 0; v < 256; ++v) lut[v] = static_cast<float>(v) / div - sub;
    warp_affine_any(src, a, dst, threads, [&lut](float* p, int v) { *p = lut[v]; });
}

// ================================================================ tile median

namespace {

// Up to this many values, the k-th smallest is found by counting ranks (n^2
// branch-free, vectorised compares).
constexpr std::int64_t kSmallSelect = 24;

// The value of rank k (0-based, ascending) among v[0..n): the first v[i] with
// #(v < v[i]) <= k < #(v <= v[i]). No NaN in v.
inline float select_small(const float* v, std::int64_t n, std::int64_t k) {
    for (std::int64_t i = 0; i < n; ++i) {
        const float x = v[i];
        std::int32_t less = 0, le = 0;
        for (std::int64_t j = 0; j < n; ++j) {
            less += static_cast<std::int32_t>(v[j] < x);
            le += static_cast<std::int32_t>(v[j] <= x);
        }
        if (less <= k && k < le) return x;
    }
    return v[0];  // unreachable for 0 <= k < n
}

// The value of rank k among v[0..n) (v is clobbered; scratch holds n floats): a
// quickselect whose three-way partition is branch-free (every value is written to
// both sides, the side's count advances when it belongs there), so noise-like
// data costs no mispredicted branches, unlike std::nth_element. Pivot: the median
// of the first, middle and last values. No NaN in v.
float select_rank(float* v, float* scratch, std::int64_t n, std::int64_t k) {
    while (n > kSmallSelect) {
        const float a = v[0], b = v[n / 2], c = v[n - 1];
        const float p = std::max(std::min(a, b), std::min(std::max(a, b), c));
        std::int64_t nl = 0, ng = 0;
        float* hi = scratch;
        for (std::int64_t i = 0; i < n; ++i) {
            const float x = v[i];
            v[nl] = x;  // nl <= i: never overwrites an unread value
            hi[ng] = x;
            nl += static_cast<std::int64_t>(x < p);
            ng += static_cast<std::int64_t>(x > p);
        }
        if (k < nl) {
            n = nl;
        } else if (k < n - ng) {
            return p;
        } else {
            k -= n - ng;
            n = ng;
            std::swap(v, scratch);  // the greater side is now the values; v is scratch
        }
    }
    return select_small(v, n, k);
}

// Whether any of m[0..n) is nonzero. tile_median skips the tile rows whose mask
// is all 0 there without reading their samples (none of them is selected): the
// layers it reads are much larger than the skin on them, and those loads are most
// of its time.
inline bool any_nonzero(const std::uint8_t* m, std::int64_t n) {
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, m + i, sizeof(word));
        if (word != 0) return true;
    }
    std::uint8_t any = 0;
    for (; i < n; ++i) any |= m[i];
    return any != 0;
}

}  // namespace


void tile_median(ConstView<float> src, ConstView<std::uint8_t> mask, std::int64_t tile,
                 MutView<float> median, MutView<std::int32_t> count, int threads,
                 const TileMedianOptions& opt) {
    if (tile < 1) throw std::invalid_argument("tile: must be >= 1");
    if (opt.step < 1) throw std::invalid_argument("step: must be >= 1");
    if (mask.width != src.width || mask.height != src.height)
        throw std::invalid_argument("mask: shape differs from src");
    const std::int64_t w = src.width, h = src.height;
    const std::int64_t tw = w > 0 ? (w + tile - 1) / tile : 0;
    const std::int64_t th = h > 0 ? (h + tile - 1) / tile : 0;
    if (median.width != tw || median.height != th)
        throw std::invalid_argument("median: expected shape (ceil(H / tile), ceil(W / tile))");
    if (count.width != tw || count.height != th)
        throw std::invalid_argument("count: expected shape (ceil(H / tile), ceil(W / tile))");
    if (src.empty()) return;
    const std::int64_t step = opt.step;
    const bool below = !std::isnan(opt.below);
    const bool negate = opt.negate;
    const float limit = opt.below;
    parallel_rows(th, 1, threads, [&](std::int64_t t0, std::int64_t t1) {
        // Selected values are appended branch-free (write always, advance when
        // selected): the selection is often a coin flip (a sign), which a branch
        // would mispredict half of the time.
        const auto cap = static_cast<std::size_t>(std::min(tile, h) * std::min(tile, w)) + 1;
        std::vector<float> vals(cap), scratch(cap);
        for (std::int64_t ty = t0; ty < t1; ++ty) {
            const std::int64_t y0 = ty * tile, y1 = std::min(h, y0 + tile);
            for (std::int64_t tx = 0; tx < tw; ++tx) {
                const std::int64_t x0 = tx * tile, x1 = std::min(w, x0 + tile);
                std::int64_t n = 0;
                float* v = vals.data();
                if (step == 1 && !below && !negate) {
                    for (std::int64_t y = y0; y < y1; ++y) {
                        const std::uint8_t* m = mask.row(y);
                        if (!any_nonzero(m + x0, x1 - x0)) continue;
                        const float* r = src.row(y);
                        for (std::int64_t x = x0; x < x1; ++x) {
                            const float a = r[x];
                            v[n] = a;
                            n += static_cast<std::int64_t>((m[x] != 0) & (a == a));
                        }
                    }
                } else {
                    // the sampled rows and columns (multiples of step) of the tile
                    const std::int64_t ys = (y0 + step - 1) / step * step;
                    const std::int64_t xs = (x0 + step - 1) / step * step;
                    const float sgn = negate ? -1.0f : 1.0f;
                    for (std::int64_t y = ys; y < y1; y += step) {
                        const std::uint8_t* m = mask.row(y);
                        if (!any_nonzero(m + x0, x1 - x0)) continue;
                        const float* r = src.row(y);
                        for (std::int64_t x = xs; x < x1; x += step) {
                            const float a = r[x];
                            v[n] = sgn * a;
                            // a < limit is false for NaN
                            n += static_cast<std::int64_t>((m[x] != 0) & (below ? a < limit : a == a));
                        }
                    }
                }
                float med = std::numeric_limits<float>::quiet_NaN();
                if (n > 0) med = select_rank(v, scratch.data(), n, n / 2);
                median.row(ty)[tx] = med;
                count.row(ty)[tx] = static_cast<std::int32_t>(n);
            }
        }
    });
}

namespace {

// Order-preserving key of a float that is not NaN: keys compare as the values do,
// -0.0 and 0.0 alike (both give the key of 0.0).
inline std::uint32_t float_key(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    u &= 0u - static_cast<std::uint32_t>(u != 0x80000000u);  // -0.0 -> 0.0
    // negative: all bits flipped; else the sign bit set (arithmetic: random signs
    // cost no mispredicted branch)
    return u ^ ((0u - (u >> 31)) | 0x80000000u);
}

inline float key_float(std::uint32_t k) {
    const std::uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

}  // namespace

void middle_values(ConstView<float> src, float& lower, float& upper) {
    if (src.channels != 1) throw std::invalid_argument("middle_values: single-channel images only");
    lower = upper = std::numeric_limits<float>::quiet_NaN();
    if (src.empty()) return;
    const std::int64_t w = src.width, h = src.height, n = w * h;
    // Radix selection on the keys, 11 + 11 + 10 bits: per level a histogram of the
    // candidates' next digit finds the bucket holding rank r, and the candidates in
    // it are kept (the last level's bucket is one key). Rank k - 1 (even n) is the
    // largest key below the bucket in the level where it falls below it (r == 0),
    // else the selected key itself. Level 0 reads src twice (histogram, then the
    // bucket's keys) rather than storing every key.
    constexpr int kShift[3] = {21, 10, 0};
    constexpr std::uint32_t kMask[3] = {0x7ffu, 0x7ffu, 0x3ffu};
    // four interleaved histograms: runs of one digit do not chain their increments
    std::vector<std::uint32_t> hist(4 * 2048, 0u);
    int nan = 0;
    for (std::int64_t y = 0; y < h; ++y) {
        const float* r = src.row(y);
        for (std::int64_t x = 0; x < w; ++x) {
            nan |= static_cast<int>(r[x] != r[x]);
            ++hist[static_cast<std::size_t>((x & 3) * 2048 + (float_key(r[x]) >> 21))];
        }
    }
    if (nan) return;
    const std::int64_t k = n / 2;
    bool need_lo = n % 2 == 0;
    std::uint32_t lo_key = 0, key = 0;
    std::int64_t r = k;  // rank among the candidates
    std::int64_t m = n;  // candidates
    Scratch<std::uint32_t> cand;  // the bucket's keys (written before they are read)
    for (int level = 0; level < 3; ++level) {
        const int sh = kShift[level];
        const std::uint32_t mask = kMask[level];
        if (level > 0) {
            std::fill(hist.begin(), hist.end(), 0u);
            for (std::int64_t i = 0; i < m; ++i)
                ++hist[static_cast<std::size_t>((i & 3) * 2048 + ((cand[static_cast<std::size_t>(i)] >> sh) & mask))];
        }
        std::uint32_t b = 0;
        std::int64_t below = 0, count = 0;
        for (;; ++b) {
            count = static_cast<std::int64_t>(hist[b]) + hist[2048 + b] + hist[4096 + b] + hist[6144 + b];
            if (below + count > r) break;
            below += count;
        }
        r -= below;
        key |= b << sh;
        // keep the bucket's keys (written always, kept when in the bucket); the
        // largest key below the bucket when rank k - 1 lies there
        const bool want_lo = need_lo && r == 0;
        std::uint32_t best = 0;  // no key is 0 (that would be a NaN)
        std::int64_t j = 0;
        if (level == 0) {
            cand.resize(static_cast<std::size_t>(count) + 1);
            std::uint32_t* out = cand.data();
            for (std::int64_t y = 0; y < h; ++y) {
                const float* row = src.row(y);
                for (std::int64_t x = 0; x < w; ++x) {
                    const std::uint32_t c = float_key(row[x]), d = c >> sh;
                    out[j] = c;
                    j += static_cast<std::int64_t>(d == b);
                    best = std::max(best, d < b ? c : 0u);
                }
            }
        } else {
            std::uint32_t* out = cand.data();  // in place: j <= i
            for (std::int64_t i = 0; i < m; ++i) {
                const std::uint32_t c = out[i], d = (c >> sh) & mask;
                out[j] = c;
                j += static_cast<std::int64_t>(d == b);
                best = std::max(best, d < b ? c : 0u);
            }
        }
        if (want_lo) {
            lo_key = best;
            need_lo = false;
        }
        m = j;
    }
    upper = key_float(key);
    lower = key_float(n % 2 == 0 && !need_lo ? lo_key : key);
}

}  // namespace skincore
