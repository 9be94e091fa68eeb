// Colour kernels: sRGB -> CIELAB, ITA map, robust masked Lab statistics.
#include "skincore/color.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "skincore/cpu.hpp"
#include "skincore/parallel.hpp"

namespace skincore::color {

namespace {

struct Tables {
    float lin[256];  // sRGB EOTF of v / 255
    float m[9];      // sRGB -> XYZ matrix with each row divided by the white component
};

Tables make_tables() {
    Tables t{};
    for (int v = 0; v < 256; ++v) {
        const double c = v / 255.0;
        const double l = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
        t.lin[v] = static_cast<float>(l);
    }
    for (int r = 0; r < 3; ++r) {
        const double white = kSrgbToXyz[r][0] + kSrgbToXyz[r][1] + kSrgbToXyz[r][2];
        for (int c = 0; c < 3; ++c) t.m[r * 3 + c] = static_cast<float>(kSrgbToXyz[r][c] / white);
    }
    return t;
}

const Tables& tables() {
    static const Tables t = make_tables();
    return t;
}

constexpr float kEpsF = static_cast<float>(kEpsilon);
constexpr float kKappaOver116 = static_cast<float>(kKappa / 116.0);
constexpr float k16Over116 = static_cast<float>(16.0 / 116.0);

// Cube root of t >= 0 (clamped to >= kEpsF, the smaller values are not used):
// bit-level initial guess (relative error < 4%) refined by two Halley steps
// (cubic convergence: ~1e-5, then float rounding). Integer-only until the Halley
// steps, branch-free, so that GCC vectorises it with plain SSE2 (a float max or
// an int->float conversion here lets jump threading split the loop).
constexpr std::int32_t kEpsBits = 0x3c111aa7;  // bit pattern of (float)(216/24389)

__attribute__((always_inline)) inline float lab_f(float t) {
    std::int32_t i;
    std::memcpy(&i, &t, sizeof i);
    const std::int32_t ic = std::max(i, kEpsBits);  // positive floats order as ints
    float tc;
    std::memcpy(&tc, &ic, sizeof tc);
    // ic / 3 by shifts: (ic/4)(1 + 1/4)(1 + 1/16)(1 + 1/256) = ic/3 (1 - 4^-8).
    std::int32_t q = ic >> 2;
    q += q >> 2;
    q += q >> 4;
    q += q >> 8;
    const std::int32_t j = q + 709921077;
    float y;
    std::memcpy(&y, &j, sizeof y);
    float y3 = y * y * y;
    y = y * (y3 + 2.0f * tc) / (2.0f * y3 + tc);
    y3 = y * y * y;
    y = y * (y3 + 2.0f * tc) / (2.0f * y3 + tc);
    const float l = kKappaOver116 * t + k16Over116;
    // Integer blend instead of a ternary (no control flow in the loop).
    std::uint32_t cb, lb;
    std::memcpy(&cb, &y, sizeof cb);
    std::memcpy(&lb, &l, sizeof lb);
    const std::uint32_t sel = 0u - static_cast<std::uint32_t>(i > kEpsBits);
    const std::uint32_t rb = (cb & sel) | (lb & ~sel);
    float r;
    std::memcpy(&r, &rb, sizeof r);
    return r;
}

constexpr int kBlock = 64;

// The linear R, G, B of n <= kBlock packed pixels (the sRGB EOTF table).
__attribute__((always_inline)) inline void linear_block(const Tables& tb, const std::uint8_t* s, int n,
                                                        float* r, float* g, float* b) {
    for (int i = 0; i < n; ++i) {
        r[i] = tb.lin[s[3 * i]];
        g[i] = tb.lin[s[3 * i + 1]];
        b[i] = tb.lin[s[3 * i + 2]];
    }
}

// The row loop, inlined into a generic and an AVX2+FMA instance (the compiler
// vectorises each for its instruction set; no -march flag, so the wheel stays
// portable and the AVX2 one is picked at run time).
__attribute__((always_inline)) inline void rgb_to_lab_rows_impl(const Tables& tb, ConstView<std::uint8_t> rgb,
                                                                MutView<float> out, std::int64_t y0,
                                                                std::int64_t y1) {
    const float m0 = tb.m[0], m1 = tb.m[1], m2 = tb.m[2];
    const float m3 = tb.m[3], m4 = tb.m[4], m5 = tb.m[5];
    const float m6 = tb.m[6], m7 = tb.m[7], m8 = tb.m[8];
    float r[kBlock], g[kBlock], b[kBlock];
    float lo[kBlock], ao[kBlock], bo[kBlock];
    const std::int64_t w = rgb.width;
    for (std::int64_t y = y0; y < y1; ++y) {
        const std::uint8_t* src = rgb.row(y);
        float* dst = out.row(y);
        for (std::int64_t x0 = 0; x0 < w; x0 += kBlock) {
            const int n = static_cast<int>(std::min<std::int64_t>(kBlock, w - x0));
            linear_block(tb, src + 3 * x0, n, r, g, b);
            for (int i = 0; i < n; ++i) {
                const float X = m0 * r[i] + m1 * g[i] + m2 * b[i];
                const float Y = m3 * r[i] + m4 * g[i] + m5 * b[i];
                const float Z = m6 * r[i] + m7 * g[i] + m8 * b[i];
                const float fx = lab_f(X), fy = lab_f(Y), fz = lab_f(Z);
                lo[i] = 116.0f * fy - 16.0f;
                ao[i] = 500.0f * (fx - fy);
                bo[i] = 200.0f * (fy - fz);
            }
            float* d = dst + 3 * x0;
            for (int i = 0; i < n; ++i) {
                d[3 * i] = lo[i];
                d[3 * i + 1] = ao[i];
                d[3 * i + 2] = bo[i];
            }
        }
    }
}

void rgb_to_lab_rows(const Tables& tb, ConstView<std::uint8_t> rgb, MutView<float> out, std::int64_t y0,
                     std::int64_t y1) {
    rgb_to_lab_rows_impl(tb, rgb, out, y0, y1);
}

// L* / divisor alone: rgb_to_lab_rows_impl's L* expressions (Y from the same
// matrix row, the same lab_f, 116 fy - 16), so each L* is the same float as
// rgb_to_lab's in the same instance (checked over all 2**24 colours in
// tests/test_kernel_color.py), then one IEEE division. No X, Z, a*, b*.
__attribute__((always_inline)) inline void rgb_to_lightness_rows_impl(const Tables& tb, ConstView<std::uint8_t> rgb,
                                                                      MutView<float> out, float divisor,
                                                                      std::int64_t y0, std::int64_t y1) {
    const float m3 = tb.m[3], m4 = tb.m[4], m5 = tb.m[5];
    float r[kBlock], g[kBlock], b[kBlock];
    const std::int64_t w = rgb.width;
    for (std::int64_t y = y0; y < y1; ++y) {
        const std::uint8_t* src = rgb.row(y);
        float* dst = out.row(y);
        for (std::int64_t x0 = 0; x0 < w; x0 += kBlock) {
            const int n = static_cast<int>(std::min<std::int64_t>(kBlock, w - x0));
            linear_block(tb, src + 3 * x0, n, r, g, b);
            float* d = dst + x0;
            for (int i = 0; i < n; ++i) {
                const float Y = m3 * r[i] + m4 * g[i] + m5 * b[i];
                const float fy = lab_f(Y);
                const float L = 116.0f * fy - 16.0f;
                d[i] = L / divisor;
            }
        }
    }
}

void rgb_to_lightness_rows(const Tables& tb, ConstView<std::uint8_t> rgb, MutView<float> out, float divisor,
                           std::int64_t y0, std::int64_t y1) {
    rgb_to_lightness_rows_impl(tb, rgb, out, divisor, y0, y1);
}

#if defined(__x86_64__) || defined(__i386__)
#define SKINCORE_HAVE_AVX2_PATH 1
__attribute__((target("avx2,fma"))) void rgb_to_lab_rows_avx2(const Tables& tb, ConstView<std::uint8_t> rgb,
                                                              MutView<float> out, std::int64_t y0,
                                                              std::int64_t y1) {
    rgb_to_lab_rows_impl(tb, rgb, out, y0, y1);
}

__attribute__((target("avx2,fma"))) void rgb_to_lightness_rows_avx2(const Tables& tb, ConstView<std::uint8_t> rgb,
                                                                    MutView<float> out, float divisor,
                                                                    std::int64_t y0, std::int64_t y1) {
    rgb_to_lightness_rows_impl(tb, rgb, out, divisor, y0, y1);
}
#endif

}  // namespace

bool rgb_to_lab_uses_avx2() {
#ifdef SKINCORE_HAVE_AVX2_PATH
    static const bool cpu = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return cpu && simd_enabled();
#else
    return false;
#endif
}

void rgb_to_lab(ConstView<std::uint8_t> rgb, MutView<float> out, int threads) {
    if (rgb.channels != 3 || out.channels != 3) throw std::invalid_argument("rgb_to_lab: need 3 channels");
    if (rgb.width != out.width || rgb.height != out.height)
        throw std::invalid_argument("rgb_to_lab: shape mismatch");
    if (rgb.empty()) return;
    const Tables& tb = tables();
    auto rows = &rgb_to_lab_rows;
#ifdef SKINCORE_HAVE_AVX2_PATH
    if (rgb_to_lab_uses_avx2()) rows = &rgb_to_lab_rows_avx2;
#endif
    parallel_rows(rgb.height, row_grain(rgb.width, 1 << 14), threads,
                  [&](std::int64_t y0, std::int64_t y1) { rows(tb, rgb, out, y0, y1); });
}

void rgb_to_lightness(ConstView<std::uint8_t> rgb, MutView<float> out, float divisor, int threads) {
    if (rgb.channels != 3 || out.channels != 1)
        throw std::invalid_argument("rgb_to_lightness: need 3 input channels and 1 output channel");
    if (rgb.width != out.width || rgb.height != out.height)
        throw std::invalid_argument("rgb_to_lightness: shape mismatch");
    if (rgb.empty()) return;
    const Tables& tb = tables();
    auto rows = &rgb_to_lightness_rows;
#ifdef SKINCORE_HAVE_AVX2_PATH
    if (rgb_to_lab_uses_avx2()) rows = &rgb_to_lightness_rows_avx2;
#endif
    parallel_rows(rgb.height, row_grain(rgb.width, 1 << 14), threads,
                  [&](std::int64_t y0, std::int64_t y1) { rows(tb, rgb, out, divisor, y0, y1); });
}

namespace {

inline std::uint32_t bits_of(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

// atan(r) / r as a polynomial in r^2 on [0, 1]: least-squares fit with error
// reweighting (fitted for skincore); |atan error| < 1.5e-7 rad in float.
constexpr float kAtanC[8] = {0.999999344f, -0.333298594f, 0.199465603f, -0.139086038f,
                             0.0964213237f, -0.0559114590f, 0.0218623728f, -0.00405440945f};

inline float float_of(std::uint32_t u) {
    float v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// ITA in degrees for one pixel, branch-free and in integer bit operations where
// a float select would let GCC's jump threading split the loop (so it stays
// vectorisable with SSE2): octant reduction to r = min(|d|, |b|) / max(|d|, |b|)
// in [0, 1], polynomial, complement, sign. b == 0 (either sign) counts as
// positive, so the limit +-90 follows d = L - 50; d == b == 0 gives 0.
inline float ita_deg(float L, float b) {
    constexpr float kDeg = static_cast<float>(180.0 / 3.14159265358979323846);
    constexpr float kHalfPi = static_cast<float>(3.14159265358979323846 / 2.0);
    const std::uint32_t db = bits_of(L - 50.0f), bb = bits_of(b);
    const std::uint32_t ad = db & 0x7fffffffu, ab = bb & 0x7fffffffu;
    const std::uint32_t num = std::min(ad, ab);
    const std::uint32_t den = std::max(std::max(ad, ab), 0x00800000u);  // >= FLT_MIN: no 0/0
    const float r = float_of(num) / float_of(den);
    const float u = r * r;
    float p = kAtanC[7];
    for (int i = 6; i >= 0; --i) p = p * u + kAtanC[i];
    p *= r;
    const float q = kHalfPi - p;
    const std::uint32_t swap = 0u - static_cast<std::uint32_t>(ad > ab);
    const float ang = float_of((bits_of(q) & swap) | (bits_of(p) & ~swap)) * kDeg;
    const std::uint32_t neg = ((db ^ bb) & 0x80000000u) & (0u - static_cast<std::uint32_t>(ab != 0u));
    const std::uint32_t neg_d = db & 0x80000000u & (0u - static_cast<std::uint32_t>(ab == 0u));
    const std::uint32_t res = bits_of(ang) ^ (neg | neg_d);
    const std::uint32_t bad = 0u - static_cast<std::uint32_t>((bits_of(L) & 0x7f800000u) == 0x7f800000u ||
                                                              (bb & 0x7f800000u) == 0x7f800000u);
    return float_of((0x7fc00000u & bad) | (res & ~bad));
}

}  // namespace

void ita_map(ConstView<float> lab, MutView<float> out, int threads) {
    if (lab.channels != 3 || out.channels != 1) throw std::invalid_argument("ita_map: bad channels");
    if (lab.width != out.width || lab.height != out.height)
        throw std::invalid_argument("ita_map: shape mismatch");
    if (lab.empty()) return;
    parallel_rows(lab.height, row_grain(lab.width, 1 << 14), threads,
                  [&](std::int64_t y0, std::int64_t y1) {
                      float Lb[kBlock], bb[kBlock];
                      for (std::int64_t y = y0; y < y1; ++y) {
                          const float* s = lab.row(y);
                          float* d = out.row(y);
                          for (std::int64_t x0 = 0; x0 < lab.width; x0 += kBlock) {
                              const int n = static_cast<int>(std::min<std::int64_t>(kBlock, lab.width - x0));
                              const float* sp = s + 3 * x0;
                              for (int i = 0; i < n; ++i) {
                                  Lb[i] = sp[3 * i];
                                  bb[i] = sp[3 * i + 2];
                              }
                              float* dp = d + x0;
                              for (int i = 0; i < n; ++i) dp[i] = ita_deg(Lb[i], bb[i]);
                          }
                      }
                  });
}

namespace {

// hypotf as glibc >= 2.35 computes it (and NumPy calls it for float32): the
// squares are exact in double, the sum and the root rounded once each, then
// narrowed. Built without FMA (the AVX2 clone does not enable it), so the sum is
// never contracted.
inline float chroma_of(float a, float b) {
    if (std::isinf(a) || std::isinf(b)) return std::numeric_limits<float>::infinity();
    const double da = static_cast<double>(a), db = static_cast<double>(b);
    const double sa = da * da, sb = db * db;
    return static_cast<float>(std::sqrt(sa + sb));
}

SKINCORE_AVX2_CLONES void lightness_chroma_row(const float* s, float* l, float* c, std::int64_t w) {
    for (std::int64_t x = 0; x < w; ++x) {
        l[x] = s[3 * x];
        c[x] = chroma_of(s[3 * x + 1], s[3 * x + 2]);
    }
}

}  // namespace

void lightness_chroma(ConstView<float> lab, MutView<float> light, MutView<float> chroma,
                      int threads) {
    if (lab.channels != 3 || light.channels != 1 || chroma.channels != 1)
        throw std::invalid_argument("lightness_chroma: bad channels");
    if (lab.width != light.width || lab.height != light.height || lab.width != chroma.width ||
        lab.height != chroma.height)
        throw std::invalid_argument("lightness_chroma: shape mismatch");
    if (lab.empty()) return;
    parallel_rows(lab.height, row_grain(lab.width, 1 << 15), threads,
                  [&](std::int64_t y0, std::int64_t y1) {
                      for (std::int64_t y = y0; y < y1; ++y)
                          lightness_chroma_row(lab.row(y), light.row(y), chroma.row(y), lab.width);
                  });
}

void apply_channel_luts(ConstView<std::uint8_t> rgb, const std::uint8_t* luts,
                        MutView<std::uint8_t> out, int threads) {
    if (rgb.channels != 3 || out.channels != 3)
        throw std::invalid_argument("apply_channel_luts: bad channels");
    if (rgb.width != out.width || rgb.height != out.height)
        throw std::invalid_argument("apply_channel_luts: shape mismatch");
    if (rgb.empty()) return;
    const std::uint8_t* l0 = luts;
    const std::uint8_t* l1 = luts + 256;
    const std::uint8_t* l2 = luts + 512;
    parallel_rows(rgb.height, row_grain(rgb.width * 3, 1 << 16), threads,
                  [&](std::int64_t y0, std::int64_t y1) {
                      for (std::int64_t y = y0; y < y1; ++y) {
                          const std::uint8_t* s = rgb.row(y);
                          std::uint8_t* d = out.row(y);
                          // in place too: each pixel is read, then written
                          for (std::int64_t x = 0; x < rgb.width; ++x) {
                              const std::uint8_t r = s[3 * x], g = s[3 * x + 1], b = s[3 * x + 2];
                              d[3 * x] = l0[r];
                              d[3 * x + 1] = l1[g];
                              d[3 * x + 2] = l2[b];
                          }
                      }
                  });
}

void masked_channel_luts(ConstView<std::uint8_t> rgb, ConstView<std::uint8_t> mask,
                         const std::uint8_t* luts, MutView<std::uint8_t> out, int threads) {
    if (rgb.channels != 3 || mask.channels != 1 || out.channels != 3)
        throw std::invalid_argument("masked_channel_luts: bad channels");
    if (rgb.width != mask.width || rgb.height != mask.height)
        throw std::invalid_argument("masked_channel_luts: shape mismatch");
    if (out.height != 1) throw std::invalid_argument("masked_channel_luts: out must be one row");
    const std::int64_t w = rgb.width, h = rgb.height;
    // Pass 1: masked pixels per row; their prefix sums place each row's pixels.
    std::vector<std::int64_t> start(static_cast<std::size_t>(h) + 1, 0);
    if (!rgb.empty())
        parallel_rows(h, row_grain(w, 1 << 16), threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) {
                const std::uint8_t* m = mask.row(y);
                std::int64_t n = 0;
                for (std::int64_t x = 0; x < w; ++x) n += m[x] != 0;
                start[static_cast<std::size_t>(y) + 1] = n;
            }
        });
    for (std::int64_t y = 0; y < h; ++y) start[static_cast<std::size_t>(y) + 1] += start[static_cast<std::size_t>(y)];
    if (start[static_cast<std::size_t>(h)] != out.width)
        throw std::invalid_argument("masked_channel_luts: out width differs from the masked pixel count");
    if (out.width == 0) return;
    const std::uint8_t* l0 = luts;
    const std::uint8_t* l1 = luts + 256;
    const std::uint8_t* l2 = luts + 512;
    std::uint8_t* dst = out.row(0);
    parallel_rows(h, row_grain(w, 1 << 15), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* s = rgb.row(y);
            const std::uint8_t* m = mask.row(y);
            std::uint8_t* d = dst + 3 * start[static_cast<std::size_t>(y)];
            for (std::int64_t x = 0; x < w; ++x) {
                if (!m[x]) continue;
                d[0] = l0[s[3 * x]];
                d[1] = l1[s[3 * x + 1]];
                d[2] = l2[s[3 * x + 2]];
                d += 3;
            }
        }
    });
}

// ---------------------------------------------------------------------------
// Robust statistics.

namespace {

// Histogram bins: floor(v * 100) clamped, without std::floor (a libm call on
// baseline x86-64): conversion truncates, then negatives are stepped down.
inline std::int32_t l_bin(float L) {
    const float v = L * 100.0f;
    if (!(v >= 1.0f)) return 0;  // also NaN (callers skip non-finite values)
    if (v >= static_cast<float>(kLBins - 1)) return kLBins - 1;
    return static_cast<std::int32_t>(v);
}

inline std::int32_t ab_bin(float a) {
    const float v = a * 100.0f;
    if (!(v > -12800.0f)) return 0;
    if (v >= 12799.0f) return kAbBins - 1;
    std::int32_t j = static_cast<std::int32_t>(v);
    if (static_cast<float>(j) > v) --j;
    return j + 12800;
}

// [x0, x1): the first to one past the last nonzero byte of a mask row (x0 == x1
// when none), eight bytes at a time from both ends: region masks are mostly zero,
// and a pixel outside a row's extent is never read.
inline void row_extent(const std::uint8_t* m, std::int64_t w, std::int64_t& x0, std::int64_t& x1) {
    std::int64_t a = 0, b = w;
    std::uint64_t v;
    while (a + 8 <= b) {
        std::memcpy(&v, m + a, 8);
        if (v) break;
        a += 8;
    }
    while (a < b && !m[a]) ++a;
    while (b - 8 >= a) {
        std::memcpy(&v, m + b - 8, 8);
        if (v) break;
        b -= 8;
    }
    while (b > a && !m[b - 1]) --b;
    x0 = a;
    x1 = b;
}

// Bins holding the order statistics of rank (n-1)/2 and n/2 (0-based).
void median_bins(const std::vector<std::uint64_t>& h, std::int64_t begin, std::int64_t end,
                 std::uint64_t n, std::int64_t& i1, std::int64_t& i2) {
    const std::uint64_t r1 = (n - 1) / 2, r2 = n / 2;
    std::uint64_t cum = 0;
    i1 = i2 = -1;
    for (std::int64_t j = begin; j < end; ++j) {
        cum += h[static_cast<std::size_t>(j)];
        if (i1 < 0 && cum > r1) i1 = j;
        if (cum > r2) {
            i2 = j;
            break;
        }
    }
}

struct Moments {
    std::int64_t n = 0;
    double mean[3] = {0, 0, 0};
    double m2[3] = {0, 0, 0};
};

// Chan et al. pairwise update of (n, mean, M2); applied in block order.
void merge(Moments& acc, const Moments& b) {
    if (b.n == 0) return;
    if (acc.n == 0) {
        acc = b;
        return;
    }
    const double na = static_cast<double>(acc.n), nb = static_cast<double>(b.n);
    const double n = na + nb;
    for (int c = 0; c < 3; ++c) {
        const double delta = b.mean[c] - acc.mean[c];
        acc.mean[c] += delta * (nb / n);
        acc.m2[c] += b.m2[c] + delta * delta * (na * nb / n);
    }
    acc.n += b.n;
}

}  // namespace

LabStats lab_stats(ConstView<float> lab, ConstView<std::uint8_t> mask, double k, int threads) {
    if (lab.channels != 3 || mask.channels != 1) throw std::invalid_argument("lab_stats: bad channels");
    if (lab.width != mask.width || lab.height != mask.height)
        throw std::invalid_argument("lab_stats: shape mismatch");
    if (!(k > 0.0)) throw std::invalid_argument("lab_stats: k must be > 0");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    LabStats st;
    st.L_median_all = st.L_mad_all = st.L_low = st.L_high = nan;
    for (int c = 0; c < 3; ++c) st.mean[c] = st.median[c] = st.std[c] = nan;
    if (lab.empty()) return st;
    const std::int64_t w = lab.width, h = lab.height;
    if (w > (std::int64_t{1} << 31) / h) throw std::invalid_argument("lab_stats: image too large");

    // Blocks of rows (size depends on the image only) carry the floating-point
    // partials; slots (<= threads, contiguous runs of blocks) carry the integer
    // histograms, whose merge is exact in any order.
    const std::int64_t grain = row_grain(w, 1 << 15);
    const std::int64_t nblocks = chunk_count(h, grain);
    const std::int64_t nslots = std::min<std::int64_t>({static_cast<std::int64_t>(resolve_threads(threads)),
                                                        nblocks, 64});
    const std::int64_t per_slot = (nblocks + nslots - 1) / nslots;
    const std::int64_t nchunks = chunk_count(nblocks, per_slot);

    // Pass 1: L* histogram and counts over masked pixels.
    std::vector<std::uint32_t> lh(static_cast<std::size_t>(nchunks * kLBins), 0);
    std::vector<std::int64_t> nmask(static_cast<std::size_t>(nchunks), 0), ninv(nmask);
    // The a*, b* range of the valid pixels (per slot): pass 2's histograms span its
    // bins only (a few thousand of 25 600 for skin), so they stay in cache.
    std::vector<float> ab_range(static_cast<std::size_t>(4 * nchunks), 0.0f);
    parallel_chunks(nblocks, per_slot, threads, [&](std::int64_t c, std::int64_t b0, std::int64_t b1) {
        std::uint32_t* hist = lh.data() + c * kLBins;
        std::int64_t nm = 0, ni = 0;
        float amin = std::numeric_limits<float>::infinity(), amax = -amin, bmin = amin, bmax = -amin;
        const std::int64_t y1 = std::min(h, b1 * grain);
        for (std::int64_t y = b0 * grain; y < y1; ++y) {
            const float* s = lab.row(y);
            const std::uint8_t* m = mask.row(y);
            std::int64_t xa, xb;
            row_extent(m, w, xa, xb);
            for (std::int64_t x = xa; x < xb; ++x) {
                if (!m[x]) continue;
                ++nm;
                const float L = s[3 * x], a = s[3 * x + 1], b = s[3 * x + 2];
                if (!(std::isfinite(L) && std::isfinite(a) && std::isfinite(b))) {
                    ++ni;
                    continue;
                }
                ++hist[l_bin(L)];
                amin = std::min(amin, a);
                amax = std::max(amax, a);
                bmin = std::min(bmin, b);
                bmax = std::max(bmax, b);
            }
        }
        nmask[static_cast<std::size_t>(c)] = nm;
        ninv[static_cast<std::size_t>(c)] = ni;
        float* rg = ab_range.data() + 4 * c;
        rg[0] = amin, rg[1] = amax, rg[2] = bmin, rg[3] = bmax;
    });
    std::vector<std::uint64_t> lhist(kLBins, 0);
    for (std::int64_t c = 0; c < nchunks; ++c) {
        st.n_mask += nmask[static_cast<std::size_t>(c)];
        st.n_invalid += ninv[static_cast<std::size_t>(c)];
        for (std::int32_t j = 0; j < kLBins; ++j) lhist[static_cast<std::size_t>(j)] += lh[static_cast<std::size_t>(c * kLBins + j)];
    }
    const std::uint64_t nvalid = static_cast<std::uint64_t>(st.n_mask - st.n_invalid);
    if (nvalid == 0) return st;

    // Median and MAD of L* in bin units. s2 = i1 + i2 is twice the median bin
    // index; deviations |2j - s2| are in half bins, their median sum d1 + d2 is
    // the MAD in quarter bins.
    std::int64_t i1, i2;
    median_bins(lhist, 0, kLBins, nvalid, i1, i2);
    const std::int64_t s2 = i1 + i2;
    std::vector<std::uint64_t> dev(2 * kLBins + 1, 0);
    for (std::int64_t j = 0; j < kLBins; ++j) {
        const std::int64_t d = 2 * j - s2;
        dev[static_cast<std::size_t>(d < 0 ? -d : d)] += lhist[static_cast<std::size_t>(j)];
    }
    std::int64_t d1, d2;
    median_bins(dev, 0, 2 * kLBins + 1, nvalid, d1, d2);
    st.L_median_all = static_cast<double>(s2 + 1) * (0.5 * kBinWidth);
    st.L_mad_all = static_cast<double>(d1 + d2) * (0.25 * kBinWidth);
    // Keep bin j iff |4j - 2 s2| <= thr (quarter bins); thr never below 0.5 L*.
    std::int64_t jlo = 0, jhi = kLBins - 1;
    if (!std::isinf(k)) {
        const double thr = std::max(k * 1.4826 * static_cast<double>(d1 + d2), 4.0 * 50.0);
        // |4j - 2 s2| is V-shaped in j: the kept bins are one interval, found from
        // both ends (the first and the last bin that pass, as a full scan finds them).
        auto keep = [&](std::int64_t j) {
            const std::int64_t d = 4 * j - 2 * s2;
            return static_cast<double>(d < 0 ? -d : d) <= thr;
        };
        jlo = 0;
        while (jlo < kLBins && !keep(jlo)) ++jlo;
        jhi = kLBins - 1;
        while (jhi >= 0 && !keep(jhi)) --jhi;
    }
    // The median bin always satisfies the rule, so jlo <= jhi here.
    st.L_low = static_cast<double>(jlo) * kBinWidth;
    st.L_high = static_cast<double>(jhi + 1) * kBinWidth;
    for (std::int64_t j = 0; j < jlo; ++j) st.n_shadow += static_cast<std::int64_t>(lhist[static_cast<std::size_t>(j)]);
    for (std::int64_t j = jhi + 1; j < kLBins; ++j)
        st.n_highlight += static_cast<std::int64_t>(lhist[static_cast<std::size_t>(j)]);
    const std::uint64_t nused = nvalid - static_cast<std::uint64_t>(st.n_shadow + st.n_highlight);
    st.n_used = static_cast<std::int64_t>(nused);
    if (nused == 0) return st;

    // Pass 2: a*, b* histograms and per-block moments over kept pixels.
    // Bins [ja0, ja1] and [jb0, jb1] hold every valid a*, b* (ab_bin is monotonic).
    float amin = std::numeric_limits<float>::infinity(), amax = -amin, bmin = amin, bmax = -amin;
    for (std::int64_t c = 0; c < nchunks; ++c) {
        const float* rg = ab_range.data() + 4 * c;
        amin = std::min(amin, rg[0]), amax = std::max(amax, rg[1]);
        bmin = std::min(bmin, rg[2]), bmax = std::max(bmax, rg[3]);
    }
    const std::int32_t ja0 = ab_bin(amin), jb0 = ab_bin(bmin);
    const std::int64_t na = ab_bin(amax) - ja0 + 1, nb = ab_bin(bmax) - jb0 + 1;
    std::vector<std::uint32_t> abh(static_cast<std::size_t>(nchunks * (na + nb)), 0);
    std::vector<Moments> blocks(static_cast<std::size_t>(nblocks));
    const std::int32_t klo = static_cast<std::int32_t>(jlo), khi = static_cast<std::int32_t>(jhi);
    parallel_chunks(nblocks, per_slot, threads, [&](std::int64_t c, std::int64_t b0, std::int64_t b1) {
        std::uint32_t* ha = abh.data() + c * (na + nb);
        std::uint32_t* hb = ha + na;
        for (std::int64_t blk = b0; blk < b1; ++blk) {
            std::int64_t n = 0;
            double shift[3] = {0, 0, 0}, s1[3] = {0, 0, 0}, sq[3] = {0, 0, 0};
            const std::int64_t y1 = std::min(h, (blk + 1) * grain);
            for (std::int64_t y = blk * grain; y < y1; ++y) {
                const float* s = lab.row(y);
                const std::uint8_t* m = mask.row(y);
                std::int64_t xa, xb;
                row_extent(m, w, xa, xb);
                for (std::int64_t x = xa; x < xb; ++x) {
                    if (!m[x]) continue;
                    const float L = s[3 * x], a = s[3 * x + 1], b = s[3 * x + 2];
                    if (!(std::isfinite(L) && std::isfinite(a) && std::isfinite(b))) continue;
                    const std::int32_t j = l_bin(L);
                    if (j < klo || j > khi) continue;
                    ++ha[ab_bin(a) - ja0];
                    ++hb[ab_bin(b) - jb0];
                    const double v[3] = {L, a, b};
                    if (n == 0)
                        for (int q = 0; q < 3; ++q) shift[q] = v[q];
                    ++n;
                    for (int q = 0; q < 3; ++q) {
                        const double d = v[q] - shift[q];
                        s1[q] += d;
                        sq[q] += d * d;
                    }
                }
            }
            Moments& mo = blocks[static_cast<std::size_t>(blk)];
            mo.n = n;
            if (n > 0) {
                const double dn = static_cast<double>(n);
                for (int q = 0; q < 3; ++q) {
                    mo.mean[q] = shift[q] + s1[q] / dn;
                    mo.m2[q] = std::max(0.0, sq[q] - s1[q] * s1[q] / dn);
                }
            }
        }
    });
    Moments tot;
    for (const Moments& mo : blocks) merge(tot, mo);
    const double dn = static_cast<double>(tot.n);
    for (int c = 0; c < 3; ++c) {
        st.mean[c] = tot.mean[c];
        st.std[c] = std::sqrt(tot.m2[c] / dn);
    }
    // Medians of the kept pixels.
    std::int64_t m1, m2;
    median_bins(lhist, jlo, jhi + 1, nused, m1, m2);
    st.median[0] = static_cast<double>(m1 + m2 + 1) * (0.5 * kBinWidth);
    for (int c = 0; c < 2; ++c) {
        const std::int64_t j0 = c == 0 ? ja0 : jb0, nbin = c == 0 ? na : nb, off = c == 0 ? 0 : na;
        std::vector<std::uint64_t> hh(static_cast<std::size_t>(nbin), 0);  // bins j0 .. j0 + nbin - 1
        for (std::int64_t q = 0; q < nchunks; ++q) {
            const std::uint32_t* src = abh.data() + q * (na + nb) + off;
            for (std::int64_t j = 0; j < nbin; ++j) hh[static_cast<std::size_t>(j)] += src[j];
        }
        median_bins(hh, 0, nbin, nused, m1, m2);
        m1 += j0, m2 += j0;
        st.median[c + 1] = kAbOrigin + static_cast<double>(m1 + m2 + 1) * (0.5 * kBinWidth);
    }
    return st;
}

}  // namespace skincore::color
