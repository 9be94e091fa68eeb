// Geometry kernels.
#include "skincore/geometry.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "skincore/parallel.hpp"

namespace skincore {

std::vector<float> gaussian_kernel(double sigma, double truncate) {
    if (!(sigma > 0.0) || !std::isfinite(sigma)) throw std::invalid_argument("sigma must be > 0");
    if (!(truncate > 0.0) || !std::isfinite(truncate))
        throw std::invalid_argument("truncate must be > 0");
    const double rr = std::floor(truncate * sigma + 0.5);
    if (rr > static_cast<double>(kMaxGaussianRadius))
        throw std::invalid_argument("sigma * truncate too large");
    const long r = static_cast<long>(rr);
    std::vector<double> w(static_cast<std::size_t>(2 * r + 1));
    double sum = 0.0;
    for (long i = -r; i <= r; ++i) {
        const double v = std::exp(-0.5 * (static_cast<double>(i) * i) / (sigma * sigma));
        w[static_cast<std::size_t>(i + r)] = v;
        sum += v;
    }
    std::vector<float> out(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) out[i] = static_cast<float>(w[i] / sum);
    return out;
}

void gaussian_blur(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                   int threads) {
    if (src.width != dst.width || src.height != dst.height)
        throw std::invalid_argument("gaussian_blur: src and dst shapes differ");
    if (src.empty()) return;
    const std::vector<float> taps = gaussian_kernel(sigma, truncate);
    const long r = static_cast<long>(taps.size() / 2);
    const float* w = taps.data() + r;  // w[-r..r]
    const long W = static_cast<long>(src.width), H = static_cast<long>(src.height);

    std::vector<float> tmp(static_cast<std::size_t>(W) * static_cast<std::size_t>(H));
    // Column indices of the padded row, reflect-101.
    std::vector<long> xidx(static_cast<std::size_t>(W + 2 * r));
    for (long i = 0; i < W + 2 * r; ++i) xidx[static_cast<std::size_t>(i)] = reflect101(i - r, W);

    // Horizontal pass into tmp.
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<float> pad(static_cast<std::size_t>(W + 2 * r));
        for (long y = static_cast<long>(y0); y < y1; ++y) {
            const float* s = src.row(y);
            for (long i = 0; i < W + 2 * r; ++i) pad[static_cast<std::size_t>(i)] = s[xidx[static_cast<std::size_t>(i)]];
            const float* p = pad.data() + r;
            float* o = tmp.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(W);
            for (long x = 0; x < W; ++x) o[x] = w[0] * p[x];
            for (long k = 1; k <= r; ++k) {
                const float wk = w[k];
                for (long x = 0; x < W; ++x) o[x] += wk * (p[x - k] + p[x + k]);
            }
        }
    });
    // Vertical pass into dst.
    parallel_rows(H, row_grain(W), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (long y = static_cast<long>(y0); y < y1; ++y) {
            float* o = dst.row(y);
            const float* c = tmp.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(W);
            for (long x = 0; x < W; ++x) o[x] = w[0] * c[x];
            for (long k = 1; k <= r; ++k) {
                const float* a = tmp.data() + static_cast<std::size_t>(reflect101(y - k, H)) * static_cast<std::size_t>(W);
                const float* b = tmp.data() + static_cast<std::size_t>(reflect101(y + k, H)) * static_cast<std::size_t>(W);
                const float wk = w[k];
                for (long x = 0; x < W; ++x) o[x] += wk * (a[x] + b[x]);
            }
        }
    });
}

}  // namespace skincore
