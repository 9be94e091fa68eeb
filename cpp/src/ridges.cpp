// Ridge kernels: Frangi vesselness and ridge tracing.
#include "skincore/ridges.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "skincore/cpu.hpp"
#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"
#include "skincore/scratch.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define SKINCORE_RIDGES_AVX2 1
#endif

namespace skincore {

namespace {

constexpr float kPi = 3.14159265358979323846f;
constexpr float kHalfPi = 1.57079632679489661923f;

template <class V>
void check_hw(const V& v, std::int64_t w, std::int64_t h, const char* what) {
    if (v.width != w || v.height != h)
        throw std::invalid_argument(std::string(what) + ": shape does not match the input");
}

// The first scale's blurred image (the one full-size map, needed with the
// automatic gamma) is kept per calling thread between calls up to this many
// bytes: allocating and page-faulting it anew cost several per cent of a
// 1080x1080 call at one thread. Larger needs are allocated for the call only.
constexpr std::size_t kFrangiKeepBytes = std::size_t{64} << 20;

// Uninitialised scratch of n floats: the caller's kept buffer when it fits,
// else `local` (freed with the call).
float* frangi_scratch(std::size_t n, Scratch<float>& local) {
    thread_local Scratch<float> kept;
    if (n * sizeof(float) <= kFrangiKeepBytes) {
        if (kept.size() < n) {
            kept = Scratch<float>();  // release first: no old + new peak
            kept.resize(n);
        }
        return kept.data();
    }
    local.resize(n);
    return local.data();
}

// hessian_row's interior columns [a, e) (1 <= a, e <= W - 1): an AVX2 clone, the
// same float operations per column (no FMA), so the values are identical.
SKINCORE_AVX2_CLONES void hessian_inner(const float* __restrict rm, const float* __restrict r,
                                        const float* __restrict rp, float s2, long a, long e,
                                        float* __restrict hxx, float* __restrict hyy, float* __restrict hxy) {
    for (long x = a; x < e; ++x) {
        hxx[x] = ((r[x - 1] + r[x + 1]) - 2.0f * r[x]) * s2;
        hyy[x] = ((rm[x] + rp[x]) - 2.0f * r[x]) * s2;
        hxy[x] = (((rp[x + 1] - rp[x - 1]) - (rm[x + 1] - rm[x - 1])) * 0.25f) * s2;
    }
}

// Central differences of the blurred rows rm, r, rp (rows y - 1, y, y + 1 after
// reflect-101) at columns [x0, x1), reflect-101 at the left and right borders,
// written into three row buffers (indexed by column).
inline void hessian_row(const float* rm, const float* r, const float* rp, long W, float s2, long x0, long x1,
                        float* hxx, float* hyy, float* hxy) {
    auto one = [&](long x, long xm, long xp) {
        hxx[x] = ((r[xm] + r[xp]) - 2.0f * r[x]) * s2;
        hyy[x] = ((rm[x] + rp[x]) - 2.0f * r[x]) * s2;
        hxy[x] = (((rp[xp] - rp[xm]) - (rm[xp] - rm[xm])) * 0.25f) * s2;
    };
    if (x0 >= x1) return;
    if (W == 1) {
        one(0, 0, 0);
        return;
    }
    if (x0 == 0) one(0, 1, 1);
    const long a = std::max(x0, 1L), e = std::min(x1, W - 1);
    hessian_inner(rm, r, rp, s2, a, e, hxx, hyy, hxy);  // one(x, x - 1, x + 1)
    if (x1 == W) one(W - 1, W - 2, W - 2);
}

// exp(x) for float x with exp(x) = 0 for x < -87 (no denormals) and x > 88
// clamped: Cody-Waite reduction and a degree-6 Taylor polynomial (~1 ulp), plain
// arithmetic so that the row loops vectorise (std::exp does not without
// -ffast-math). NaN in gives NaN out.
inline float exp_flush(float x) {
    // Clamp to [-87, 88]: 2^k * p stays a normal float (denormal products are slow).
    float xc = x > -87.0f ? x : -87.0f;  // NaN -> -87 (no UB below; result unspecified)
    xc = xc < 88.0f ? xc : 88.0f;
    const float t = xc * 1.44269504f;
    const float k = (t + 12582912.0f) - 12582912.0f;  // round to nearest, |t| < 2^22
    const float r = (xc - k * 0.693145752f) - k * 1.42860677e-6f;
    const float p =
        1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f +
                                                                                     r * 0.00138888892f)))));
    const std::int32_t ki = static_cast<std::int32_t>(k > -126.0f ? k : -126.0f);
    const std::int32_t bits = (ki + 127) * (1 << 23);
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return x < -87.0f ? 0.0f : p * scale;
}

// u ? a : b through the bit patterns: a plain select becomes a conditional store,
// which GCC does not vectorise.
inline float blend(bool u, float a, float b) {
    std::uint32_t ia, ib;
    std::memcpy(&ia, &a, sizeof ia);
    std::memcpy(&ib, &b, sizeof ib);
    const std::uint32_t m = 0u - static_cast<std::uint32_t>(u);
    const std::uint32_t r = (ia & m) | (ib & ~m);
    float out;
    std::memcpy(&out, &r, sizeof out);
    return out;
}

// atan(t) ~ t * P(t^2) on [0, 1]: a degree-8 polynomial in t^2 fitted for the
// smallest maximum absolute error (Lawson's iteration on 40,000 points); in
// float32 Horner arithmetic it is within 1.1e-7 of atan (measured on 2e6 points).
constexpr float kAtanPoly[9] = {0.9999999f,    -0.33332598f,  0.19985907f,  -0.14161229f,  0.10498946f,
                                -0.07234858f, 0.03978123f,   -0.014401363f, 0.0024567258f};

// atan2(y, x) in plain float arithmetic, so that the row loop vectorises (the libm
// call does not, and took a quarter of a 1080x1080 call): the octant reduction
// t = min(|x|, |y|) / max(|x|, |y|), the polynomial, then pi/2 - a, pi - a and
// the sign of y. Within 2.4e-7 of atan2 (tests/test_kernel_ridges.py measures it);
// atan2's signed zeros: (+-0, +0) -> +-0, (+-0, -0) -> +-pi. For finite x, y.
inline float atan2_poly(float y, float x) {
    const float ax = std::fabs(x), ay = std::fabs(y);
    const bool xbig = ax > ay;
    const float mx = xbig ? ax : ay, mn = xbig ? ay : ax;
    const float t = mn / (mx > 0.0f ? mx : 1.0f);
    const float u = t * t;
    float p = kAtanPoly[8];
    for (int k = 7; k >= 0; --k) p = p * u + kAtanPoly[k];
    float a = p * t;
    a = blend(ay > ax, kHalfPi - a, a);
    std::uint32_t xb, ab, yb;
    std::memcpy(&xb, &x, sizeof xb);
    a = blend((xb >> 31) != 0, kPi - a, a);
    std::memcpy(&ab, &a, sizeof ab);
    std::memcpy(&yb, &y, sizeof yb);
    ab |= yb & 0x80000000u;
    std::memcpy(&a, &ab, sizeof a);
    return a;
}

// Orientation of the best scale at columns [x0, x1): 0.5 atan2(q, p) wrapped to
// [-pi/2, pi/2) where response > 0 and >= omin, else 0. `o` holds p on entry.
void orientation_row(const float* __restrict ro, const float* __restrict qo, float* __restrict o, float omin,
                     long x0, long x1) {
    for (long x = x0; x < x1; ++x) {
        float th = 0.5f * atan2_poly(qo[x], o[x]);
        th = blend(th >= kHalfPi, th - kPi, th);
        th = blend(th < -kHalfPi, th + kPi, th);
        o[x] = blend(ro[x] > 0.0f && ro[x] >= omin, th, 0.0f);
    }
}

// gradient_row's interior columns [a, e): an AVX2 clone (identical values).
SKINCORE_AVX2_CLONES void gradient_inner(const float* __restrict rm, const float* __restrict r,
                                         const float* __restrict rp, long a, long e, float* __restrict gx,
                                         float* __restrict gy) {
    for (long x = a; x < e; ++x) {
        gx[x] = (r[x + 1] - r[x - 1]) * 0.5f;
        gy[x] = (rp[x] - rm[x]) * 0.5f;
    }
}

// Central-difference gradient of the blurred rows (as hessian_row) at columns
// [x0, x1); the interior loop has no index arithmetic, so it vectorises.
inline void gradient_row(const float* rm, const float* r, const float* rp, long W, long x0, long x1, float* gx,
                         float* gy) {
    auto one = [&](long x) {
        const long xm = reflect101(x - 1, W), xp = reflect101(x + 1, W);
        gx[x] = (r[xp] - r[xm]) * 0.5f;
        gy[x] = (rp[x] - rm[x]) * 0.5f;
    };
    if (x0 >= x1) return;
    if (W < 3) {
        for (long x = x0; x < x1; ++x) one(x);
        return;
    }
    if (x0 == 0) one(0);
    const long a = std::max(x0, 1L), e = std::min(x1, W - 1);
    gradient_inner(rm, r, rp, a, e, gx, gy);
    if (x1 == W) one(W - 1);
}

struct VessRow {
    const float *hxx, *hyy, *hxy, *gx, *gy;
    float *v, *l2, *p, *q;
    float b2, g2, gsc2, e2;
    bool use_edge;
    // > 0: vesselness below it is not needed (sparse path, see vesselness_row).
    float floor;
    std::int32_t* idx;  // scratch of the sparse path (w entries)
};

// Per-pixel pieces of the vesselness, shared by the dense and the sparse path
// so that both do the same float operations in the same order.
struct Eig {
    float l1, l2;
    bool b_first;
};

inline Eig eig(float a, float c, float b) {
    const float tr = (a + c) * 0.5f, d = (a - c) * 0.5f;
    const float hs = std::sqrt(b * b + d * d);
    const float la = tr + hs, lb = tr - hs;
    const bool b_first = std::fabs(lb) < std::fabs(la);
    return {b_first ? lb : la, b_first ? la : lb, b_first};
}

inline float plain_vesselness(float l1, float l2, float b2, float g2) {
    const float l2c = (l2 > 1e-10f ? l2 : 1e-10f);
    const float rb = std::fabs(l1) / l2c;
    const float e1 = -(rb * rb) / b2;
    const float ss = l1 * l1 + l2 * l2;
    return exp_flush(e1) * (1.0f - exp_flush(-ss / g2));
}

// exp(-Rg^2 / 2 edge_beta^2) with Rg from the gradient across the ridge (along
// l2's eigenvector; along the ridge it is normal, at the ends).
inline float edge_factor(float a, float c, float b, float l2, float gx, float gy, float gsc2, float e2) {
    const float l2c = (l2 > 1e-10f ? l2 : 1e-10f);
    const float n1x = b, n1y = l2 - a, n2x = l2 - c, n2y = b;
    const float q1 = n1x * n1x + n1y * n1y, q2 = n2x * n2x + n2y * n2y;
    const bool first = q1 >= q2;
    const float nx = first ? n1x : n2x, ny = first ? n1y : n2y, q = first ? q1 : q2;
    const float gn = gx * nx + gy * ny;
    const float qs = q > 0.0f ? q : 1.0f;
    const float along = (gn * gn) / qs, full = gx * gx + gy * gy;
    const float gp2 = q > 0.0f ? along : full;
    const float rg2 = (gp2 * gsc2) / (l2c * l2c);
    return exp_flush(-rg2 / e2);
}

// Vesselness of one row, written branch-free (selects between computed values).
// GCC vectorises it with -fno-trapping-math (set by the build). (An AVX2
// target_clones instance measured 1.6x slower than this SSE2 loop here.)
//
// Sparse path (floor > 0): V <= 1 - exp(-S^2 / 2 gamma^2) <= S^2 / 2 gamma^2, so
// where that bound is below 0.999 * floor (or the polarity is wrong) V is below
// the floor and is written as 0 without its exponentials; the other pixels (on
// skin a few per cent) get the exact value, computed by the same expressions.
template <bool Sparse>
void eigen_loop(const VessRow& r, long w) {
    const float* __restrict hxx = r.hxx;
    const float* __restrict hyy = r.hyy;
    const float* __restrict hxy = r.hxy;
    float* __restrict vo = r.v;
    float* __restrict l2o = r.l2;
    float* __restrict po = r.p;
    float* __restrict qo = r.q;
    const float b2 = r.b2, g2 = r.g2;
    for (long x = 0; x < w; ++x) {
        const float a = hxx[x], c = hyy[x], b = hxy[x];
        const Eig e = eig(a, c, b);
        // Wrong polarity is 0 (scikit-image relies on exp underflow, which
        // fails where l1 is exactly 0, e.g. the centre of a straight line).
        const bool pos = e.l2 > 0.0f;
        if constexpr (Sparse) {
            vo[x] = pos ? e.l1 * e.l1 + e.l2 * e.l2 : -1.0f;  // S^2, for the bound
        } else {
            const float v = plain_vesselness(e.l1, e.l2, b2, g2);  // computed, then selected
            vo[x] = pos ? v : 0.0f;
        }
        l2o[x] = pos ? e.l2 : 0.0f;
        // The ridge runs along l1's eigenvector: at 0.5 * atan2(q, p) with
        // (p, q) = +-(a - c, 2b), negated when l1 is lb (a right angle).
        const float amc = a - c, b2x = 2.0f * b;  // computed, then selected
        po[x] = e.b_first ? -amc : amc;
        qo[x] = e.b_first ? -b2x : b2x;
    }
}

void vesselness_row(const VessRow& r, long w) {
    float* __restrict vo = r.v;
    const float* __restrict l2o = r.l2;
    if (r.floor > 0.0f) {
        eigen_loop<true>(r, w);
        // S^2 below smin: V < floor. The margins cover float rounding (0.1 % of
        // the floor, and 1e-7 absolute: exp_flush's error near 1); smin >= 0, so
        // the wrong polarity (stored as -1) is never computed.
        const float smin = std::max(0.999f * r.floor - 1e-7f, 0.0f) * r.g2;
        std::int32_t* __restrict idx = r.idx;
        long n = 0;
        for (long x = 0; x < w; ++x) {
            idx[n] = static_cast<std::int32_t>(x);
            n += vo[x] >= smin ? 1 : 0;
            vo[x] = 0.0f;
        }
        for (long k = 0; k < n; ++k) {
            const long x = idx[k];
            const float a = r.hxx[x], c = r.hyy[x], b = r.hxy[x];
            const Eig e = eig(a, c, b);
            float v = plain_vesselness(e.l1, e.l2, r.b2, r.g2);
            if (r.use_edge) v = v * edge_factor(a, c, b, l2o[x], r.gx[x], r.gy[x], r.gsc2, r.e2);
            vo[x] = v;
        }
        return;
    }
    eigen_loop<false>(r, w);
    if (r.use_edge) {
        for (long x = 0; x < w; ++x)
            vo[x] = vo[x] * edge_factor(r.hxx[x], r.hyy[x], r.hxy[x], l2o[x], r.gx[x], r.gy[x], r.gsc2, r.e2);
    }
}

struct BestRow {
    const std::uint8_t* mask;  // null: every pixel counts
    float *v, *l2;  // overwritten with -1 outside the mask
    const float *p, *q;
    float *resp, *scale, *orient, *qbest, *strength, *strength_scale;
    float sigma;
};

// Keep, per pixel of [xa, xb) inside the mask, the largest response (with its
// sigma and (p, q)) and the largest l2 (with its sigma): the values of the plain
// compare-and-assign, written as bit blends so that the loops vectorise. Outside
// the mask v and l2 are first set to -1, which never wins (both start at 0).
void keep_best(const BestRow& r, long xa, long xb) {
    float* __restrict v = r.v;
    float* __restrict l2 = r.l2;
    if (r.mask) {
        const std::uint8_t* __restrict mr = r.mask;
        for (long x = xa; x < xb; ++x) {
            const bool in = mr[x] != 0;
            v[x] = blend(in, v[x], -1.0f);
            l2[x] = blend(in, l2[x], -1.0f);
        }
    }
    const float* __restrict pp = r.p;
    const float* __restrict qq = r.q;
    float* __restrict ro = r.resp;
    float* __restrict so = r.scale;
    float* __restrict oo = r.orient;
    float* __restrict qo = r.qbest;
    const float fs = r.sigma;
    if (r.strength) {
        float* __restrict st = r.strength;
        float* __restrict ss = r.strength_scale;
        if (ss) {
            for (long x = xa; x < xb; ++x) {
                const bool u = l2[x] > st[x];
                st[x] = blend(u, l2[x], st[x]);
                ss[x] = blend(u, fs, ss[x]);
            }
        } else {
            for (long x = xa; x < xb; ++x) st[x] = blend(l2[x] > st[x], l2[x], st[x]);
        }
    }
    // Two passes (GCC vectorises neither as one): (p, q) of the best scale (the
    // angle is taken at the end), then the response and its sigma.
    for (long x = xa; x < xb; ++x) {
        const bool u = v[x] > ro[x];
        oo[x] = blend(u, pp[x], oo[x]);
        qo[x] = blend(u, qq[x], qo[x]);
    }
    if (so) {
        for (long x = xa; x < xb; ++x) {
            const bool u = v[x] > ro[x];
            so[x] = blend(u, fs, so[x]);
            ro[x] = blend(u, v[x], ro[x]);
        }
    } else {
        for (long x = xa; x < xb; ++x) ro[x] = blend(v[x] > ro[x], v[x], ro[x]);
    }
}


// One scale's pass over one row (Hessian and gradient in row buffers): the
// vesselness and keep_best, with every buffer indexed by column.
struct ScaleRow {
    const float *hxx, *hyy, *hxy, *gx, *gy;
    const std::uint8_t* mask;  // null: every pixel counts
    float *resp, *scale, *pbest, *qbest, *strength, *strength_scale;
    float b2, g2, gsc2, e2, sigma, floor;
    bool use_edge;
};

#ifdef SKINCORE_RIDGES_AVX2
// The AVX2 instances: the generic loops' IEEE operations in the same order on 8
// lanes (no FMA), so every output is bit-identical to the generic path's; only
// the instruction count changes. (GCC's own AVX2 clone of the generic loops ran
// slower than their SSE2 code.)
namespace avx2 {

#define SKC_AVX2 __attribute__((target("avx2"))) inline

SKC_AVX2 __m256 vabs(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
SKC_AVX2 __m256 vneg(__m256 v) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), v); }
// u ? a : b (u: all-ones or all-zeros lanes)
SKC_AVX2 __m256 sel(__m256 u, __m256 a, __m256 b) { return _mm256_blendv_ps(b, a, u); }

SKC_AVX2 __m256 exp_flush(__m256 x) {
    const __m256 lo = _mm256_set1_ps(-87.0f);
    __m256 xc = _mm256_max_ps(x, lo);  // x > -87 ? x : -87
    xc = _mm256_min_ps(xc, _mm256_set1_ps(88.0f));  // xc < 88 ? xc : 88
    const __m256 t = _mm256_mul_ps(xc, _mm256_set1_ps(1.44269504f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 k = _mm256_sub_ps(_mm256_add_ps(t, magic), magic);
    const __m256 r = _mm256_sub_ps(_mm256_sub_ps(xc, _mm256_mul_ps(k, _mm256_set1_ps(0.693145752f))),
                                   _mm256_mul_ps(k, _mm256_set1_ps(1.42860677e-6f)));
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 p = _mm256_add_ps(_mm256_set1_ps(0.00833333377f), _mm256_mul_ps(r, _mm256_set1_ps(0.00138888892f)));
    p = _mm256_add_ps(_mm256_set1_ps(0.0416666679f), _mm256_mul_ps(r, p));
    p = _mm256_add_ps(_mm256_set1_ps(0.166666672f), _mm256_mul_ps(r, p));
    p = _mm256_add_ps(_mm256_set1_ps(0.5f), _mm256_mul_ps(r, p));
    p = _mm256_add_ps(one, _mm256_mul_ps(r, p));
    p = _mm256_add_ps(one, _mm256_mul_ps(r, p));
    const __m256i ki = _mm256_cvttps_epi32(_mm256_max_ps(k, _mm256_set1_ps(-126.0f)));
    const __m256 scale =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(ki, _mm256_set1_epi32(127)), 23));
    return _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), _mm256_mul_ps(p, scale));
}

SKC_AVX2 __m256 plain_vesselness(__m256 l1, __m256 l2, __m256 ss, __m256 b2, __m256 g2) {
    const __m256 l2c = _mm256_max_ps(l2, _mm256_set1_ps(1e-10f));
    const __m256 rb = _mm256_div_ps(vabs(l1), l2c);
    const __m256 e1 = _mm256_div_ps(vneg(_mm256_mul_ps(rb, rb)), b2);
    const __m256 e2 = _mm256_div_ps(vneg(ss), g2);
    return _mm256_mul_ps(exp_flush(e1), _mm256_sub_ps(_mm256_set1_ps(1.0f), exp_flush(e2)));
}

SKC_AVX2 __m256 edge_factor(__m256 a, __m256 c, __m256 b, __m256 l2, __m256 gx, __m256 gy, __m256 gsc2,
                            __m256 e2) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256 l2c = _mm256_max_ps(l2, _mm256_set1_ps(1e-10f));
    const __m256 n1x = b, n1y = _mm256_sub_ps(l2, a), n2x = _mm256_sub_ps(l2, c), n2y = b;
    const __m256 q1 = _mm256_add_ps(_mm256_mul_ps(n1x, n1x), _mm256_mul_ps(n1y, n1y));
    const __m256 q2 = _mm256_add_ps(_mm256_mul_ps(n2x, n2x), _mm256_mul_ps(n2y, n2y));
    const __m256 first = _mm256_cmp_ps(q1, q2, _CMP_GE_OQ);
    const __m256 nx = sel(first, n1x, n2x), ny = sel(first, n1y, n2y), q = sel(first, q1, q2);
    const __m256 gn = _mm256_add_ps(_mm256_mul_ps(gx, nx), _mm256_mul_ps(gy, ny));
    const __m256 qpos = _mm256_cmp_ps(q, zero, _CMP_GT_OQ);
    const __m256 qs = sel(qpos, q, _mm256_set1_ps(1.0f));
    const __m256 along = _mm256_div_ps(_mm256_mul_ps(gn, gn), qs);
    const __m256 full = _mm256_add_ps(_mm256_mul_ps(gx, gx), _mm256_mul_ps(gy, gy));
    const __m256 gp2 = sel(qpos, along, full);
    const __m256 rg2 = _mm256_div_ps(_mm256_mul_ps(gp2, gsc2), _mm256_mul_ps(l2c, l2c));
    return exp_flush(_mm256_div_ps(vneg(rg2), e2));
}

// Columns [x0, x0 + 8k) of the row; returns where it stopped (the generic code
// does the rest). First: the first scale, whose maxima start at 0 (the outputs are
// written, not read). A block of 8 whose every pixel has the wrong polarity or, by
// vesselness_row's bound V <= S^2 / 2 gamma^2 (with its margins), a V below the
// response floor and below the best response so far, cannot change an output
// (keep_best takes V only where V > best): its exponentials are skipped.
template <bool Sparse, bool First>
__attribute__((target("avx2"))) long scale_row(const ScaleRow& s, long x0, long x1) {
    const __m256 zero = _mm256_setzero_ps(), half = _mm256_set1_ps(0.5f), two = _mm256_set1_ps(2.0f);
    const __m256 b2 = _mm256_set1_ps(s.b2), g2 = _mm256_set1_ps(s.g2), gsc2 = _mm256_set1_ps(s.gsc2),
                 e2 = _mm256_set1_ps(s.e2), sigma = _mm256_set1_ps(s.sigma), minus1 = _mm256_set1_ps(-1.0f);
    const __m256 margin = _mm256_set1_ps(0.999f), tiny = _mm256_set1_ps(1e-7f);
    // as vesselness_row's bound
    const __m256 smin = _mm256_set1_ps(Sparse ? std::max(0.999f * s.floor - 1e-7f, 0.0f) * s.g2 : 0.0f);
    long x = x0;
    for (; x + 8 <= x1; x += 8) {
        const __m256 a = _mm256_loadu_ps(s.hxx + x), c = _mm256_loadu_ps(s.hyy + x), b = _mm256_loadu_ps(s.hxy + x);
        const __m256 tr = _mm256_mul_ps(_mm256_add_ps(a, c), half), d = _mm256_mul_ps(_mm256_sub_ps(a, c), half);
        const __m256 hs = _mm256_sqrt_ps(_mm256_add_ps(_mm256_mul_ps(b, b), _mm256_mul_ps(d, d)));
        const __m256 la = _mm256_add_ps(tr, hs), lb = _mm256_sub_ps(tr, hs);
        const __m256 bf = _mm256_cmp_ps(vabs(lb), vabs(la), _CMP_LT_OQ);
        const __m256 l1 = sel(bf, lb, la), l2 = sel(bf, la, lb);
        const __m256 pos = _mm256_cmp_ps(l2, zero, _CMP_GT_OQ);
        const __m256 ss = _mm256_add_ps(_mm256_mul_ps(l1, l1), _mm256_mul_ps(l2, l2));
        const __m256 ro = First ? zero : _mm256_loadu_ps(s.resp + x);
        __m256 l2o = _mm256_and_ps(pos, l2);
        // dense: pos ? V : 0; sparse: V where S^2 >= smin (which implies pos), else 0
        const __m256 keep = Sparse ? _mm256_and_ps(pos, _mm256_cmp_ps(ss, smin, _CMP_GE_OQ)) : pos;
        __m256 may_win = keep;
        if (!First) {
            const __m256 sbest = _mm256_mul_ps(_mm256_max_ps(_mm256_sub_ps(_mm256_mul_ps(margin, ro), tiny), zero), g2);
            may_win = _mm256_and_ps(keep, _mm256_cmp_ps(ss, sbest, _CMP_GE_OQ));
        }
        __m256 v = zero;
        if (_mm256_movemask_ps(may_win) != 0) {
            v = _mm256_and_ps(keep, plain_vesselness(l1, l2, ss, b2, g2));
            if (s.use_edge)
                v = _mm256_mul_ps(v, edge_factor(a, c, b, l2o, _mm256_loadu_ps(s.gx + x), _mm256_loadu_ps(s.gy + x),
                                                 gsc2, e2));
        }
        const __m256 amc = _mm256_sub_ps(a, c), b2x = _mm256_mul_ps(two, b);
        const __m256 p = sel(bf, vneg(amc), amc), q = sel(bf, vneg(b2x), b2x);
        if (s.mask) {
            const __m128i m8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s.mask + x));
            const __m256 out = _mm256_castsi256_ps(
                _mm256_cmpeq_epi32(_mm256_cvtepu8_epi32(m8), _mm256_setzero_si256()));
            v = sel(out, minus1, v);
            l2o = sel(out, minus1, l2o);
        }
        if (s.strength) {
            const __m256 st = First ? zero : _mm256_loadu_ps(s.strength + x);
            const __m256 u = _mm256_cmp_ps(l2o, st, _CMP_GT_OQ);
            _mm256_storeu_ps(s.strength + x, sel(u, l2o, st));
            if (s.strength_scale)
                _mm256_storeu_ps(s.strength_scale + x,
                                 sel(u, sigma, First ? zero : _mm256_loadu_ps(s.strength_scale + x)));
        }
        const __m256 u = _mm256_cmp_ps(v, ro, _CMP_GT_OQ);
        _mm256_storeu_ps(s.pbest + x, sel(u, p, First ? zero : _mm256_loadu_ps(s.pbest + x)));
        _mm256_storeu_ps(s.qbest + x, sel(u, q, First ? zero : _mm256_loadu_ps(s.qbest + x)));
        if (s.scale) _mm256_storeu_ps(s.scale + x, sel(u, sigma, First ? zero : _mm256_loadu_ps(s.scale + x)));
        _mm256_storeu_ps(s.resp + x, sel(u, v, ro));
    }
    return x;
}

long scale_row_dispatch(const ScaleRow& s, bool sparse, bool first, long x0, long x1) {
    if (sparse) return first ? scale_row<true, true>(s, x0, x1) : scale_row<true, false>(s, x0, x1);
    return first ? scale_row<false, true>(s, x0, x1) : scale_row<false, false>(s, x0, x1);
}

// The automatic gamma's per-column maxima of S^2 (inside the mask) at [x0, x0 + 8k).
__attribute__((target("avx2"))) long norm_max_row(const float* hxx, const float* hyy, const float* hxy,
                                                 const std::uint8_t* mask, float* mcol, long x0, long x1) {
    const __m256 half = _mm256_set1_ps(0.5f);
    long x = x0;
    for (; x + 8 <= x1; x += 8) {
        const __m256 a = _mm256_loadu_ps(hxx + x), c = _mm256_loadu_ps(hyy + x), b = _mm256_loadu_ps(hxy + x);
        const __m256 tr = _mm256_mul_ps(_mm256_add_ps(a, c), half), d = _mm256_mul_ps(_mm256_sub_ps(a, c), half);
        const __m256 hs = _mm256_sqrt_ps(_mm256_add_ps(_mm256_mul_ps(b, b), _mm256_mul_ps(d, d)));
        const __m256 la = _mm256_add_ps(tr, hs), lb = _mm256_sub_ps(tr, hs);
        __m256 ss = _mm256_add_ps(_mm256_mul_ps(la, la), _mm256_mul_ps(lb, lb));
        if (mask) {
            const __m128i m8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask + x));
            const __m256 out = _mm256_castsi256_ps(
                _mm256_cmpeq_epi32(_mm256_cvtepu8_epi32(m8), _mm256_setzero_si256()));
            ss = _mm256_andnot_ps(out, ss);
        }
        const __m256 m = _mm256_loadu_ps(mcol + x);
        _mm256_storeu_ps(mcol + x, sel(_mm256_cmp_ps(m, ss, _CMP_GT_OQ), m, ss));
    }
    return x;
}

SKC_AVX2 __m256 atan2_poly(__m256 y, __m256 x) {
    const __m256 ax = vabs(x), ay = vabs(y);
    const __m256 xbig = _mm256_cmp_ps(ax, ay, _CMP_GT_OQ);
    const __m256 mx = sel(xbig, ax, ay), mn = sel(xbig, ay, ax);
    const __m256 den = sel(_mm256_cmp_ps(mx, _mm256_setzero_ps(), _CMP_GT_OQ), mx, _mm256_set1_ps(1.0f));
    const __m256 t = _mm256_div_ps(mn, den);
    const __m256 u = _mm256_mul_ps(t, t);
    __m256 p = _mm256_set1_ps(kAtanPoly[8]);
    for (int k = 7; k >= 0; --k) p = _mm256_add_ps(_mm256_mul_ps(p, u), _mm256_set1_ps(kAtanPoly[k]));
    __m256 a = _mm256_mul_ps(p, t);
    a = sel(_mm256_cmp_ps(ay, ax, _CMP_GT_OQ), _mm256_sub_ps(_mm256_set1_ps(kHalfPi), a), a);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    a = _mm256_blendv_ps(a, _mm256_sub_ps(_mm256_set1_ps(kPi), a), x);  // by x's sign bit
    return _mm256_or_ps(a, _mm256_and_ps(y, sign));
}

__attribute__((target("avx2"))) long orientation_row(const float* ro, const float* qo, float* o, float omin, long x0,
                                                    long x1) {
    const __m256 half = _mm256_set1_ps(0.5f), pi = _mm256_set1_ps(kPi), hp = _mm256_set1_ps(kHalfPi),
                 mhp = _mm256_set1_ps(-kHalfPi), zero = _mm256_setzero_ps(), vmin = _mm256_set1_ps(omin);
    long x = x0;
    for (; x + 8 <= x1; x += 8) {
        const __m256 r = _mm256_loadu_ps(ro + x);
        const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(r, zero, _CMP_GT_OQ), _mm256_cmp_ps(r, vmin, _CMP_GE_OQ));
        if (_mm256_movemask_ps(ok) == 0) {  // below the floor (most of a wrinkle zone)
            _mm256_storeu_ps(o + x, zero);
            continue;
        }
        __m256 th = _mm256_mul_ps(half, atan2_poly(_mm256_loadu_ps(qo + x), _mm256_loadu_ps(o + x)));
        th = sel(_mm256_cmp_ps(th, hp, _CMP_GE_OQ), _mm256_sub_ps(th, pi), th);
        th = sel(_mm256_cmp_ps(th, mhp, _CMP_LT_OQ), _mm256_add_ps(th, pi), th);
        _mm256_storeu_ps(o + x, _mm256_and_ps(ok, th));
    }
    return x;
}

#undef SKC_AVX2

}  // namespace avx2

bool use_avx2() {
    static const bool cpu = __builtin_cpu_supports("avx2");
    return cpu && simd_enabled();
}
#else
bool use_avx2() { return false; }
#endif

// The generic instance of one scale's pass over columns [x0, x1) of a row.
struct GenericRow {
    float *v, *l2, *p, *q;  // row buffers (indexed by column)
    std::int32_t* idx;      // sparse path scratch (the row's width)
};

void scale_row_generic(const ScaleRow& s, const GenericRow& g, long x0, long x1) {
    if (x0 >= x1) return;
    VessRow vrow{s.hxx + x0, s.hyy + x0, s.hxy + x0, s.use_edge ? s.gx + x0 : nullptr,
                 s.use_edge ? s.gy + x0 : nullptr, g.v + x0, g.l2 + x0, g.p + x0, g.q + x0, s.b2, s.g2, s.gsc2,
                 s.e2, s.use_edge, s.floor, g.idx};
    vesselness_row(vrow, x1 - x0);
    BestRow best{s.mask, g.v, g.l2, g.p, g.q, s.resp, s.scale, s.pbest, s.qbest, s.strength, s.strength_scale,
                 s.sigma};
    keep_best(best, x0, x1);
}

}  // namespace

bool frangi_uses_avx2() { return use_avx2(); }

void frangi(ConstView<float> src, const std::vector<double>& sigmas, const FrangiParams& p,
            ConstView<std::uint8_t> mask, MutView<float> response, MutView<float> scale,
            MutView<float> orientation, MutView<float> strength, MutView<float> strength_scale,
            int threads) {
    const std::int64_t W = src.width, H = src.height;
    check_hw(response, W, H, "response");
    if (scale.data) check_hw(scale, W, H, "scale");
    check_hw(orientation, W, H, "orientation");
    if (strength.data) check_hw(strength, W, H, "strength");
    if (strength_scale.data) check_hw(strength_scale, W, H, "strength_scale");
    const bool has_mask = mask.data != nullptr;
    if (has_mask) check_hw(mask, W, H, "mask");
    if (sigmas.empty() || sigmas.size() > kMaxFrangiScales)
        throw std::invalid_argument("sigmas: need 1 to 64 scales");
    for (double s : sigmas)
        if (!(s > 0.0) || !(s <= kMaxFrangiSigma))
            throw std::invalid_argument("sigmas: each sigma must be in (0, 256]");
    if (!(p.beta > 0.0) || !std::isfinite(p.beta)) throw std::invalid_argument("beta must be > 0");
    if (!(p.edge_beta >= 0.0) || !std::isfinite(p.edge_beta))
        throw std::invalid_argument("edge_beta must be >= 0 (0 = off)");
    if (!(p.gamma >= 0.0) || !std::isfinite(p.gamma))
        throw std::invalid_argument("gamma must be >= 0 (0 = automatic)");
    if (!std::isfinite(p.response_floor)) throw std::invalid_argument("response_floor must be finite");
    if (src.empty()) return;
    // One NaN or inf would make the automatic gamma (a maximum over the image)
    // non-finite and every response NaN: refuse them.
    if (!all_finite(src, threads))
        throw std::invalid_argument("gray: contains NaN or inf (Frangi needs finite values)");

    const long w = static_cast<long>(W), h = static_cast<long>(H);
    const std::size_t n = static_cast<std::size_t>(W);
    const std::int64_t grain = row_grain(W, 1 << 14);

    // Per row, the columns [first, last + 1) of the mask (all columns without one).
    std::vector<long> spans(static_cast<std::size_t>(2 * H));
    parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            long a = 0, b = w;
            if (has_mask) {
                const std::uint8_t* mr = mask.row(y);
                while (a < w && !mr[a]) ++a;
                while (b > a && !mr[b - 1]) --b;
            }
            spans[static_cast<std::size_t>(2 * y)] = a;
            spans[static_cast<std::size_t>(2 * y + 1)] = b;
        }
    });

    // The blur is needed only where the Hessian and the gradient of the span
    // columns read it: rows y - 1 .. y + 1 of each row's span, one column wider on
    // each side (the reflected border samples are among them). Each blurred row is
    // computed there only (all of it without a mask), each value equal to
    // gaussian_blur's.
    std::vector<long> need;
    if (has_mask) {
        need.assign(static_cast<std::size_t>(2 * H), 0);
        for (long q = 0; q < h; ++q) {
            long a = w, b = 0;
            for (long y = std::max(0L, q - 1); y <= std::min(h - 1, q + 1); ++y) {
                const long ya = spans[static_cast<std::size_t>(2 * y)], yb = spans[static_cast<std::size_t>(2 * y + 1)];
                if (ya >= yb) continue;
                a = std::min(a, ya - 1);
                b = std::max(b, yb + 1);
            }
            if (a < b) {
                need[static_cast<std::size_t>(2 * q)] = std::max(0L, a);
                need[static_cast<std::size_t>(2 * q + 1)] = std::min(w, b);
            }
        }
    }
    const std::size_t ns = sigmas.size();
    std::vector<std::vector<float>> taps(ns);
    long rmax = 0;
    for (std::size_t k = 0; k < ns; ++k) {
        taps[k] = gaussian_kernel(sigmas[k], 4.0);
        rmax = std::max(rmax, static_cast<long>(taps[k].size() / 2));
    }
    // Blurred row y of scale k at the columns the filter reads, into out.
    auto blur_row = [&](std::size_t k, long y, float* pad, const float** lo, const float** hi, float* out) {
        const long r = static_cast<long>(taps[k].size() / 2);
        const long a = has_mask ? need[static_cast<std::size_t>(2 * y)] : 0;
        const long b = has_mask ? need[static_cast<std::size_t>(2 * y + 1)] : w;
        gaussian_blur_row(src, taps[k].data() + r, r, y, a, b, pad, lo, hi, out);
    };

    const float b2 = static_cast<float>(2.0 * p.beta * p.beta);
    float g2 = p.gamma > 0.0 ? static_cast<float>(2.0 * p.gamma * p.gamma) : -1.0f;
    const float sign = p.black_ridges ? 1.0f : -1.0f;
    const bool use_edge = p.edge_beta > 0.0;
    const float e2 = use_edge ? static_cast<float>(2.0 * p.edge_beta * p.edge_beta) : 1.0f;
    auto s2_of = [&](std::size_t k) {
        const double s = sigmas[k];
        return p.normalize ? static_cast<float>(s * s) * sign : sign;
    };

    const bool simd = use_avx2();
    // Automatic gamma: half the largest Hessian norm at the first scale (inside the
    // mask), which needs that scale's blur of the whole image first: it is kept
    // (not initialised: written at every `need` column before it is read) and read
    // by the pass below.
    Scratch<float> local;
    float* first = nullptr;
    if (g2 < 0.0f) {
        first = frangi_scratch(static_cast<std::size_t>(W) * static_cast<std::size_t>(H), local);
        parallel_rows(H, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            std::vector<float> pad(static_cast<std::size_t>(w + 2 * rmax));
            std::vector<const float*> lo(static_cast<std::size_t>(rmax) + 1), hi(lo.size());
            for (std::int64_t y = y0; y < y1; ++y)
                blur_row(0, static_cast<long>(y), pad.data(), lo.data(), hi.data(), first + static_cast<std::size_t>(y) * n);
        });
        const float s2 = s2_of(0);
        const std::int64_t nch = chunk_count(H, grain);
        std::vector<float> part(static_cast<std::size_t>(nch), 0.0f);
        parallel_chunks(H, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
            // per-column maxima (a vectorisable loop), reduced at the end: the
            // maximum does not depend on the order
            std::vector<float> hxx(n), hyy(n), hxy(n), mcol(n, 0.0f);
            for (std::int64_t y = y0; y < y1; ++y) {
                const long xa = spans[static_cast<std::size_t>(2 * y)], xb = spans[static_cast<std::size_t>(2 * y + 1)];
                if (xa >= xb) continue;
                const float* r = first + static_cast<std::size_t>(y) * n;
                const float* rm = first + static_cast<std::size_t>(reflect101(y - 1, h)) * n;
                const float* rp = first + static_cast<std::size_t>(reflect101(y + 1, h)) * n;
                hessian_row(rm, r, rp, w, s2, xa, xb, hxx.data(), hyy.data(), hxy.data());
                const std::uint8_t* mr = has_mask ? mask.row(y) : nullptr;
                float* __restrict mc = mcol.data();
                const float* __restrict a = hxx.data();
                const float* __restrict cc = hyy.data();
                const float* __restrict bb = hxy.data();
                long x = xa;
#ifdef SKINCORE_RIDGES_AVX2
                if (simd) x = avx2::norm_max_row(a, cc, bb, mr, mc, xa, xb);
#endif
                for (; x < xb; ++x) {
                    const float tr = (a[x] + cc[x]) * 0.5f, d = (a[x] - cc[x]) * 0.5f;
                    const float hs = std::sqrt(bb[x] * bb[x] + d * d);
                    const float la = tr + hs, lb = tr - hs;
                    const float ss = blend(!mr || mr[x] != 0, la * la + lb * lb, 0.0f);
                    mc[x] = mc[x] > ss ? mc[x] : ss;
                }
            }
            float m = 0.0f;
            for (float v : mcol) m = std::max(m, v);
            part[static_cast<std::size_t>(c)] = m;
        });
        float m = 0.0f;
        for (float v : part) m = std::max(m, v);
        float gam = std::sqrt(m) * 0.5f;
        if (gam == 0.0f) gam = 1.0f;
        g2 = 2.0f * (gam * gam);
    }

    // Row by row, every scale: each scale's blurred rows y - 1 .. y + 1 are kept
    // in a ring of three (row j in slot j % 3), so no full-size blurred image is
    // written and read back, and the outputs stay in cache across the scales. A
    // stripe recomputes the two blurred rows next to it; every value is the same
    // whatever the stripes, so results do not depend on the thread count.
    const bool sparse = p.response_floor > 0.0f;
    const std::int64_t fgrain = std::max<std::int64_t>(16, (H + 15) / 16);
    parallel_rows(H, fgrain, threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> ring(ns * 3 * n);
        std::vector<long> tag(ns * 3, -1);
        std::vector<float> pad(static_cast<std::size_t>(w + 2 * rmax));
        std::vector<const float*> lo(static_cast<std::size_t>(rmax) + 1), hi(lo.size());
        // Row buffers: separate vectors (one Scratch block cut into rows measured
        // 1.4x slower at 1080).
        std::vector<float> vhxx(n), vhyy(n), vhxy(n), vq(n);
        std::vector<float> vgx(use_edge ? n : 0), vgy(vgx.size());
        std::vector<float> vv(n), vl2(n), vp(n), vqq(n);  // the generic path's (and the AVX2 tail's)
        // strength_scale without strength: the running maximum of l2 in a row
        // buffer (every scale of a row is done before the next row)
        std::vector<float> vst(strength.data == nullptr && strength_scale.data != nullptr ? n : 0);
        Scratch<std::int32_t> idx(sparse ? n : 0);
        const GenericRow gen{vv.data(), vl2.data(), vp.data(), vqq.data(), idx.data()};
        auto blurred = [&](std::size_t k, long j) -> const float* {
            if (k == 0 && first) return first + static_cast<std::size_t>(j) * n;
            const std::size_t slot = k * 3 + static_cast<std::size_t>(j % 3);
            float* row = ring.data() + slot * n;
            if (tag[slot] != j) {
                blur_row(k, j, pad.data(), lo.data(), hi.data(), row);
                tag[slot] = j;
            }
            return row;
        };
        for (std::int64_t yy = y0; yy < y1; ++yy) {
            const long y = static_cast<long>(yy);
            const long xa = spans[static_cast<std::size_t>(2 * y)];
            const long xb = spans[static_cast<std::size_t>(2 * y + 1)];
            float* ro = response.row(y);
            float* so = scale.data ? scale.row(y) : nullptr;
            float* oo = orientation.row(y);
            float* st = strength.data ? strength.row(y) : (vst.empty() ? nullptr : vst.data());
            float* sst = strength_scale.data ? strength_scale.row(y) : nullptr;
            // 0 outside the span; inside it the maxima start at 0 (the AVX2 loop's
            // first scale writes its columns without reading them)
            const long xw = simd && xa < xb ? xa + ((xb - xa) & ~7L) : xa;
            for (float* o : {ro, so, oo, st, sst}) {
                if (!o) continue;
                std::fill(o, o + xa, 0.0f);
                std::fill(o + xw, o + w, 0.0f);
            }
            if (xa >= xb) continue;
            std::fill(vq.begin() + xw, vq.begin() + xb, 0.0f);
            for (std::size_t k = 0; k < ns; ++k) {
                const float* rm = blurred(k, reflect101(y - 1, h));
                const float* r = blurred(k, y);
                const float* rp = blurred(k, reflect101(y + 1, h));
                const double sigma = sigmas[k];
                hessian_row(rm, r, rp, w, s2_of(k), xa, xb, vhxx.data(), vhyy.data(), vhxy.data());
                if (use_edge) gradient_row(rm, r, rp, w, xa, xb, vgx.data(), vgy.data());
                // Edge term: Rg = sigma |grad B| / (sigma^2 l2) in the Hessian's normalisation.
                const float gsc = p.normalize ? static_cast<float>(sigma) : static_cast<float>(1.0 / sigma);
                const ScaleRow srow{vhxx.data(), vhyy.data(), vhxy.data(), vgx.data(), vgy.data(),
                                    has_mask ? mask.row(y) : nullptr, ro, so, oo, vq.data(), st, sst,
                                    b2, g2, gsc * gsc, e2, static_cast<float>(sigma), p.response_floor,
                                    use_edge};
                long x = xa;
#ifdef SKINCORE_RIDGES_AVX2
                if (simd) x = avx2::scale_row_dispatch(srow, sparse, k == 0, xa, xb);
#endif
                scale_row_generic(srow, gen, x, xb);  // all, or the AVX2 loop's last columns
            }
            long x = xa;
#ifdef SKINCORE_RIDGES_AVX2
            if (simd) x = avx2::orientation_row(ro, vq.data(), oo, p.response_floor, xa, xb);
#endif
            orientation_row(ro, vq.data(), oo, p.response_floor, x, xb);
        }
    });
}

// ------------------------------------------------------------------ hysteresis + thinning

namespace {

// Padded binary image: (W + 2) x (H + 2), one-pixel zero frame, so neighbour
// reads never leave the buffer.
struct Padded {
    long W = 0, H = 0, S = 0;  // S = W + 2 (row stride)
    std::vector<std::uint8_t> px;
    std::size_t idx(long x, long y) const {
        return static_cast<std::size_t>(y + 1) * static_cast<std::size_t>(S) + static_cast<std::size_t>(x + 1);
    }
};

// Offsets of Guo-Hall neighbour bits: x1 = E, x2 = NE, x3 = N, x4 = NW, x5 = W,
// x6 = SW, x7 = S, x8 = SE (bit i = x_{i+1}).
std::array<long, 8> bit_offsets(long S) {
    return {1, -S + 1, -S, -S - 1, -1, S - 1, S, S + 1};
}

struct GuoHallLuts {
    std::array<std::uint8_t, 256> first{}, second{};
    GuoHallLuts() {
        for (int code = 0; code < 256; ++code) {
            bool x[8];
            for (int i = 0; i < 8; ++i) x[i] = ((code >> i) & 1) != 0;
            int crossing = 0;
            for (int i = 0; i < 8; i += 2)
                if (!x[i] && (x[i + 1] || x[(i + 2) % 8])) ++crossing;
            int n1 = 0, n2 = 0;
            for (int k = 1; k < 8; k += 2) {
                if (x[k] || x[k - 1]) ++n1;
                if (x[k] || x[(k + 1) % 8]) ++n2;
            }
            const int mn = std::min(n1, n2);
            const bool base = crossing == 1 && mn >= 2 && mn <= 3;
            first[static_cast<std::size_t>(code)] = base && !((x[1] || x[2] || !x[7]) && x[0]);
            second[static_cast<std::size_t>(code)] = base && !((x[5] || x[6] || !x[3]) && x[4]);
        }
    }
};

// Calls f(i) for the padded index i of every nonzero pixel of rows [0, H), in
// raster order, reading each pixel when it is reached (f may change pixels that
// are nonzero, never set a zero one), and skipping zero runs eight bytes at a
// time: the skeletons and hysteresis regions of a zone's box are sparse.
template <class F>
void for_each_set(const Padded& P, F&& f) {
    for (long y = 0; y < P.H; ++y) {
        const std::size_t row = P.idx(0, y);
        const std::uint8_t* px = P.px.data() + row;
        long x = 0;
        while (x < P.W) {
            if (x + 8 <= P.W) {
                std::uint64_t word;
                std::memcpy(&word, px + x, 8);
                if (word == 0) {
                    x += 8;
                    continue;
                }
            }
            const long e = std::min(P.W, x + 8);
            for (; x < e; ++x)
                if (px[x]) f(row + static_cast<std::size_t>(x));
        }
    }
}

// One row of hysteresis_padded's threshold: 1 where r >= low and the mask is set
// (an AVX2 clone: a branch-free loop).
SKINCORE_AVX2_CLONES void weak_row(const float* __restrict r, const std::uint8_t* __restrict m, float low,
                                   std::uint8_t* __restrict o, long W) {
    if (m) {
        for (long x = 0; x < W; ++x)
            o[x] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(r[x] >= low) & static_cast<std::uint8_t>(m[x] != 0));
    } else {
        for (long x = 0; x < W; ++x) o[x] = static_cast<std::uint8_t>(r[x] >= low);
    }
}

void hysteresis_padded(ConstView<float> response, ConstView<std::uint8_t> mask, float low,
                       float high, Padded& P, int threads) {
    const long W = static_cast<long>(response.width), H = static_cast<long>(response.height);
    P.W = W;
    P.H = H;
    P.S = W + 2;
    P.px.assign(static_cast<std::size_t>(W + 2) * static_cast<std::size_t>(H + 2), 0);
    // 1 = weak (>= low), 2 = accepted.
    const bool has_mask = mask.data != nullptr;
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            weak_row(response.row(y), has_mask ? mask.row(y) : nullptr, low,
                     P.px.data() + P.idx(0, static_cast<long>(y)), W);
        }
    });
    const auto off = bit_offsets(P.S);
    const std::size_t S = static_cast<std::size_t>(P.S);
    std::vector<std::size_t> stack;
    // seeds in raster order (a pixel already accepted by an earlier flood is 2)
    for_each_set(P, [&](std::size_t i) {
        const float* r = response.row(static_cast<long>(i / S) - 1);
        if (P.px[i] != 1 || !(r[static_cast<long>(i % S) - 1] >= high)) return;
        P.px[i] = 2;
        stack.push_back(i);
        while (!stack.empty()) {
            const std::size_t c = stack.back();
            stack.pop_back();
            for (long o : off) {
                const std::size_t n = static_cast<std::size_t>(static_cast<long>(c) + o);
                if (P.px[n] == 1) {
                    P.px[n] = 2;
                    stack.push_back(n);
                }
            }
        }
    });
    for (auto& v : P.px) v = v == 2 ? 1 : 0;
}

void guo_hall_thin(Padded& P) {
    static const GuoHallLuts luts;
    const auto off = bit_offsets(P.S);
    std::vector<std::size_t> fg;
    for_each_set(P, [&](std::size_t i) { fg.push_back(i); });
    std::vector<std::size_t> del;
    bool changed = true;
    while (changed) {
        changed = false;
        for (int sub = 0; sub < 2; ++sub) {
            const auto& lut = sub == 0 ? luts.first : luts.second;
            del.clear();
            for (std::size_t i : fg) {
                int code = 0;
                for (int b = 0; b < 8; ++b)
                    code |= static_cast<int>(P.px[static_cast<std::size_t>(static_cast<long>(i) + off[static_cast<std::size_t>(b)])]) << b;
                if (lut[static_cast<std::size_t>(code)]) del.push_back(i);
            }
            if (del.empty()) continue;
            changed = true;
            for (std::size_t i : del) P.px[i] = 0;
            fg.erase(std::remove_if(fg.begin(), fg.end(), [&](std::size_t i) { return P.px[i] == 0; }),
                     fg.end());
        }
    }
}

void validate_thresholds(float low, float high) {
    if (!std::isfinite(low) || !std::isfinite(high)) throw std::invalid_argument("low/high must be finite");
    if (low > high) throw std::invalid_argument("low must be <= high");
}

}  // namespace

void hysteresis_skeleton(ConstView<float> response, ConstView<std::uint8_t> mask, float low,
                         float high, bool thin, MutView<std::uint8_t> out, int threads) {
    check_hw(out, response.width, response.height, "out");
    if (mask.data) check_hw(mask, response.width, response.height, "mask");
    validate_thresholds(low, high);
    if (response.empty()) return;
    Padded P;
    hysteresis_padded(response, mask, low, high, P, threads);
    if (thin) guo_hall_thin(P);
    for (long y = 0; y < P.H; ++y) {
        std::uint8_t* o = out.row(y);
        const std::uint8_t* s = P.px.data() + P.idx(0, y);
        std::copy(s, s + P.W, o);
    }
}

// ------------------------------------------------------------------ tracing

namespace {

// Skeleton graph: 8-adjacency without the diagonal links that a pair of 4-links
// already joins (so staircases are chains, not triangles).
struct Graph {
    const Padded& P;
    std::array<long, 8> nb;  // E, S, W, N, SE, SW, NW, NE
    explicit Graph(const Padded& p) : P(p) {
        const long S = P.S;
        nb = {1, S, -1, -S, S + 1, S - 1, -S - 1, -S + 1};
    }
    bool on(std::size_t i) const { return P.px[i] != 0; }
    // Writes adjacent pixels into out, returns their count (fixed order).
    int neighbours(std::size_t i, std::size_t* out) const {
        int n = 0;
        const long S = P.S;
        const long li = static_cast<long>(i);
        for (int k = 0; k < 8; ++k) {
            const std::size_t j = static_cast<std::size_t>(li + nb[static_cast<std::size_t>(k)]);
            if (!on(j)) continue;
            if (k >= 4) {
                const long d = nb[static_cast<std::size_t>(k)];
                const long dy = d > S / 2 ? 1 : -1;  // diagonal offsets are +-S +-1
                const long dx = d - dy * S;
                if (on(static_cast<std::size_t>(li + dx)) || on(static_cast<std::size_t>(li + dy * S))) continue;
            }
            out[n++] = j;
        }
        return n;
    }
    int degree(std::size_t i) const {
        std::size_t tmp[8];
        return neighbours(i, tmp);
    }
};

struct Seg {
    std::vector<std::size_t> px;  // padded indices in order
    bool closed = false;
    bool spur = false;  // a short branch from a junction to a free end
    int deg_front = 0, deg_back = 0;
};

std::vector<Seg> skeleton_segments(const Padded& P) {
    Graph g(P);
    std::vector<std::uint8_t> deg(P.px.size(), 0);
    std::vector<std::size_t> on;
    for_each_set(P, [&](std::size_t i) {
        deg[i] = static_cast<std::uint8_t>(g.degree(i));
        on.push_back(i);
    });
    std::vector<std::uint8_t> visited(P.px.size(), 0);
    std::vector<Seg> segs;
    std::size_t nbuf[8], nbuf2[8];
    auto walk = [&](std::size_t start, std::size_t first, Seg& s) {
        std::size_t prev = start, cur = first;
        while (deg[cur] == 2 && !visited[cur]) {
            visited[cur] = 1;
            s.px.push_back(cur);
            if (g.neighbours(cur, nbuf2) != 2) break;  // cannot happen (deg == 2)
            const std::size_t next = nbuf2[0] == prev ? nbuf2[1] : nbuf2[0];
            prev = cur;
            cur = next;
        }
        if (deg[cur] != 2) s.px.push_back(cur);
        else if (cur == start) s.px.push_back(cur);
    };
    // Open paths from every node (degree != 2), in raster order.
    for (std::size_t i : on) {
        if (deg[i] == 2) continue;
        const int n = g.neighbours(i, nbuf);
        for (int k = 0; k < n; ++k) {
            const std::size_t q = nbuf[k];
            if (deg[q] == 2) {
                if (visited[q]) continue;
                Seg s;
                s.px.push_back(i);
                walk(i, q, s);
                segs.push_back(std::move(s));
            } else if (q > i) {
                Seg s;
                s.px = {i, q};
                segs.push_back(std::move(s));
            }
        }
    }
    // Closed loops of degree-2 pixels.
    for (std::size_t i : on) {
        if (deg[i] != 2 || visited[i]) continue;
        Seg s;
        s.closed = true;
        visited[i] = 1;
        s.px.push_back(i);
        const int n = g.neighbours(i, nbuf);
        (void)n;
        walk(i, nbuf[0], s);
        if (s.px.back() != i) s.px.push_back(i);
        segs.push_back(std::move(s));
    }
    for (Seg& sg : segs) {
        if (sg.closed) continue;
        const int d0 = deg[sg.px.front()], d1 = deg[sg.px.back()];
        sg.deg_front = d0;
        sg.deg_back = d1;
        sg.spur = (d0 == 1 && d1 >= 3) || (d1 == 1 && d0 >= 3);
    }
    return segs;
}

struct XY {
    double x, y;
};

}  // namespace

TraceResult trace(ConstView<float> response, ConstView<float> scale, ConstView<float> orientation,
                  ConstView<float> depth, ConstView<std::uint8_t> mask, const TraceParams& p,
                  int threads) {
    const std::int64_t W = response.width, H = response.height;
    if (scale.data) check_hw(scale, W, H, "scale");
    if (orientation.data) check_hw(orientation, W, H, "orientation");
    if (depth.data) check_hw(depth, W, H, "depth");
    if (mask.data) check_hw(mask, W, H, "mask");
    validate_thresholds(p.low, p.high);
    if (!(p.min_length >= 0.0) || !std::isfinite(p.min_length)) throw std::invalid_argument("min_length must be >= 0");
    if (!(p.max_gap >= 0.0) || !(p.max_gap <= 64.0)) throw std::invalid_argument("max_gap must be in [0, 64]");
    if (!(p.max_angle_deg >= 0.0) || !(p.max_angle_deg <= 90.0))
        throw std::invalid_argument("max_angle_deg must be in [0, 90]");
    if (p.smooth < 0 || p.smooth > 64) throw std::invalid_argument("smooth must be in [0, 64]");
    if (!(p.spur_length >= 0.0) || !std::isfinite(p.spur_length)) throw std::invalid_argument("spur_length must be >= 0");
    TraceResult res;
    res.offsets.push_back(0);
    if (response.empty()) return res;

    Padded P;
    hysteresis_padded(response, mask, p.low, p.high, P, threads);
    const std::vector<std::uint8_t> region = P.px;  // before thinning, for end extension
    guo_hall_thin(P);
    std::vector<Seg> segs = skeleton_segments(P);
    const long S = P.S;
    auto pxy = [&](std::size_t i) {
        return XY{static_cast<double>(static_cast<long>(i % static_cast<std::size_t>(S)) - 1),
                  static_cast<double>(static_cast<long>(i / static_cast<std::size_t>(S)) - 1)};
    };

    // ---- link open segment ends across small gaps.
    const std::size_t ns = segs.size();
    // Spurs (junction to free end, shorter than spur_length) are dropped before linking.
    std::vector<std::uint8_t> drop(ns, 0);
    for (std::size_t s = 0; s < ns; ++s) {
        if (!segs[s].spur) continue;
        double len = 0;
        for (std::size_t i = 1; i < segs[s].px.size(); ++i) {
            const XY a = pxy(segs[s].px[i - 1]), b = pxy(segs[s].px[i]);
            len += std::hypot(a.x - b.x, a.y - b.y);
        }
        drop[s] = len < p.spur_length;
    }
    struct End {
        XY pt, dir;  // dir points outwards
        bool ok;
    };
    std::vector<End> ends(2 * ns);
    for (std::size_t s = 0; s < ns; ++s) {
        const auto& v = segs[s].px;
        const std::size_t K = v.size();
        for (int e = 0; e < 2; ++e) {
            End& E = ends[2 * s + static_cast<std::size_t>(e)];
            E.ok = !segs[s].closed && K >= 2 && !drop[s];
            if (!E.ok) continue;
            // Outward direction from the pixel 10 px in to the one 2 px in (the last
            // pixels next to a junction are pulled sideways by the thinning).
            const std::size_t far = std::min<std::size_t>(K - 1, 10);
            const std::size_t near = K > 8 ? 2 : 0;
            const XY a = pxy(e == 0 ? v[near] : v[K - 1 - near]);
            const XY b = pxy(e == 0 ? v[far] : v[K - 1 - far]);
            const double dx = a.x - b.x, dy = a.y - b.y, n = std::hypot(dx, dy);
            E.pt = pxy(e == 0 ? v[0] : v[K - 1]);
            E.dir = XY{dx / n, dy / n};
        }
    }
    // A link candidate sorts by (cost, a, b): cost >= 0, so its IEEE bits order
    // like its value; a < b are end indices packed into one word.
    struct Cand {
        std::uint64_t cost_bits, ab;
        std::size_t a() const { return static_cast<std::size_t>(ab >> 32); }
        std::size_t b() const { return static_cast<std::size_t>(ab & 0xffffffffu); }
        bool operator<(const Cand& o) const { return cost_bits != o.cost_bits ? cost_bits < o.cost_bits : ab < o.ab; }
        bool operator==(const Cand& o) const { return cost_bits == o.cost_bits && ab == o.ab; }
    };
    if (ends.size() >= (std::size_t{1} << 32)) throw std::invalid_argument("response: too many skeleton ends");
    std::vector<Cand> cands;
    const double gap = p.max_gap, cmin = std::cos(p.max_angle_deg * 3.14159265358979323846 / 180.0);
    {
        // Spatial index: the valid ends bucketed by grid cell (CSR arrays, ends in
        // increasing index within a cell). The cell side follows the density of
        // ends (about 2 ends per cell on average), so a dense skeleton (a
        // checkerboard: 4 ends per pixel) scans few ends per query and a sparse
        // one few empty cells.
        std::vector<std::size_t> valid;
        for (std::size_t e = 0; e < ends.size(); ++e)
            if (ends[e].ok) valid.push_back(e);
        const double area = static_cast<double>(W) * static_cast<double>(H);
        const double dens_cell = valid.empty() ? 1.0 : std::sqrt(2.0 * area / static_cast<double>(valid.size()));
        const double cell = std::clamp(std::floor(dens_cell), 1.0, std::max(1.0, std::ceil(gap)));
        const long gw = static_cast<long>(std::floor(static_cast<double>(W) / cell)) + 1;
        const long gh = static_cast<long>(std::floor(static_cast<double>(H) / cell)) + 1;
        auto cell_of = [&](const XY& q) {
            const long cx = std::clamp(static_cast<long>(q.x / cell), 0L, gw - 1);
            const long cy = std::clamp(static_cast<long>(q.y / cell), 0L, gh - 1);
            return std::pair<long, long>(cx, cy);
        };
        std::vector<std::size_t> cstart(static_cast<std::size_t>(gw * gh + 1), 0);
        for (std::size_t e : valid) {
            const auto [cx, cy] = cell_of(ends[e].pt);
            ++cstart[static_cast<std::size_t>(cy * gw + cx) + 1];
        }
        for (std::size_t i = 1; i < cstart.size(); ++i) cstart[i] += cstart[i - 1];
        std::vector<std::size_t> bucket(valid.size());
        {
            std::vector<std::size_t> fill(cstart.begin(), cstart.end() - 1);
            for (std::size_t e : valid) {
                const auto [cx, cy] = cell_of(ends[e].pt);
                bucket[fill[static_cast<std::size_t>(cy * gw + cx)]++] = e;
            }
        }
        // Each end keeps its kMaxLinkCandidates nearest partners (ties by end
        // index) among the ends within max_gap that pass the direction tests,
        // found ring by ring of cells; a pair is a candidate when either end keeps
        // the other. So when no end has more partners than that, every valid pair
        // is a candidate (the plain rule). A query stops after the ring in which
        // it has scanned kMaxLinkScan ends: dense skeletons stay linear.
        const double gap2 = gap * gap * (1.0 + 1e-12);
        // The link cost of ends a < b, or -1 when they may not be linked (the
        // plain rule's arithmetic, in this order).
        auto link_test = [&](std::size_t a, std::size_t b, bool with_cost) {
            const End &U = ends[a], &V = ends[b];
            const double cs = -(U.dir.x * V.dir.x + U.dir.y * V.dir.y);
            if (cs < cmin) return -1.0;
            const double gx = V.pt.x - U.pt.x, gy = V.pt.y - U.pt.y;
            const double d = std::hypot(gx, gy);
            if (d > gap) return -1.0;
            if (d > 2.0) {
                const double ca = (U.dir.x * gx + U.dir.y * gy) / d;
                const double cb = -(V.dir.x * gx + V.dir.y * gy) / d;
                if (ca < cmin || cb < cmin) return -1.0;
            }
            return with_cost ? std::acos(std::min(1.0, cs)) + 0.05 * d : 0.0;
        };
        const long rmax = static_cast<long>(std::ceil(gap / cell)) + 1;
        // Ends in chunks on the pool; each chunk's candidates are concatenated in
        // chunk order, so the list (and, after the sort, the links) never depends
        // on the thread count.
        const std::int64_t nv = static_cast<std::int64_t>(valid.size());
        const std::int64_t egrain = 4096;
        constexpr std::uint32_t kNone = 0xffffffffu;
        const std::size_t K = kMaxLinkCandidates;
        // Pass 1: the kept partners of every valid end (K slots, kNone = empty).
        std::vector<std::uint32_t> slot(ends.size(), kNone);
        for (std::size_t v = 0; v < valid.size(); ++v) slot[valid[v]] = static_cast<std::uint32_t>(v);
        std::vector<std::uint32_t> kept(valid.size() * K, kNone);
        parallel_chunks(nv, egrain, threads, [&](std::int64_t, std::int64_t v0, std::int64_t v1) {
            // near: (squared distance << 32 | end index); squared distances are
            // integers (pixel positions) <= 64^2, so the word sorts by (d2, f).
            std::vector<std::uint64_t> near;
            for (std::int64_t vi = v0; vi < v1; ++vi) {
                const std::size_t e = valid[static_cast<std::size_t>(vi)];
                const XY P0 = ends[e].pt;
                const auto [cx, cy] = cell_of(P0);
                near.clear();
                std::size_t scanned = 0;
                for (long r = 0; r <= rmax; ++r) {
                    for (long yy = cy - r; yy <= cy + r; ++yy) {
                        if (yy < 0 || yy >= gh) continue;
                        const bool edge_row = yy == cy - r || yy == cy + r;
                        for (long xx = cx - r; xx <= cx + r; xx += (edge_row || r == 0) ? 1 : 2 * r) {
                            if (xx < 0 || xx >= gw) continue;
                            const std::size_t c = static_cast<std::size_t>(yy * gw + xx);
                            for (std::size_t k = cstart[c]; k < cstart[c + 1]; ++k) {
                                const std::size_t f = bucket[k];
                                if (f / 2 == e / 2) continue;
                                const double qx = ends[f].pt.x - P0.x, qy = ends[f].pt.y - P0.y;
                                const double d2 = qx * qx + qy * qy;
                                if (d2 > gap2) continue;
                                ++scanned;
                                if (link_test(std::min(e, f), std::max(e, f), false) < 0.0) continue;
                                near.push_back((static_cast<std::uint64_t>(d2) << 32) | f);
                            }
                        }
                    }
                    if (scanned >= kMaxLinkScan) break;
                    // Cells of ring r + 1 lie at least r * cell away.
                    if (near.size() >= K) {
                        std::nth_element(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(K - 1), near.end());
                        const double reach = static_cast<double>(r) * cell;
                        if (static_cast<double>(near[K - 1] >> 32) < reach * reach) break;
                    }
                }
                if (near.size() > K) {
                    std::nth_element(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(K - 1), near.end());
                    near.resize(K);
                }
                std::uint32_t* kp = kept.data() + static_cast<std::size_t>(vi) * K;
                for (std::size_t j = 0; j < near.size(); ++j) kp[j] = static_cast<std::uint32_t>(near[j] & 0xffffffffu);
            }
        });
        // Pass 2: every kept pair once (by its smaller end, or by the larger one
        // when the smaller does not keep it), with its cost.
        std::vector<std::vector<Cand>> parts(static_cast<std::size_t>(chunk_count(nv, egrain)));
        parallel_chunks(nv, egrain, threads, [&](std::int64_t chunk, std::int64_t v0, std::int64_t v1) {
            std::vector<Cand>& out = parts[static_cast<std::size_t>(chunk)];
            for (std::int64_t vi = v0; vi < v1; ++vi) {
                const std::size_t e = valid[static_cast<std::size_t>(vi)];
                const std::uint32_t* kp = kept.data() + static_cast<std::size_t>(vi) * K;
                for (std::size_t j = 0; j < K && kp[j] != kNone; ++j) {
                    const std::size_t f = kp[j];
                    if (f < e) {
                        const std::uint32_t* kf = kept.data() + static_cast<std::size_t>(slot[f]) * K;
                        if (std::find(kf, kf + K, static_cast<std::uint32_t>(e)) != kf + K) continue;
                    }
                    const std::size_t ia = std::min(e, f), ib = std::max(e, f);
                    const double cost = link_test(ia, ib, true);
                    std::uint64_t bits;
                    std::memcpy(&bits, &cost, sizeof bits);
                    out.push_back({bits, (static_cast<std::uint64_t>(ia) << 32) | static_cast<std::uint64_t>(ib)});
                }
            }
        });
        std::size_t total = 0;
        for (const auto& pt : parts) total += pt.size();
        cands.reserve(total);
        for (auto& pt : parts) {
            cands.insert(cands.end(), pt.begin(), pt.end());
            std::vector<Cand>().swap(pt);
        }
    }
    std::sort(cands.begin(), cands.end());
    // A pair found from both of its ends appears twice, adjacent after the sort.
    cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
    std::vector<std::size_t> link(ends.size(), SIZE_MAX);
    std::vector<std::size_t> parent(ns);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    auto find = [&](std::size_t x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    };
    for (const Cand& c : cands) {
        const std::size_t ca = c.a(), cb = c.b();
        if (link[ca] != SIZE_MAX || link[cb] != SIZE_MAX) continue;
        const std::size_t ra = find(ca / 2), rb = find(cb / 2);
        if (ra == rb) continue;
        parent[ra] = rb;
        link[ca] = cb;
        link[cb] = ca;
    }

    // ---- assemble chains, measure, filter.
    std::vector<std::uint8_t> used(ns, 0);
    const bool has_scale = scale.data != nullptr, has_or = orientation.data != nullptr;
    ConstView<float> dmap = depth.data ? depth : response;
    std::vector<std::size_t> chain_px;
    std::vector<XY> pts, sm;
    struct Out {
        std::vector<XY> pts;
        std::array<double, kTraceStats> st;
    };
    std::vector<Out> outs;
    // Free ends are pulled in by about half the line width by the thinning: walk
    // them outwards along their direction while the thresholded region continues.
    auto extend = [&](std::vector<XY>& v, bool front) {
        const std::size_t K = v.size();
        const std::size_t k = std::min<std::size_t>(K - 1, 8);
        const XY a = front ? v[0] : v[K - 1];
        const XY b = front ? v[k] : v[K - 1 - k];
        const double dx = a.x - b.x, dy = a.y - b.y, n = std::hypot(dx, dy);
        if (!(n > 0)) return;
        XY last{0, 0};
        bool any = false;
        for (int t = 1; t <= 32; ++t) {
            const double x = a.x + dx / n * t, y = a.y + dy / n * t;
            const long ix = std::lround(x), iy = std::lround(y);
            if (ix < 0 || iy < 0 || ix >= P.W || iy >= P.H || !region[P.idx(ix, iy)]) break;
            last = XY{x, y};
            any = true;
        }
        if (!any) return;
        if (front) v.insert(v.begin(), last);
        else v.push_back(last);
    };
    auto emit = [&](bool closed, bool ext_front, bool ext_back) {
        // chain_px: pixel indices in order (a junction pixel shared by two linked
        // segments appears once).
        const std::size_t K = chain_px.size();
        if (K < 2) return;
        pts.resize(K);
        for (std::size_t i = 0; i < K; ++i) pts[i] = pxy(chain_px[i]);
        sm.resize(K);
        const long r = p.smooth;
        for (std::size_t i = 0; i < K; ++i) {
            // Window shrinks symmetrically near the ends so the end points stay put.
            long h = std::min<long>(r, std::min<long>(static_cast<long>(i), static_cast<long>(K - 1 - i)));
            if (closed) h = r < static_cast<long>(K / 2) ? r : static_cast<long>(K / 2);
            double sx = 0, sy = 0;
            for (long j = -h; j <= h; ++j) {
                long q = static_cast<long>(i) + j;
                if (closed) q = ((q % static_cast<long>(K - 1)) + static_cast<long>(K - 1)) % static_cast<long>(K - 1);
                sx += pts[static_cast<std::size_t>(q)].x;
                sy += pts[static_cast<std::size_t>(q)].y;
            }
            sm[i] = XY{sx / static_cast<double>(2 * h + 1), sy / static_cast<double>(2 * h + 1)};
        }
        if (closed) sm[K - 1] = sm[0];
        std::vector<XY> line(sm.begin(), sm.end());
        if (ext_front) extend(line, true);
        if (ext_back) extend(line, false);
        double len = 0;
        for (std::size_t i = 1; i < line.size(); ++i)
            len += std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
        if (len < p.min_length) return;
        const std::size_t npx = closed ? K - 1 : K;
        double dsum = 0, dmax = -std::numeric_limits<double>::infinity(), wsum = 0, c2 = 0, s2 = 0;
        double mx = 0, my = 0;
        for (std::size_t i = 0; i < npx; ++i) {
            const long x = static_cast<long>(pts[i].x), y = static_cast<long>(pts[i].y);
            const double dv = dmap.row(y)[x];
            dsum += dv;
            dmax = std::max(dmax, dv);
            if (has_scale) wsum += 2.0 * scale.row(y)[x];
            if (has_or) {
                const double th = orientation.row(y)[x];
                c2 += std::cos(2 * th);
                s2 += std::sin(2 * th);
            }
            mx += sm[i].x;
            my += sm[i].y;
        }
        const double n = static_cast<double>(npx);
        if (!has_or) {
            mx /= n;
            my /= n;
            double cxx = 0, cyy = 0, cxy = 0;
            for (std::size_t i = 0; i < npx; ++i) {
                const double dx = sm[i].x - mx, dy = sm[i].y - my;
                cxx += dx * dx;
                cyy += dy * dy;
                cxy += dx * dy;
            }
            c2 = cxx - cyy;
            s2 = 2 * cxy;
        }
        double th = 0.5 * std::atan2(s2, c2);
        const double hp = 1.57079632679489661923;
        if (th >= hp) th -= 2 * hp;
        if (th < -hp) th += 2 * hp;
        Out o;
        o.pts = std::move(line);
        o.st = {len,
                                        dsum / n,
                                        dmax,
                                        has_scale ? wsum / n : std::numeric_limits<double>::quiet_NaN(),
                                        th,
                                        closed ? 1.0 : 0.0,
                                        n};
        outs.push_back(std::move(o));
    };
    auto append = [&](const std::vector<std::size_t>& v, bool reversed) {
        for (std::size_t k = 0; k < v.size(); ++k) {
            const std::size_t q = reversed ? v[v.size() - 1 - k] : v[k];
            if (k == 0 && !chain_px.empty() && chain_px.back() == q) continue;
            chain_px.push_back(q);
        }
    };
    // Chains start at a segment with a free end; order them by their first pixel.
    struct Chain {
        std::size_t first_px;
        std::size_t seg;
        int start_end;
    };
    std::vector<Chain> starts;
    for (std::size_t s = 0; s < ns; ++s) {
        if (drop[s]) continue;
        if (segs[s].closed) {
            starts.push_back({segs[s].px.front(), s, -1});
            continue;
        }
        for (int e = 0; e < 2; ++e)
            if (link[2 * s + static_cast<std::size_t>(e)] == SIZE_MAX) {
                const std::size_t fp = e == 0 ? segs[s].px.front() : segs[s].px.back();
                starts.push_back({fp, s, e});
            }
    }
    // Each open chain has two free ends: start from the one earlier in raster order.
    std::sort(starts.begin(), starts.end(), [](const Chain& a, const Chain& b) {
        if (a.first_px != b.first_px) return a.first_px < b.first_px;
        if (a.seg != b.seg) return a.seg < b.seg;
        return a.start_end < b.start_end;
    });
    for (const Chain& c : starts) {
        if (used[c.seg]) continue;
        chain_px.clear();
        if (c.start_end < 0) {
            used[c.seg] = 1;
            append(segs[c.seg].px, false);
            emit(true, false, false);
            continue;
        }
        std::size_t s = c.seg;
        int e = c.start_end;
        const bool free_front = (e == 0 ? segs[s].deg_front : segs[s].deg_back) == 1;
        for (;;) {
            used[s] = 1;
            append(segs[s].px, e == 1);
            const std::size_t out_end = 2 * s + static_cast<std::size_t>(1 - e);
            const std::size_t nxt = link[out_end];
            if (nxt == SIZE_MAX) break;
            s = nxt / 2;
            e = static_cast<int>(nxt % 2);
            if (used[s]) break;  // cannot happen: links form no cycles
        }
        const bool free_back = (e == 0 ? segs[s].deg_back : segs[s].deg_front) == 1;
        emit(false, free_front, free_back);
    }
    // Open polylines run from their raster-earlier end; output in raster order of
    // the first point (stable, so ties keep the deterministic discovery order).
    auto before = [](const XY& a, const XY& b) { return a.y < b.y || (a.y == b.y && a.x < b.x); };
    for (Out& o : outs)
        if (o.st[5] == 0.0 && before(o.pts.back(), o.pts.front())) std::reverse(o.pts.begin(), o.pts.end());
    std::vector<std::size_t> order(outs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return before(outs[a].pts.front(), outs[b].pts.front()); });
    for (std::size_t i : order) {
        for (const XY& q : outs[i].pts) {
            res.xy.push_back(static_cast<float>(q.x));
            res.xy.push_back(static_cast<float>(q.y));
        }
        res.offsets.push_back(static_cast<std::int64_t>(res.xy.size() / 2));
        res.stats.insert(res.stats.end(), outs[i].st.begin(), outs[i].st.end());
    }
    return res;
}

}  // namespace skincore
