// Geometry kernels: separable Gaussian blur (more to come: resize, polygon fill).
#pragma once

#include <vector>

#include "skincore/image_view.hpp"

namespace skincore {

// Normalised 1-D Gaussian taps w[-r..r] (returned as 2r+1 floats),
// r = floor(truncate * sigma + 0.5) (SciPy's rule). sigma must be > 0 and r is capped (kMaxGaussianRadius).
std::vector<float> gaussian_kernel(double sigma, double truncate);

constexpr long kMaxGaussianRadius = 4096;

// Separable Gaussian blur of a single-channel float32 image. Borders reflect
// without repeating the edge sample (OpenCV BORDER_REFLECT_101, SciPy 'mirror').
// dst may alias src. Deterministic for any thread count (pure per-pixel work).
void gaussian_blur(ConstView<float> src, MutView<float> dst, double sigma, double truncate,
                   int threads);

// Index of sample i (possibly outside [0, n)) under reflect-101 borders.
inline long reflect101(long i, long n) {
    if (n == 1) return 0;
    const long period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

}  // namespace skincore
