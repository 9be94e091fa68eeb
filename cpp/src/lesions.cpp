// Lesion candidate kernels (see lesions.hpp).
#include "skincore/lesions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "skincore/cpu.hpp"
#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"
#include "skincore/scratch.hpp"

namespace skincore::lesions {

namespace {

// Per mask row y, [spans[2y], spans[2y+1]): first to one past the last nonzero
// (empty: 0, 0), as gaussian_blur_row_range takes them.
std::vector<std::int64_t> mask_extents(ConstView<std::uint8_t> mask) {
    const std::int64_t w = mask.width, h = mask.height;
    std::vector<std::int64_t> spans(2 * static_cast<std::size_t>(h), 0);
    for (std::int64_t y = 0; y < h; ++y) {
        const std::uint8_t* k = mask.row(y);
        std::int64_t x0 = 0, x1 = w;
        while (x0 < w && k[x0] == 0) ++x0;
        while (x1 > x0 && k[x1 - 1] == 0) --x1;
        spans[2 * static_cast<std::size_t>(y)] = x0;
        spans[2 * static_cast<std::size_t>(y) + 1] = x1;
    }
    return spans;
}

// One row of local_contrast's running maximum over the scales: where both
// weights are >= kMinWeight and v = a / b - c / d exceeds out, out = v and
// scale = k. Branch-free (every v is computed, the kept ones are the same floats
// as the branchy loop's), so it vectorises; AVX2 doubles the divisions' width.
SKINCORE_AVX2_CLONES void contrast_max_row(const float* __restrict a, const float* __restrict c,
                                           const float* __restrict b, const float* __restrict d,
                                           float* __restrict out, std::uint8_t* __restrict scale,
                                           std::uint8_t k, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) {
        const float bb = b[x], dd = d[x];
        const float v = a[x] / bb - c[x] / dd;
        const float cur = out[x];
        const bool take = (bb >= kMinWeight) & (dd >= kMinWeight) & (v > cur);
        out[x] = take ? v : cur;
        scale[x] = take ? k : scale[x];
    }
}

// o[x] = k[x] != 0 ? (s ? s[x] : 1) : 0 for x < n: the mask as 0/1 (s null) or a
// map masked by it. Branch-free (s[x] is read either way), so it vectorises.
SKINCORE_AVX2_CLONES void mask_row(const std::uint8_t* __restrict k, const float* __restrict s,
                                   float* __restrict o, std::int64_t n) {
    if (s == nullptr) {
        for (std::int64_t x = 0; x < n; ++x) o[x] = k[x] != 0 ? 1.0f : 0.0f;
        return;
    }
    for (std::int64_t x = 0; x < n; ++x) {
        const float v = s[x];
        o[x] = k[x] != 0 ? v : 0.0f;
    }
}

// o[x] = a[x] * b[x] for x < n.
SKINCORE_AVX2_CLONES void mul_row(const float* __restrict a, const float* __restrict b,
                                  float* __restrict o, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) o[x] = a[x] * b[x];
}

// local_contrast's last pass on a row's extent: out and scale 0 where the mask is
// 0 or out is still -inf (no scale had both weights). Branch-free.
SKINCORE_AVX2_CLONES void finish_row(const std::uint8_t* __restrict k, float* __restrict out,
                                     std::uint8_t* __restrict scale, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) {
        const float v = out[x];
        const bool off = (k[x] == 0) | (v == -std::numeric_limits<float>::infinity());
        out[x] = off ? 0.0f : v;
        scale[x] = off ? std::uint8_t{0} : scale[x];
    }
}

// o[x] = d[x] > min_weight ? n[x] / d[x] : 0 for x < len. Branch-free (every
// quotient is formed, the kept ones are the same floats), so it vectorises.
SKINCORE_AVX2_CLONES void ratio_row(const float* __restrict n, const float* __restrict d,
                                    float min_weight, float* __restrict o, std::int64_t len) {
    for (std::int64_t x = 0; x < len; ++x) {
        const float q = n[x] / d[x];
        o[x] = d[x] > min_weight ? q : 0.0f;
    }
}

// Tags of local_contrast_maps' and smooth_over's kept scratch (kept_scratch).
struct ContrastScratch;
struct SmoothScratch;

}  // namespace

void local_contrast(ConstView<float> src, ConstView<std::uint8_t> mask, const double* sigmas, int n_sigmas,
                    double surround_ratio, double truncate, MutView<float> out, MutView<std::uint8_t> scale,
                    int threads) {
    local_contrast_maps(&src, 1, mask, sigmas, n_sigmas, surround_ratio, truncate, &out, &scale, threads);
}

void local_contrast_maps(const ConstView<float>* srcs, int n_maps, ConstView<std::uint8_t> mask,
                         const double* sigmas, int n_sigmas, double surround_ratio, double truncate,
                         const MutView<float>* outs, const MutView<std::uint8_t>* scales, int threads) {
    if (n_maps < 1) throw std::invalid_argument("local_contrast: need at least one map");
    for (int i = 0; i < n_maps; ++i) {
        const ConstView<float>& src = srcs[i];
        const MutView<float>& out = outs[i];
        const MutView<std::uint8_t>& scale = scales[i];
        if (src.channels != 1 || mask.channels != 1 || out.channels != 1 || scale.channels != 1)
            throw std::invalid_argument("local_contrast: bad channels");
        if (src.width != mask.width || src.height != mask.height || src.width != out.width ||
            src.height != out.height || src.width != scale.width || src.height != scale.height)
            throw std::invalid_argument("local_contrast: shape mismatch");
    }
    if (n_sigmas < 1 || n_sigmas > kMaxScales) throw std::invalid_argument("local_contrast: bad number of scales");
    if (!(surround_ratio > 1.0)) throw std::invalid_argument("local_contrast: surround_ratio must be > 1");
    for (int k = 0; k < n_sigmas; ++k)
        if (!(sigmas[k] > 0.0)) throw std::invalid_argument("local_contrast: sigmas must be > 0");
    if (mask.empty()) return;
    const std::int64_t w = mask.width, h = mask.height;
    const std::size_t n = static_cast<std::size_t>(w * h);
    const std::size_t nm = static_cast<std::size_t>(n_maps);
    // Scratch (uninitialised or stale, kept per calling thread: freshly mapped pages
    // faulted in cost up to a sixth of the kernel's time): the masked maps are
    // written whole, the blurs on the mask's row extents, where alone they are read.
    Scratch<float> local;
    float* base = kept_scratch<ContrastScratch>((3 + 3 * nm) * n, local);
    auto plane = [&](std::size_t j) { return base + j * n; };
    float* const m = plane(0);
    float* const b = plane(1);
    float* const d = plane(2);
    std::vector<float*> sm(nm), a(nm), c(nm);
    for (std::size_t i = 0; i < nm; ++i) {
        sm[i] = plane(3 + i);
        a[i] = plane(3 + nm + i);
        c[i] = plane(3 + 2 * nm + i);
    }
    const std::int64_t grain = row_grain(w, 1 << 14);
    // Only mask pixels keep a value: the blurs are evaluated over each row's extent
    // of the mask (identical values there: gaussian_blur_row_range).
    const std::vector<std::int64_t> spans = mask_extents(mask);
    // The masked planes whole (a blur's vertical pass reads the rows around its
    // own); the running maxima on the extents, where alone they are updated.
    parallel_rows(h, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* k = mask.row(y);
            mask_row(k, nullptr, m + y * w, w);
            const std::int64_t x0 = spans[2 * static_cast<std::size_t>(y)];
            const std::int64_t x1 = spans[2 * static_cast<std::size_t>(y) + 1];
            for (std::size_t i = 0; i < nm; ++i) {
                mask_row(k, srcs[i].row(y), sm[i] + y * w, w);
                float* po = outs[i].row(y);
                if (x0 < x1) std::fill(po + x0, po + x1, -std::numeric_limits<float>::infinity());
            }
        }
    });
    auto blur = [&](const float* src, float* dst, double sigma) {
        gaussian_blur_row_range(ConstView<float>{src, w, h, w, 1}, MutView<float>{dst, w, h, w, 1},
                                sigma, truncate, spans.data(), threads);
    };
    for (int k = 0; k < n_sigmas; ++k) {
        const double s = sigmas[k];
        blur(m, b, s);
        blur(m, d, s * surround_ratio);
        for (std::size_t i = 0; i < nm; ++i) {
            blur(sm[i], a[i], s);
            blur(sm[i], c[i], s * surround_ratio);
        }
        parallel_rows(h, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::size_t i = 0; i < nm; ++i) {
                const float* pa = a[i];
                const float* pc = c[i];
                for (std::int64_t y = y0; y < y1; ++y) {
                    const std::size_t o = static_cast<std::size_t>(y * w);
                    const std::int64_t x0 = spans[2 * static_cast<std::size_t>(y)];
                    const std::int64_t x1 = spans[2 * static_cast<std::size_t>(y) + 1];
                    if (x0 >= x1) continue;
                    contrast_max_row(pa + o + x0, pc + o + x0, b + o + x0, d + o + x0,
                                     outs[i].row(y) + x0, scales[i].row(y) + x0, static_cast<std::uint8_t>(k),
                                     x1 - x0);
                }
            }
        });
    }
    // 0 off the mask (outside the extents: every pixel) and where no scale had
    // both weights.
    parallel_rows(h, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::uint8_t* km = mask.row(y);
            const std::int64_t x0 = spans[2 * static_cast<std::size_t>(y)];
            const std::int64_t x1 = std::max(x0, spans[2 * static_cast<std::size_t>(y) + 1]);
            for (std::size_t i = 0; i < nm; ++i) {
                float* po = outs[i].row(y);
                std::uint8_t* pk = scales[i].row(y);
                std::fill(po, po + x0, 0.0f);
                std::fill(pk, pk + x0, std::uint8_t{0});
                finish_row(km + x0, po + x0, pk + x0, x1 - x0);
                std::fill(po + x1, po + w, 0.0f);
                std::fill(pk + x1, pk + w, std::uint8_t{0});
            }
        }
    });
}

void smooth_over(const ConstView<float>* srcs, int n_maps, ConstView<std::uint8_t> mask, double sigma,
                 double truncate, float min_weight, const MutView<float>* outs, int threads) {
    if (n_maps < 1) throw std::invalid_argument("smooth_over: need at least one map");
    for (int i = 0; i < n_maps; ++i) {
        if (srcs[i].channels != 1 || mask.channels != 1 || outs[i].channels != 1)
            throw std::invalid_argument("smooth_over: bad channels");
        if (srcs[i].width != mask.width || srcs[i].height != mask.height || outs[i].width != mask.width ||
            outs[i].height != mask.height)
            throw std::invalid_argument("smooth_over: shape mismatch");
    }
    (void)gaussian_kernel(sigma, truncate);  // validates sigma and truncate
    if (mask.empty()) return;
    const std::int64_t w = mask.width, h = mask.height;
    const std::size_t n = static_cast<std::size_t>(w * h);
    const std::vector<std::int64_t> spans = mask_extents(mask);
    // Scratch (uninitialised or stale, kept per calling thread: freshly mapped pages
    // faulted in cost up to a third of the kernel's time): m and sm written whole,
    // den and num on the row extents, read there.
    Scratch<float> local;
    float* const m = kept_scratch<SmoothScratch>(4 * n, local);
    float* const den = m + n;
    float* const sm = m + 2 * n;
    float* const num = m + 3 * n;
    const std::int64_t grain = row_grain(w, 1 << 14);
    parallel_rows(h, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            mask_row(mask.row(y), nullptr, m + y * w, w);
        }
    });
    const ConstView<float> mv{m, w, h, w, 1};
    gaussian_blur_row_range(mv, MutView<float>{den, w, h, w, 1}, sigma, truncate, spans.data(), threads);
    for (int i = 0; i < n_maps; ++i) {
        const ConstView<float>& src = srcs[i];
        parallel_rows(h, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) mul_row(src.row(y), m + y * w, sm + y * w, w);
        });
        gaussian_blur_row_range(ConstView<float>{sm, w, h, w, 1}, MutView<float>{num, w, h, w, 1},
                                sigma, truncate, spans.data(), threads);
        const MutView<float>& out = outs[i];
        parallel_rows(h, grain, threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) {
                float* o = out.row(y);
                const std::int64_t a = spans[2 * static_cast<std::size_t>(y)], b = spans[2 * static_cast<std::size_t>(y) + 1];
                for (std::int64_t x = 0; x < a; ++x) o[x] = 0.0f;
                if (a < b) ratio_row(num + y * w + a, den + y * w + a, min_weight, o + a, b - a);
                for (std::int64_t x = std::max(a, b); x < w; ++x) o[x] = 0.0f;
            }
        });
    }
}

namespace {

inline void exch(std::uint8_t& a, std::uint8_t& b) {
    const std::uint8_t lo = std::min(a, b);
    b = std::max(a, b);
    a = lo;
}

// out[i] = median of the nine samples r[0..2][i + dx * c], dx = 0..2: the median-of-9
// exchange network (Paeth, Graphics Gems 1990; 19 min/max pairs, element 4 holds the
// median) on locals, one sample per iteration, which the compiler vectorises.
SKINCORE_AVX2_CLONES void median9_row(const std::uint8_t* r0, const std::uint8_t* r1, const std::uint8_t* r2,
                                      std::int64_t c, std::uint8_t* out, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        std::uint8_t v0 = r0[i], v1 = r0[i + c], v2 = r0[i + 2 * c];
        std::uint8_t v3 = r1[i], v4 = r1[i + c], v5 = r1[i + 2 * c];
        std::uint8_t v6 = r2[i], v7 = r2[i + c], v8 = r2[i + 2 * c];
        exch(v1, v2), exch(v4, v5), exch(v7, v8), exch(v0, v1), exch(v3, v4), exch(v6, v7);
        exch(v1, v2), exch(v4, v5), exch(v7, v8), exch(v0, v3), exch(v5, v8), exch(v4, v7);
        exch(v3, v6), exch(v1, v4), exch(v2, v5), exch(v4, v7), exch(v4, v2), exch(v6, v4);
        exch(v4, v2);
        out[i] = v4;
    }
}

}  // namespace

void median3(ConstView<std::uint8_t> src, MutView<std::uint8_t> dst, int threads) {
    if (src.width != dst.width || src.height != dst.height || src.channels != dst.channels)
        throw std::invalid_argument("median3: src and dst shapes differ");
    if (src.channels < 1 || src.channels > 4) throw std::invalid_argument("median3: 1 to 4 channels");
    if (src.empty()) return;
    const std::int64_t W = src.width, H = src.height, C = src.channels, n = W * C;
    const std::int64_t padded = n + 2 * C;
    parallel_rows(H, row_grain(n), threads, [&](std::int64_t y0, std::int64_t y1) {
        // Three source rows with one replicated pixel at each end.
        std::vector<std::uint8_t> buf(static_cast<std::size_t>(3 * padded));
        for (std::int64_t y = y0; y < y1; ++y) {
            for (int r = 0; r < 3; ++r) {
                const std::int64_t sy = std::min(std::max<std::int64_t>(y + r - 1, 0), H - 1);
                const std::uint8_t* s = src.row(sy);
                std::uint8_t* p = buf.data() + r * padded;
                std::copy(s, s + n, p + C);
                std::copy(s, s + C, p);
                std::copy(s + n - C, s + n, p + C + n);
            }
            median9_row(buf.data(), buf.data() + padded, buf.data() + 2 * padded, C, dst.row(y), n);
        }
    });
}

namespace {

// The largest of n int32 values read as unsigned (a negative one is larger than
// any table): take's check of a packed label row (an AVX2 clone: SSE2 has no
// unsigned 32-bit maximum).
SKINCORE_AVX2_CLONES std::uint32_t max_unsigned(const std::int32_t* __restrict v, std::int64_t n) {
    std::uint32_t m = 0;
    for (std::int64_t x = 0; x < n; ++x) {
        const auto u = static_cast<std::uint32_t>(v[x]);
        m = u > m ? u : m;
    }
    return m;
}

// take's row: the largest index (unsigned: a negative one is larger than any
// table), then, when every index is in the table, the plain gather (the row of
// an out-of-range index is left unwritten: the call fails). C: the pixel step.
template <class I, class T, std::int64_t C>
bool take_row(const I* __restrict ir, std::int64_t cstep, const T* __restrict lut, std::uint64_t top, bool check,
              T* __restrict o, std::int64_t w) {
    using U = std::make_unsigned_t<I>;
    const std::int64_t step = C > 0 ? C : cstep;
    if (check) {
        U m = 0;
        if constexpr (std::is_same_v<I, std::int32_t> && C == 1) {
            m = max_unsigned(ir, w);
        } else {
            for (std::int64_t x = 0; x < w; ++x) {
                const U u = static_cast<U>(ir[x * step]);
                m = u > m ? u : m;
            }
        }
        if (static_cast<std::uint64_t>(m) > top) return false;
    }
    for (std::int64_t x = 0; x < w; ++x) o[x] = lut[static_cast<U>(ir[x * step])];
    return true;
}

}  // namespace

template <class I, class T>
bool take(ConstView<I> index, int channel, const T* lut, std::int64_t n, MutView<T> out, int threads) {
    if (index.width != out.width || index.height != out.height || out.channels != 1)
        throw std::invalid_argument("take: index and out shapes differ");
    if (channel < 0 || channel >= index.channels) throw std::invalid_argument("take: channel out of range");
    if (n < 1) throw std::invalid_argument("take: empty lut");
    if (index.empty()) return true;
    const std::int64_t W = index.width, H = index.height, C = index.channels;
    using U = std::make_unsigned_t<I>;
    const auto top = static_cast<std::uint64_t>(n - 1);
    // an index type whose every value is in the table needs no check
    const bool check = top < static_cast<std::uint64_t>(std::numeric_limits<U>::max());
    const std::int64_t grain = row_grain(W);
    const std::int64_t nch = chunk_count(H, grain);
    std::vector<std::uint8_t> bad(static_cast<std::size_t>(nch), 0);
    parallel_chunks(H, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        bool ok = true;
        for (std::int64_t y = y0; y < y1 && ok; ++y) {
            const I* ir = index.row(y) + channel;
            ok = C == 1 ? take_row<I, T, 1>(ir, 1, lut, top, check, out.row(y), W)
                        : take_row<I, T, 0>(ir, C, lut, top, check, out.row(y), W);
        }
        bad[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(!ok);
    });
    for (auto b : bad)
        if (b) return false;
    return true;
}

template bool take(ConstView<std::int32_t>, int, const std::uint8_t*, std::int64_t, MutView<std::uint8_t>, int);
template bool take(ConstView<std::int32_t>, int, const std::int32_t*, std::int64_t, MutView<std::int32_t>, int);
template bool take(ConstView<std::int32_t>, int, const float*, std::int64_t, MutView<float>, int);
template bool take(ConstView<std::uint8_t>, int, const std::uint8_t*, std::int64_t, MutView<std::uint8_t>, int);
template bool take(ConstView<std::uint8_t>, int, const std::int32_t*, std::int64_t, MutView<std::int32_t>, int);
template bool take(ConstView<std::uint8_t>, int, const float*, std::int64_t, MutView<float>, int);

namespace {

struct Acc {
    std::int64_t area = 0;
    double sx = 0, sy = 0;
    std::int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

}  // namespace

void region_features(ConstView<std::int32_t> labels, std::int32_t n_labels, ConstView<float> values,
                     ConstView<std::uint8_t> mask, const RingParams& ring, double* out, int threads) {
    if (values.channels < 1) throw std::invalid_argument("region_features: bad channels");
    std::vector<ConstView<float>> planes(static_cast<std::size_t>(values.channels), values);
    for (std::size_t q = 0; q < planes.size(); ++q) planes[q].data = values.data + q;
    region_features(labels, n_labels, planes.data(), static_cast<int>(planes.size()), mask, ring, out,
                    threads);
}

void region_features(ConstView<std::int32_t> labels, std::int32_t n_labels, const ConstView<float>* planes,
                     int n_planes, ConstView<std::uint8_t> mask, const RingParams& ring, double* out,
                     int threads) {
    if (labels.channels != 1 || mask.channels != 1 || n_planes < 1)
        throw std::invalid_argument("region_features: bad channels");
    for (int q = 0; q < n_planes; ++q)
        if (planes[q].channels < 1 || planes[q].width != labels.width || planes[q].height != labels.height)
            throw std::invalid_argument("region_features: shape mismatch");
    if (labels.width != mask.width || labels.height != mask.height)
        throw std::invalid_argument("region_features: shape mismatch");
    if (n_labels < 0) throw std::invalid_argument("region_features: n_labels must be >= 0");
    const int C = n_planes;
    // value of channel q at (x, y)
    auto val = [planes](int q, std::int64_t y, std::int64_t x) -> float {
        return planes[q].row(y)[x * planes[q].channels];
    };
    const std::int64_t ncol = kGeomCols + static_cast<std::int64_t>(kChanCols) * C;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::fill(out, out + ncol * n_labels, nan);
    if (n_labels == 0) return;
    const std::int64_t w = labels.width, h = labels.height;
    // Pass 1 (serial raster order): area, centroid sums, bounding boxes.
    std::vector<Acc> acc(static_cast<std::size_t>(n_labels));
    for (std::int64_t y = 0; y < h; ++y) {
        const std::int32_t* lr = labels.row(y);
        for (std::int64_t x = 0; x < w; ++x) {
            const std::int32_t l = lr[x];
            if (l == 0) continue;
            if (l < 0 || l > n_labels) throw std::invalid_argument("labels: value outside [0, n_labels]");
            Acc& a = acc[static_cast<std::size_t>(l - 1)];
            if (a.area == 0) {
                a.x0 = a.x1 = x;
                a.y0 = a.y1 = y;
            }
            ++a.area;
            a.sx += static_cast<double>(x);
            a.sy += static_cast<double>(y);
            a.x0 = std::min(a.x0, x);
            a.x1 = std::max(a.x1, x);
            a.y1 = y;
        }
    }
    const double kPi = 3.14159265358979323846;
    // Pass 2: one region per task; each reads only its own window.
    parallel_chunks(n_labels, 8, threads, [&](std::int64_t, std::int64_t l0, std::int64_t l1) {
        std::vector<double> s_in(C), s_core(C), s_ring(C), s_grad(C), mx(C), mn(C);
        for (std::int64_t li = l0; li < l1; ++li) {
            const Acc& a = acc[static_cast<std::size_t>(li)];
            double* row = out + li * ncol;
            row[kArea] = static_cast<double>(a.area);
            if (a.area == 0) continue;
            const std::int32_t lab = static_cast<std::int32_t>(li + 1);
            const double cx = a.sx / static_cast<double>(a.area), cy = a.sy / static_cast<double>(a.area);
            const double r_eq = std::sqrt(static_cast<double>(a.area) / kPi);
            const double core_r = ring.core_fraction * r_eq;
            std::fill(s_in.begin(), s_in.end(), 0.0);
            std::fill(s_core.begin(), s_core.end(), 0.0);
            std::fill(s_ring.begin(), s_ring.end(), 0.0);
            std::fill(s_grad.begin(), s_grad.end(), 0.0);
            std::fill(mx.begin(), mx.end(), -std::numeric_limits<double>::infinity());
            std::fill(mn.begin(), mn.end(), std::numeric_limits<double>::infinity());
            std::int64_t n_core = 0, n_border = 0, edges = 0;
            double r2max = 0.0;
            for (std::int64_t y = a.y0; y <= a.y1; ++y) {
                const std::int32_t* lr = labels.row(y);
                for (std::int64_t x = a.x0; x <= a.x1; ++x) {
                    if (lr[x] != lab) continue;
                    const double dx = static_cast<double>(x) - cx, dy = static_cast<double>(y) - cy;
                    const double r2 = dx * dx + dy * dy;
                    r2max = std::max(r2max, r2);
                    const bool core = r2 <= core_r * core_r;
                    n_core += core;
                    for (int q = 0; q < C; ++q) {
                        const double v = val(q, y, x);
                        s_in[q] += v;
                        if (core) s_core[q] += v;
                        mx[q] = std::max(mx[q], v);
                        mn[q] = std::min(mn[q], v);
                    }
                    const int e = (x == 0 || lr[x - 1] != lab) + (x == w - 1 || lr[x + 1] != lab) +
                                  (y == 0 || labels.row(y - 1)[x] != lab) +
                                  (y == h - 1 || labels.row(y + 1)[x] != lab);
                    edges += e;
                    if (e > 0) {
                        ++n_border;
                        const std::int64_t xa = x > 0 ? x - 1 : x, xb = x < w - 1 ? x + 1 : x;
                        const std::int64_t ya = y > 0 ? y - 1 : y, yb = y < h - 1 ? y + 1 : y;
                        for (int q = 0; q < C; ++q) {
                            const double gx = (static_cast<double>(val(q, y, xb)) - val(q, y, xa)) /
                                              static_cast<double>(xb - xa > 0 ? xb - xa : 1);
                            const double gy = (static_cast<double>(val(q, yb, x)) - val(q, ya, x)) /
                                              static_cast<double>(yb - ya > 0 ? yb - ya : 1);
                            s_grad[q] += std::sqrt(gx * gx + gy * gy);
                        }
                    }
                }
            }
            const double rmax = std::sqrt(r2max);
            const double width = std::max(ring.min_width, ring.width_factor * r_eq);
            const double rin = rmax + 0.5 + ring.gap, rout = rin + width;
            const std::int64_t ext = static_cast<std::int64_t>(std::ceil(rout)) + 1;
            const std::int64_t rx0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(cx)) - ext);
            const std::int64_t rx1 = std::min<std::int64_t>(w - 1, static_cast<std::int64_t>(std::floor(cx)) + ext);
            const std::int64_t ry0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(cy)) - ext);
            const std::int64_t ry1 = std::min<std::int64_t>(h - 1, static_cast<std::int64_t>(std::floor(cy)) + ext);
            std::int64_t n_ring = 0;
            for (std::int64_t y = ry0; y <= ry1; ++y) {
                const std::int32_t* lr = labels.row(y);
                const std::uint8_t* mr = mask.row(y);
                for (std::int64_t x = rx0; x <= rx1; ++x) {
                    if (lr[x] != 0 || mr[x] == 0) continue;
                    const double dx = static_cast<double>(x) - cx, dy = static_cast<double>(y) - cy;
                    const double r2 = dx * dx + dy * dy;
                    if (r2 <= rin * rin || r2 > rout * rout) continue;
                    ++n_ring;
                    for (int q = 0; q < C; ++q) s_ring[q] += val(q, y, x);
                }
            }
            row[kCx] = cx;
            row[kCy] = cy;
            row[kX0] = static_cast<double>(a.x0);
            row[kY0] = static_cast<double>(a.y0);
            row[kX1] = static_cast<double>(a.x1 + 1);
            row[kY1] = static_cast<double>(a.y1 + 1);
            row[kPerimeter] = static_cast<double>(edges) * (kPi / 4.0);
            row[kRMax] = rmax;
            row[kNRing] = static_cast<double>(n_ring);
            row[kNCore] = static_cast<double>(n_core);
            row[kNBorder] = static_cast<double>(n_border);
            const double area = static_cast<double>(a.area);
            for (int q = 0; q < C; ++q) {
                double* cq = row + kGeomCols + kChanCols * q;
                cq[kMeanIn] = s_in[q] / area;
                cq[kMeanCore] = n_core > 0 ? s_core[q] / static_cast<double>(n_core) : nan;
                cq[kMeanRing] = n_ring > 0 ? s_ring[q] / static_cast<double>(n_ring) : nan;
                cq[kMaxIn] = mx[q];
                cq[kMinIn] = mn[q];
                cq[kBorderGrad] = s_grad[q] / static_cast<double>(n_border);
            }
        }
    });
}

}  // namespace skincore::lesions
