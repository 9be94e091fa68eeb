// Blob kernels: scale-space DoG detection (see blobs.hpp for the definition).
#include "skincore/blobs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "skincore/cpu.hpp"
#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"
#include "skincore/scratch.hpp"

namespace skincore {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Candidate {
    float response;
    std::int32_t ix, iy, layer;
    double x, y, sigma;
};

// Vertex offset of the parabola through (-1, a), (0, b), (1, c), clamped to +-0.5;
// 0 when the samples do not bend downwards.
inline double parabola_offset(double a, double b, double c) {
    const double den = a - 2.0 * b + c;
    if (!(den < 0.0)) return 0.0;
    const double t = 0.5 * (a - c) / den;
    return std::clamp(t, -0.5, 0.5);
}

// Scale of the Gaussian that takes a blur at sa to one at sb > sa.
inline double step_sigma(double sa, double sb) { return std::sqrt((sb - sa) * (sb + sa)); }

inline float dog_coefficient(double sa, double sb, BlobPolarity pol) {
    const double c = 2.0 * sa * sb / (sb * sb - sa * sa);
    return static_cast<float>(pol == BlobPolarity::Dark ? c : -c);
}

// dst = coef * (b - a), elementwise; dst may alias a or b.
void scaled_difference(const float* a, const float* b, float* dst, float coef, std::int64_t w,
                       std::int64_t h, std::int64_t a_stride, std::int64_t b_stride,
                       std::int64_t d_stride, int threads) {
    parallel_rows(h, row_grain(w), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* ar = a + y * a_stride;
            const float* br = b + y * b_stride;
            float* dr = dst + y * d_stride;
            for (std::int64_t x = 0; x < w; ++x) dr[x] = coef * (br[x] - ar[x]);
        }
    });
}

// scaled_difference on the pixels of `where` only; a dst that is neither input is 0
// elsewhere.
void scaled_difference_spans(const float* a, const float* b, float* dst, float coef,
                             std::int64_t w, std::int64_t h, std::int64_t a_stride,
                             std::int64_t b_stride, std::int64_t d_stride, const RowSpans& where,
                             int threads) {
    parallel_rows(h, row_grain(w), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* ar = a + y * a_stride;
            const float* br = b + y * b_stride;
            float* dr = dst + y * d_stride;
            const SpanRow runs = where.row(y);
            for (const Span& run : runs)
                for (std::int64_t x = run.x0; x < run.x1; ++x) dr[x] = coef * (br[x] - ar[x]);
            if (dr != ar && dr != br) zero_outside(dr, runs, w);
        }
    });
}

// Where each blur L_k of an incremental scale space must be exact for its DoG
// layers to be exact on `need`: N_{K-1} = need, N_k = N_{k+1} grown by the radius
// of the step kernel from s_k to s_{k+1} (what that step reads).
std::vector<RowSpans> blur_supports(const RowSpans& need, const std::vector<double>& s,
                                    double truncate) {
    const std::size_t k = s.size();
    std::vector<RowSpans> sup(k);
    sup[k - 1] = need;
    for (std::size_t i = k - 1; i-- > 0;) {
        const auto r = static_cast<std::int64_t>(
            gaussian_kernel(step_sigma(s[i], s[i + 1]), truncate).size() / 2);
        sup[i] = dilate_spans(sup[i + 1], r);
    }
    return sup;
}

// Tag of detect_blobs' kept scratch (kept_scratch).
struct DetectScratch;

// Local-maximum test against the existing 3x3 neighbours of (x, y) in layer `d`.
// Ties are broken by the (layer, row, column) order so that a plateau yields one
// candidate: a neighbour that comes earlier in that order must be strictly smaller,
// a later one may be equal. `rel` is the layer of `d` relative to the centre sample
// (-1, 0 or +1).
inline bool is_max_in(const float* d, std::int64_t stride, float sign, std::int64_t w,
                      std::int64_t h, std::int64_t x, std::int64_t y, float v, int rel) {
    for (std::int64_t dy = -1; dy <= 1; ++dy) {
        const std::int64_t yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        const float* r = d + yy * stride;
        for (std::int64_t dx = -1; dx <= 1; ++dx) {
            const std::int64_t xx = x + dx;
            if (xx < 0 || xx >= w) continue;
            const bool later = rel != 0 ? rel > 0 : (dy != 0 ? dy > 0 : dx > 0);
            if (rel == 0 && dy == 0 && dx == 0) continue;
            const float n = sign * r[xx];
            if (later ? n > v : n >= v) return false;
        }
    }
    return true;
}

}  // namespace

void validate_blob_params(const BlobParams& p) {
    const std::size_t k = p.sigmas.size();
    if (k < 2 || k > static_cast<std::size_t>(kMaxBlobScales))
        throw std::invalid_argument("sigmas: need between 2 and " +
                                    std::to_string(kMaxBlobScales) + " values, got " +
                                    std::to_string(k));
    for (std::size_t i = 0; i < k; ++i) {
        const double s = p.sigmas[i];
        if (!std::isfinite(s) || !(s > 0.0))
            throw std::invalid_argument("sigmas: values must be finite and > 0");
        if (i > 0 && !(s > p.sigmas[i - 1]))
            throw std::invalid_argument("sigmas: values must be strictly increasing");
        // (s * s finite: the incremental blurs take sqrt(s_i^2 - s_(i-1)^2), and a tiny
        // truncate would otherwise let a sigma near 1e200 through to them as inf)
        if (s * p.truncate > static_cast<double>(kMaxGaussianRadius) || !std::isfinite(s * s))
            throw std::invalid_argument("sigmas: value too large for the Gaussian radius cap");
    }
    if (!std::isfinite(p.threshold) || p.threshold < 0.0)
        throw std::invalid_argument("threshold: must be finite and >= 0");
    if (!std::isfinite(p.overlap) || p.overlap < 0.0 || p.overlap > 1.0)
        throw std::invalid_argument("overlap: must be in [0, 1]");
    if (!std::isfinite(p.truncate) || !(p.truncate > 0.0))
        throw std::invalid_argument("truncate: must be finite and > 0");
}

double disk_overlap(double x1, double y1, double r1, double x2, double y2, double r2) {
    const double d = std::hypot(x1 - x2, y1 - y2);
    const double rmin = std::min(r1, r2);
    if (!(rmin > 0.0)) return 0.0;
    if (d >= r1 + r2) return 0.0;
    if (d <= std::fabs(r1 - r2)) return 1.0;
    const double c1 = std::clamp((d * d + r1 * r1 - r2 * r2) / (2.0 * d * r1), -1.0, 1.0);
    const double c2 = std::clamp((d * d + r2 * r2 - r1 * r1) / (2.0 * d * r2), -1.0, 1.0);
    const double k = (-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2);
    const double area =
        r1 * r1 * std::acos(c1) + r2 * r2 * std::acos(c2) - 0.5 * std::sqrt(std::max(0.0, k));
    return std::clamp(area / (kPi * rmin * rmin), 0.0, 1.0);
}

void dog_response(ConstView<float> gray, MutView<float> dst, double sigma_a, double sigma_b,
                  BlobPolarity polarity, double truncate, int threads) {
    if (gray.width != dst.width || gray.height != dst.height)
        throw std::invalid_argument("dst: shape differs from gray");
    BlobParams p;
    p.sigmas = {sigma_a, sigma_b};
    p.truncate = truncate;
    validate_blob_params(p);
    if (gray.empty()) return;
    const std::int64_t w = gray.width, h = gray.height;
    std::vector<float> la(static_cast<std::size_t>(w * h));
    MutView<float> va{la.data(), w, h, w, 1};
    gaussian_blur(gray, va, sigma_a, truncate, threads);
    gaussian_blur(gray, dst, sigma_b, truncate, threads);
    scaled_difference(la.data(), dst.data, dst.data, dog_coefficient(sigma_a, sigma_b, polarity),
                      w, h, w, dst.row_stride, dst.row_stride, threads);
}

namespace {

// One DoG layer as the detector reads it; `sign` * value is the response of the
// blob polarity searched for. A null `p` is a layer outside the stack.
struct Layer {
    const float* p = nullptr;
    std::int64_t stride = 0;
    float at(std::int64_t x, std::int64_t y, float sign) const { return sign * p[y * stride + x]; }
};

// Fractional layer of a candidate at layer `layer`: the vertex of the parabola
// through layers centre-1, centre, centre+1 (centre = layer clamped to
// [1, nlayers-2], so the end layers are refined towards the inside only), kept
// within half a layer of `layer` and inside the stack.
void refine_layer(Candidate& cd, const Layer& lm, const Layer& l0, const Layer& lp, int centre,
                  float sign, int nlayers) {
    const double a = lm.at(cd.ix, cd.iy, sign), b = l0.at(cd.ix, cd.iy, sign),
                 c = lp.at(cd.ix, cd.iy, sign);
    const double den = a - 2.0 * b + c;
    double pos = cd.layer;
    if (den < 0.0) {
        const double t = 0.5 * (a - c) / den;
        pos = std::clamp(centre + t, cd.layer - 0.5, cd.layer + 0.5);
        pos = std::clamp(pos, 0.0, static_cast<double>(nlayers - 1));
    }
    cd.sigma = pos;  // converted to a scale once every layer is known
}

// Sample order of a polarity without multiplying by its sign: ge(a, b) is
// sign * a >= sign * b and gt(a, b) is sign * a > sign * b (exact, as negation is).
struct DarkOrder {
    static bool ge(float a, float b) { return a >= b; }
    static bool gt(float a, float b) { return a > b; }
    static float value(float a) { return a; }
};
struct BrightOrder {
    static bool ge(float a, float b) { return a <= b; }
    static bool gt(float a, float b) { return a < b; }
    static float value(float a) { return -a; }
};

// Branch-free (vectorised) prefilter of the interior samples x = 1 .. xend-1 of a
// row: above the threshold and a maximum of the 8 same-layer neighbours with the
// tie rule of is_max_in (earlier: strictly smaller, later: <=).
template <class Order>
void prefilter(const float* row, const float* rm, const float* rp, std::uint8_t* f,
               std::int64_t xend, float t) {
    for (std::int64_t x = 1; x < xend; ++x) {
        const float c = row[x];
        const bool k = (Order::value(c) > t) & !Order::ge(rm[x - 1], c) & !Order::ge(rm[x], c) &
                       !Order::ge(rm[x + 1], c) & !Order::ge(row[x - 1], c) &
                       !Order::gt(row[x + 1], c) & !Order::gt(rp[x - 1], c) &
                       !Order::gt(rp[x], c) & !Order::gt(rp[x + 1], c);
        f[x] = static_cast<std::uint8_t>(k);
    }
}

// Whether any of r[0..n) is NaN or +-inf: x - x is 0 for finite x and NaN
// otherwise (as all_finite_on). The flags are kept in 32-bit lanes, as wide as the
// floats, so the loop vectorises without packing each compare down to bytes.
SKINCORE_AVX2_CLONES bool any_nonfinite(const float* r, std::int64_t n) {
    std::uint32_t any = 0;
    for (std::int64_t x = 0; x < n; ++x) any |= static_cast<std::uint32_t>(!(r[x] - r[x] == 0.0f));
    return any != 0;
}

// Samples per block of the candidate search's threshold test.
constexpr std::int64_t kBlock = 32;

// Scale-space candidates of a stack of layers, fed one layer at a time with its
// neighbours (layer i is searched once layer i + 1 is known).
class CandidateSearch {
public:
    // `spans`: the mask's runs (mask_spans), required with a mask: candidates lie in
    // the mask, only its runs are searched.
    CandidateSearch(std::int64_t w, std::int64_t h, const ConstView<std::uint8_t>* mask,
                    const RowSpans* spans, double threshold, float sign, int nlayers,
                    int threads)
        : w_(w), h_(h), mask_(mask), spans_(spans), thr_(static_cast<float>(threshold)),
          sign_(sign), nlayers_(nlayers), threads_(threads) {}

    // Non-maximum suppression of layer i (dc), with layers i-2, i-1 and i+1.
    // With check_finite, layer() also tests that the layer's samples on `near`
    // (every sample when there is no mask) are finite, row by row as it searches
    // them (the row is then in cache); nonfinite() tells whether one was not.
    void check_finite(const RowSpans* near) {
        check_ = true;
        near_ = near;
    }
    bool nonfinite() const { return nonfinite_; }

    void layer(int i, Layer dp2, Layer dp, Layer dc, Layer dn) {
        const std::int64_t w = w_, h = h_;
        const float sign = sign_;
        const float thr = thr_;
        const std::int64_t grain = row_grain(w);
        const std::int64_t nchunks = chunk_count(h, grain);
        std::vector<std::vector<Candidate>> parts(static_cast<std::size_t>(nchunks));
        std::vector<std::uint8_t> bad(static_cast<std::size_t>(nchunks), 0);
        const ConstView<std::uint8_t>* mask = mask_;
        const int nlayers = nlayers_;
        const Span whole_span{0, w};
        const SpanRow whole{&whole_span, &whole_span + 1};
        const bool check = check_;
        const RowSpans* near = near_;
        parallel_chunks(h, grain, threads_, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
            auto& out = parts[static_cast<std::size_t>(c)];
            std::vector<std::uint8_t> flag(static_cast<std::size_t>(w));
            std::uint8_t any_bad = 0;
            for (std::int64_t y = y0; y < y1; ++y) {
                const float* row = dc.p + y * dc.stride;
                if (check) {
                    // x - x is 0 for finite x and NaN for NaN or +-inf (as all_finite_on)
                    for (const Span& run : near ? near->row(y) : whole)
                        any_bad |= static_cast<std::uint8_t>(any_nonfinite(row + run.x0, run.x1 - run.x0));
                }
                const std::uint8_t* mrow = mask ? mask->row(y) : nullptr;
                const bool interior_row = y > 0 && y + 1 < h;
                // Full test of sample x (prefiltered interior samples skip the
                // same-layer test, which the prefilter made).
                auto test = [&](std::int64_t x, bool interior) {
                    const float v = sign * row[x];
                    if (!(v > thr)) return;
                    if (mrow && mrow[x] == 0) return;
                    if (!interior && !is_max_in(dc.p, dc.stride, sign, w, h, x, y, v, 0)) return;
                    if (dp.p && !is_max_in(dp.p, dp.stride, sign, w, h, x, y, v, -1)) return;
                    if (dn.p && !is_max_in(dn.p, dn.stride, sign, w, h, x, y, v, 1)) return;
                    Candidate cd;
                    cd.response = v;
                    cd.ix = static_cast<std::int32_t>(x);
                    cd.iy = static_cast<std::int32_t>(y);
                    cd.layer = i;
                    double ox = 0.0, oy = 0.0;
                    if (x > 0 && x + 1 < w)
                        ox = parabola_offset(sign * row[x - 1], v, sign * row[x + 1]);
                    if (y > 0 && y + 1 < h)
                        oy = parabola_offset(dc.at(x, y - 1, sign), v, dc.at(x, y + 1, sign));
                    cd.x = static_cast<double>(x) + ox;
                    cd.y = static_cast<double>(y) + oy;
                    cd.sigma = i;
                    if (dp.p && dn.p) refine_layer(cd, dp, dc, dn, i, sign, nlayers);
                    else if (!dn.p && dp2.p) refine_layer(cd, dp2, dp, dc, i - 1, sign, nlayers);
                    out.push_back(cd);
                };
                // Each run of the mask (the whole row without one), in column order.
                for (const Span& run : mask ? spans_->row(y) : whole) {
                    if (!(interior_row && w > 2)) {
                        for (std::int64_t x = run.x0; x < run.x1; ++x) test(x, false);
                        continue;
                    }
                    // Branch-free (vectorised) prefilter of the run's interior
                    // samples: above the threshold and a maximum of the 8 same-layer
                    // neighbours with the tie rule of is_max_in (earlier: strictly
                    // smaller, later: <=). Border columns take the full test.
                    const std::int64_t xa = std::max<std::int64_t>(1, run.x0);
                    const std::int64_t xb = std::min<std::int64_t>(w - 1, run.x1);
                    if (run.x0 == 0) test(0, false);
                    const float* rm = row - dc.stride;
                    const float* rp = row + dc.stride;
                    std::uint8_t* f = flag.data();
                    // Blocks of kBlock samples: samples above the threshold are rare
                    // (a few per thousand), so a block is prefiltered only when one
                    // of its samples is above it (a vectorised test).
                    for (std::int64_t x0 = xa; x0 < xb; x0 += kBlock) {
                        const std::int64_t x1 = std::min(xb, x0 + kBlock);
                        unsigned any = 0;
                        for (std::int64_t x = x0; x < x1; ++x)
                            any |= static_cast<unsigned>(sign * row[x] > thr);
                        if (!any) continue;
                        const std::int64_t off = x0 - 1;  // prefilter starts at its x = 1
                        if (sign > 0.0f)
                            prefilter<DarkOrder>(row + off, rm + off, rp + off, f + off,
                                                 x1 - off, thr);
                        else
                            prefilter<BrightOrder>(row + off, rm + off, rp + off, f + off,
                                                   x1 - off, thr);
                        for (std::int64_t x = x0; x < x1; ++x)
                            if (f[x]) test(x, true);
                    }
                    if (run.x1 == w) test(w - 1, false);
                }
            }
            bad[static_cast<std::size_t>(c)] = any_bad;
        });
        for (auto b : bad) nonfinite_ = nonfinite_ || b != 0;
        for (auto& p : parts) cands_.insert(cands_.end(), p.begin(), p.end());
        if (i == 0) layer0_end_ = cands_.size();
        // Layer-0 candidates need D_2, available now that i == 1.
        if (i == 1 && dn.p)
            for (std::size_t k = 0; k < layer0_end_; ++k)
                refine_layer(cands_[k], dp, dc, dn, 1, sign, nlayers);
    }

    // Scales, ordering and greedy overlap pruning of all candidates found.
    std::vector<Blob> finish(const std::vector<double>& s, double overlap) {
        const int nlayers = nlayers_;
        std::vector<double> log_scale(static_cast<std::size_t>(nlayers));
        for (int i = 0; i < nlayers; ++i)
            log_scale[static_cast<std::size_t>(i)] = 0.5 * (std::log(s[i]) + std::log(s[i + 1]));
        std::vector<Candidate>& cands = cands_;
        // Fractional layer -> detection scale, interpolating log s' linearly.
        for (auto& cd : cands) {
            const double pos = cd.sigma;
            double ls = log_scale[0];
            if (nlayers > 1) {
                const int k = std::min(static_cast<int>(std::floor(pos)), nlayers - 2);
                const auto ku = static_cast<std::size_t>(k);
                ls = log_scale[ku] + (pos - k) * (log_scale[ku + 1] - log_scale[ku]);
            }
            cd.sigma = std::exp(ls);
        }
        std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
            if (a.response != b.response) return a.response > b.response;
            if (a.iy != b.iy) return a.iy < b.iy;
            if (a.ix != b.ix) return a.ix < b.ix;
            return a.layer < b.layer;
        });
        return prune(overlap);
    }

private:
    // Greedy overlap pruning with a uniform grid of cells of side 2 * max radius, so
    // any two overlapping disks lie in the same or adjacent cells.
    std::vector<Blob> prune(double overlap) const {
        const std::vector<Candidate>& cands = cands_;
        const std::int64_t w = w_, h = h_;
        std::vector<Blob> kept;
        if (cands.empty()) return kept;
        double rmax = 0.0;
        for (const auto& c : cands) rmax = std::max(rmax, std::sqrt(2.0) * c.sigma);
        const double cell = std::max(1.0, 2.0 * rmax);
        const auto gw = static_cast<std::int64_t>(std::floor(static_cast<double>(w) / cell)) + 2;
        const auto gh = static_cast<std::int64_t>(std::floor(static_cast<double>(h) / cell)) + 2;
        std::vector<std::int32_t> head(static_cast<std::size_t>(gw * gh), -1);
        std::vector<std::int32_t> next;
        std::vector<double> kx, ky, kr;
        auto cell_of = [&](double v, std::int64_t n) {
            const auto c = static_cast<std::int64_t>(std::floor((v + 0.5) / cell));
            return std::clamp<std::int64_t>(c, 0, n - 1);
        };
        for (const auto& c : cands) {
            const double r = std::sqrt(2.0) * c.sigma;
            const std::int64_t cx = cell_of(c.x, gw), cy = cell_of(c.y, gh);
            bool drop = false;
            for (std::int64_t yy = std::max<std::int64_t>(0, cy - 1);
                 !drop && yy <= std::min(gh - 1, cy + 1); ++yy) {
                for (std::int64_t xx = std::max<std::int64_t>(0, cx - 1);
                     !drop && xx <= std::min(gw - 1, cx + 1); ++xx) {
                    for (std::int32_t k = head[static_cast<std::size_t>(yy * gw + xx)]; k >= 0;
                         k = next[static_cast<std::size_t>(k)]) {
                        const auto ku = static_cast<std::size_t>(k);
                        // Disks clearly apart overlap by 0, which never exceeds `overlap`:
                        // skip the exact (hypot/acos) computation for them.
                        const double dx = c.x - kx[ku], dy = c.y - ky[ku], rs = r + kr[ku];
                        if (dx * dx + dy * dy > rs * rs * (1.0 + 1e-9)) continue;
                        if (disk_overlap(c.x, c.y, r, kx[ku], ky[ku], kr[ku]) > overlap) {
                            drop = true;
                            break;
                        }
                    }
                }
            }
            if (drop) continue;
            const auto id = static_cast<std::int32_t>(kx.size());
            kx.push_back(c.x);
            ky.push_back(c.y);
            kr.push_back(r);
            const auto cidx = static_cast<std::size_t>(cy * gw + cx);
            next.push_back(head[cidx]);
            head[cidx] = id;
            kept.push_back(Blob{static_cast<float>(c.x), static_cast<float>(c.y),
                                static_cast<float>(r), c.response});
        }
        return kept;
    }

    std::int64_t w_, h_;
    const ConstView<std::uint8_t>* mask_;
    const RowSpans* spans_;
    float thr_, sign_;
    int nlayers_, threads_;
    std::vector<Candidate> cands_;
    std::size_t layer0_end_ = 0;
    bool check_ = false, nonfinite_ = false;
    const RowSpans* near_ = nullptr;
};

}  // namespace

std::vector<Blob> detect_blobs(ConstView<float> gray, const ConstView<std::uint8_t>* mask,
                               const BlobParams& params, int threads) {
    validate_blob_params(params);
    if (mask && (mask->width != gray.width || mask->height != gray.height))
        throw std::invalid_argument("mask: shape differs from gray");
    if (gray.empty()) return {};
    // NaN or inf would spread through the blurs into NaN responses, which break
    // the candidate ordering: refuse them.
    if (!all_finite(gray, threads))
        throw std::invalid_argument("gray: contains NaN or inf (blob detection needs finite values)");
    const std::int64_t w = gray.width, h = gray.height;
    const auto npix = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
    const int nblur = static_cast<int>(params.sigmas.size());
    const int nlayers = nblur - 1;
    const std::vector<double>& s = params.sigmas;

    // Five packed W*H buffers: D_{i-2}, D_{i-1}, D_i, D_{i+1} and L_{i+1}. Every
    // sample of each is written before it is read (the blurs write their whole
    // output, zeros outside a support), so they need no clearing; the calling
    // thread keeps them between calls (fresh pages cost as much as a blur).
    Scratch<float> local;
    float* store = kept_scratch<DetectScratch>(5 * npix, local);
    std::vector<float*> free_list;
    for (std::size_t b = 0; b < 5; ++b) free_list.push_back(store + b * npix);
    auto take = [&]() {
        float* p = free_list.back();
        free_list.pop_back();
        return p;
    };
    // With a mask, candidates and the samples the search compares them with (their
    // 3x3 neighbours) lie within one pixel of it: the layers are computed there only
    // (exactly; the samples elsewhere, never read, are 0 or stale).
    const bool restricted = mask != nullptr;
    RowSpans runs, need;
    std::vector<RowSpans> sup;
    if (restricted) {
        runs = mask_spans(*mask);
        need = dilate_spans(runs, 1);
        sup = blur_supports(need, s, params.truncate);
    }
    // L_0 = G(s_0) * gray; L_{k+1} = G(sqrt(s_{k+1}^2 - s_k^2)) * L_k (incremental:
    // the step kernels are much shorter than direct blurs at s_{k+1}).
    auto blur_into = [&](float* buf, double sigma) {
        MutView<float> v{buf, w, h, w, 1};
        if (restricted)
            gaussian_blur_spans(gray, v, sigma, params.truncate, sup[0], threads);
        else
            gaussian_blur(gray, v, sigma, params.truncate, threads);
    };
    auto blur_step = [&](const float* from, float* buf, int k) {  // L_k (from) -> L_{k+1}
        MutView<float> v{buf, w, h, w, 1};
        const ConstView<float> src{from, w, h, w, 1};
        const double sk = step_sigma(s[k], s[k + 1]);
        if (restricted)
            gaussian_blur_spans(src, v, sk, params.truncate, sup[static_cast<std::size_t>(k + 1)],
                                threads);
        else
            gaussian_blur(src, v, sk, params.truncate, threads);
    };
    auto diff_into = [&](float* lo, float* hi, int layer) {  // result into lo
        const float coef = dog_coefficient(s[layer], s[layer + 1], params.polarity);
        if (restricted)
            scaled_difference_spans(lo, hi, lo, coef, w, h, w, w, w, need, threads);
        else
            scaled_difference(lo, hi, lo, coef, w, h, w, w, w, threads);
    };
    auto packed = [&](const float* p) { return Layer{p, p ? w : 0}; };

    float* d_prev2 = nullptr;
    float* d_prev = nullptr;
    float* d_cur = take();
    blur_into(d_cur, s[0]);
    float* l_next = take();
    blur_step(d_cur, l_next, 0);
    diff_into(d_cur, l_next, 0);  // D_0 in d_cur, L_1 in l_next

    CandidateSearch search(w, h, mask, restricted ? &runs : nullptr, params.threshold, 1.0f,
                           nlayers, threads);
    for (int i = 0; i < nlayers; ++i) {
        float* d_next = nullptr;
        if (i + 1 < nlayers) {
            float* f = take();
            blur_step(l_next, f, i + 1);
            diff_into(l_next, f, i + 1);
            d_next = l_next;
            l_next = f;
        }
        search.layer(i, packed(d_prev2), packed(d_prev), packed(d_cur), packed(d_next));
        if (d_prev2) free_list.push_back(d_prev2);
        d_prev2 = d_prev;
        d_prev = d_cur;
        d_cur = d_next;
    }
    return search.finish(s, params.overlap);
}

bool blob_scale_space(ConstView<float> gray, const std::vector<double>& sigmas, double truncate,
                      const std::vector<MutView<float>>& blurs,
                      const std::vector<MutView<float>>& layers, int threads,
                      const ConstView<std::uint8_t>* support, std::int64_t margin) {
    BlobParams p;
    p.sigmas = sigmas;
    p.truncate = truncate;
    validate_blob_params(p);
    const std::size_t k = sigmas.size();
    if (blurs.size() != k)
        throw std::invalid_argument("blurs: need one output per sigma");
    if (layers.size() != k - 1)
        throw std::invalid_argument("layers: need one output per pair of sigmas");
    for (const auto& v : blurs)
        if (v.width != gray.width || v.height != gray.height)
            throw std::invalid_argument("blurs: shape differs from gray");
    for (const auto& v : layers)
        if (v.width != gray.width || v.height != gray.height)
            throw std::invalid_argument("layers: shape differs from gray");
    if (support) {
        if (support->width != gray.width || support->height != gray.height)
            throw std::invalid_argument("support: shape differs from gray");
        if (margin < 0) throw std::invalid_argument("margin: must be >= 0");
    }
    if (gray.empty()) return true;
    const std::int64_t w = gray.width, h = gray.height;
    if (support) {
        // Layers are written while the blurs are being read: they must not share memory.
        auto span_of = [](const MutView<float>& v) {
            return std::make_pair(reinterpret_cast<std::uintptr_t>(v.data),
                                  reinterpret_cast<std::uintptr_t>(v.data + (v.height - 1) * v.row_stride + v.width));
        };
        for (const auto& l : layers)
            for (const auto& b : blurs) {
                const auto [l0, l1] = span_of(l);
                const auto [b0, b1] = span_of(b);
                if (l0 < b1 && b0 < l1) throw std::invalid_argument("layers: overlap the blurs");
            }
        const RowSpans need = dilate_spans(mask_spans(*support), margin);
        const std::vector<RowSpans> sup = blur_supports(need, sigmas, truncate);
        gaussian_blur_spans(gray, blurs[0], sigmas[0], truncate, sup[0], threads);
        // One flag per row: rows are written by one thread each, in any order.
        std::vector<std::uint8_t> bad(static_cast<std::size_t>(h), 0);
        for (std::size_t i = 0; i + 1 < k; ++i) {
            // D_i row by row as soon as L_{i+1}'s row is written (still in cache).
            const float coef = dog_coefficient(sigmas[i], sigmas[i + 1], BlobPolarity::Dark);
            const MutView<float>& a = blurs[i];
            const MutView<float>& b = blurs[i + 1];
            const MutView<float>& d = layers[i];
            auto diff_row = [&](std::int64_t y) {
                const float* ar = a.row(y);
                const float* br = b.row(y);
                float* dr = d.row(y);
                const SpanRow runs = need.row(y);
                std::uint8_t any_bad = 0;
                for (const Span& run : runs) {
                    for (std::int64_t x = run.x0; x < run.x1; ++x) dr[x] = coef * (br[x] - ar[x]);
                    any_bad |= static_cast<std::uint8_t>(any_nonfinite(dr + run.x0, run.x1 - run.x0));
                }
                bad[static_cast<std::size_t>(y)] |= any_bad;
                zero_outside(dr, runs, w);
            };
            gaussian_blur_spans(a.as_const(), b, step_sigma(sigmas[i], sigmas[i + 1]), truncate,
                                sup[i + 1], threads, diff_row);
        }
        return std::none_of(bad.begin(), bad.end(), [](std::uint8_t b) { return b != 0; });
    }
    gaussian_blur(gray, blurs[0], sigmas[0], truncate, threads);
    // (scaled_difference, each row tested as it is written)
    std::vector<std::uint8_t> bad(static_cast<std::size_t>(h), 0);
    for (std::size_t i = 0; i + 1 < k; ++i) {
        gaussian_blur(ConstView<float>{blurs[i].data, w, h, blurs[i].row_stride, 1}, blurs[i + 1],
                      step_sigma(sigmas[i], sigmas[i + 1]), truncate, threads);
        const float coef = dog_coefficient(sigmas[i], sigmas[i + 1], BlobPolarity::Dark);
        const MutView<float>& a = blurs[i];
        const MutView<float>& b = blurs[i + 1];
        const MutView<float>& d = layers[i];
        parallel_rows(h, row_grain(w), threads, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t y = y0; y < y1; ++y) {
                const float* ar = a.row(y);
                const float* br = b.row(y);
                float* dr = d.row(y);
                for (std::int64_t x = 0; x < w; ++x) dr[x] = coef * (br[x] - ar[x]);
                bad[static_cast<std::size_t>(y)] |=
                    static_cast<std::uint8_t>(any_nonfinite(dr, w));
            }
        });
    }
    return std::none_of(bad.begin(), bad.end(), [](std::uint8_t v) { return v != 0; });
}

std::vector<Blob> detect_blobs_in_layers(const std::vector<ConstView<float>>& layers,
                                         const ConstView<std::uint8_t>* mask,
                                         const BlobParams& params, int threads,
                                         bool check_finite) {
    validate_blob_params(params);
    if (layers.size() + 1 != params.sigmas.size())
        throw std::invalid_argument("layers: need one layer per pair of sigmas");
    const std::int64_t w = layers[0].width, h = layers[0].height;
    for (const auto& v : layers)
        if (v.width != w || v.height != h)
            throw std::invalid_argument("layers: layers differ in shape");
    if (mask && (mask->width != w || mask->height != h))
        throw std::invalid_argument("mask: shape differs from the layers");
    if (layers[0].empty()) return {};
    // The samples the search reads must be finite: within one pixel of the mask
    // (every sample without one). Each layer is checked while it is searched (one
    // pass over memory instead of two); a non-finite sample is reported after the
    // search (whose values it may have made meaningless) and before any result.
    RowSpans runs, near;
    if (mask) {
        runs = mask_spans(*mask);
        if (check_finite) near = dilate_spans(runs, 1);
    }
    const int nlayers = static_cast<int>(layers.size());
    auto at = [&](int i) {
        if (i < 0 || i >= nlayers) return Layer{};
        const auto& v = layers[static_cast<std::size_t>(i)];
        return Layer{v.data, v.row_stride};
    };
    const float sign = params.polarity == BlobPolarity::Dark ? 1.0f : -1.0f;
    CandidateSearch search(w, h, mask, mask ? &runs : nullptr, params.threshold, sign, nlayers,
                           threads);
    if (check_finite) search.check_finite(mask ? &near : nullptr);
    for (int i = 0; i < nlayers; ++i) search.layer(i, at(i - 2), at(i - 1), at(i), at(i + 1));
    if (search.nonfinite()) throw std::invalid_argument("layers: contain NaN or inf");
    return search.finish(params.sigmas, params.overlap);
}

}  // namespace skincore
