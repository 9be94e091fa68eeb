// Map kernels (see maps.hpp).
#include "skincore/maps.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"

namespace skincore {

namespace {

struct Region {
    std::int64_t x0, y0, w, h;
};

Region region_of(const EnhancedBWParams& p, std::int64_t iw, std::int64_t ih) {
    const auto x0 = static_cast<std::int64_t>(std::floor(p.left));
    const auto y0 = static_cast<std::int64_t>(std::floor(p.top));
    const auto x1 = std::min<std::int64_t>(iw, static_cast<std::int64_t>(std::ceil(p.left + p.width)) + 1);
    const auto y1 = std::min<std::int64_t>(ih, static_cast<std::int64_t>(std::ceil(p.top + p.height)) + 1);
    return {x0, y0, x1 - x0, y1 - y0};
}

template <class T>
void grey_region(ConstView<T> img, const Region& r, std::vector<float>& g, int threads) {
    parallel_rows(r.h, row_grain(r.w), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const T* s = img.row(r.y0 + y) + r.x0 * img.channels;
            float* o = g.data() + y * r.w;
            if constexpr (std::is_same_v<T, float>) {
                for (std::int64_t x = 0; x < r.w; ++x) o[x] = s[x];
            } else if (img.channels == 3) {
                for (std::int64_t x = 0; x < r.w; ++x)
                    o[x] = (0.299f * static_cast<float>(s[3 * x]) +
                            0.587f * static_cast<float>(s[3 * x + 1]) +
                            0.114f * static_cast<float>(s[3 * x + 2])) /
                           255.0f;
            } else {
                for (std::int64_t x = 0; x < r.w; ++x) o[x] = static_cast<float>(s[x]) / 255.0f;
            }
        }
    });
}

template <class T>
void enhanced_bw_impl(ConstView<T> img, const EnhancedBWParams& p, MutView<std::uint8_t> out,
                      int threads) {
    if (!(img.channels == 1 || (img.channels == 3 && !std::is_same_v<T, float>)))
        throw std::invalid_argument("image: expected 1 channel (or 3 for uint8)");
    validate_enhanced_bw(p, img.width, img.height);
    if (out.empty()) return;
    const Region r = region_of(p, img.width, img.height);
    std::vector<float> g(static_cast<std::size_t>(r.w) * static_cast<std::size_t>(r.h));
    grey_region(img, r, g, threads);
    if (p.ratio < 1.0) {
        const double s_aa = 0.5 * (1.0 / p.ratio - 1.0);
        if (s_aa > 0.0) {
            MutView<float> gv{g.data(), r.w, r.h, r.w, 1};
            gaussian_blur(gv.as_const(), gv, s_aa, 4.0, threads);
        }
    }
    const std::int64_t ow = out.width, oh = out.height;
    const auto opix = static_cast<std::size_t>(ow) * static_cast<std::size_t>(oh);
    std::vector<float> smp(opix), mean(opix), var(opix);

    // Bilinear sampling at (left + j / r, top + i / r), clamped to the region.
    std::vector<std::int64_t> xi(static_cast<std::size_t>(ow));
    std::vector<float> xf(static_cast<std::size_t>(ow));
    for (std::int64_t j = 0; j < ow; ++j) {
        double x = p.left + static_cast<double>(j) / p.ratio - static_cast<double>(r.x0);
        x = std::clamp(x, 0.0, static_cast<double>(r.w - 1));
        auto i0 = static_cast<std::int64_t>(std::floor(x));
        if (i0 > r.w - 2) i0 = std::max<std::int64_t>(0, r.w - 2);
        xi[static_cast<std::size_t>(j)] = i0;
        xf[static_cast<std::size_t>(j)] = static_cast<float>(x - static_cast<double>(i0));
    }
    parallel_rows(oh, row_grain(ow), threads, [&](std::int64_t i0, std::int64_t i1) {
        for (std::int64_t i = i0; i < i1; ++i) {
            double y = p.top + static_cast<double>(i) / p.ratio - static_cast<double>(r.y0);
            y = std::clamp(y, 0.0, static_cast<double>(r.h - 1));
            auto yi = static_cast<std::int64_t>(std::floor(y));
            if (yi > r.h - 2) yi = std::max<std::int64_t>(0, r.h - 2);
            const float fy = static_cast<float>(y - static_cast<double>(yi));
            const float* a = g.data() + yi * r.w;
            const float* b = r.h > 1 ? a + r.w : a;
            float* o = smp.data() + i * ow;
            for (std::int64_t j = 0; j < ow; ++j) {
                const std::int64_t x0 = xi[static_cast<std::size_t>(j)];
                const std::int64_t x1 = r.w > 1 ? x0 + 1 : x0;
                const float fx = xf[static_cast<std::size_t>(j)];
                const float top = (1.0f - fx) * a[x0] + fx * a[x1];
                const float bot = (1.0f - fx) * b[x0] + fx * b[x1];
                o[j] = (1.0f - fy) * top + fy * bot;
            }
        }
    });

    MutView<float> mv{mean.data(), ow, oh, ow, 1};
    MutView<float> vv{var.data(), ow, oh, ow, 1};
    gaussian_blur(ConstView<float>{smp.data(), ow, oh, ow, 1}, mv, p.sigma, 4.0, threads);
    // smp <- hp, var <- hp^2
    parallel_rows(oh, row_grain(ow), threads, [&](std::int64_t i0, std::int64_t i1) {
        for (std::int64_t k = i0 * ow; k < i1 * ow; ++k) {
            const auto u = static_cast<std::size_t>(k);
            const float hp = smp[u] - mean[u];
            smp[u] = hp;
            var[u] = hp * hp;
        }
    });
    gaussian_blur(vv.as_const(), vv, p.sigma, 4.0, threads);
    const float eps2 = static_cast<float>(p.eps * p.eps);
    const float gain = static_cast<float>(p.gain);
    parallel_rows(oh, row_grain(ow), threads, [&](std::int64_t i0, std::int64_t i1) {
        for (std::int64_t i = i0; i < i1; ++i) {
            std::uint8_t* o = out.row(i);
            const float* hp = smp.data() + i * ow;
            const float* v = var.data() + i * ow;
            for (std::int64_t j = 0; j < ow; ++j) {
                const float z = hp[j] / std::sqrt(std::max(v[j], 0.0f) + eps2);
                const float q = std::floor(128.0f + gain * z + 0.5f);
                // NaN (only from non-finite input) maps to 128, never to an
                // undefined float -> int conversion.
                o[j] = static_cast<std::uint8_t>(q >= 0.0f ? std::min(q, 255.0f) : (q < 0.0f ? 0.0f : 128.0f));
            }
        }
    });
}

}  // namespace

void validate_enhanced_bw(const EnhancedBWParams& p, std::int64_t iw, std::int64_t ih) {
    if (!std::isfinite(p.left) || !std::isfinite(p.top) || !std::isfinite(p.width) ||
        !std::isfinite(p.height) || !(p.width > 0.0) || !(p.height > 0.0) || p.left < 0.0 ||
        p.top < 0.0 || p.left + p.width > static_cast<double>(iw) ||
        p.top + p.height > static_cast<double>(ih))
        throw std::invalid_argument("box: must be finite, non-empty and inside the image");
    if (!std::isfinite(p.ratio) || !(p.ratio > 0.0) || p.ratio > kMaxEnhanceRatio)
        throw std::invalid_argument("ratio: must be in (0, 16]");
    if (!std::isfinite(p.sigma) || !(p.sigma > 0.0) || p.sigma > 1024.0)
        throw std::invalid_argument("sigma: must be in (0, 1024]");
    if (!std::isfinite(p.gain) || p.gain < 0.0) throw std::invalid_argument("gain: must be >= 0");
    if (!std::isfinite(p.eps) || !(p.eps > 0.0)) throw std::invalid_argument("eps: must be > 0");
}

void enhanced_bw(ConstView<std::uint8_t> image, const EnhancedBWParams& p,
                 MutView<std::uint8_t> out, int threads) {
    enhanced_bw_impl(image, p, out, threads);
}

void enhanced_bw(ConstView<float> image, const EnhancedBWParams& p, MutView<std::uint8_t> out,
                 int threads) {
    enhanced_bw_impl(image, p, out, threads);
}

}  // namespace skincore
