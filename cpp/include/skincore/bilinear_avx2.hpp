// One block of eight bilinear outputs in AVX2 registers, shared by the float
// resize (geometry.cpp) and texture.energy's window upsampling (texture.cpp).
#pragma once

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

namespace skincore {

// Outputs o[0..8) whose first taps are xs[0..8) in `acc` (second taps one sample
// further), weights w0[0..8), w1[0..8); two[i] is -1 for a two-tap output, 0 for a
// one-tap one. Per output the scalar loops' operations in their order: (w0 a0 +
// w1 a1) / den, or (w0 a0) / den selected for a one-tap output (not a zero weight:
// 0 * inf is NaN and -0 + 0 is +0); no FMA. The taps must lie within eight samples
// of the block's first one (upsampling: one load of acc, the taps permuted out of
// it); returns false, writing nothing, when they do not. acc has 8 samples past
// acc + xs[0].
__attribute__((target("avx2"))) inline bool bilinear8_avx2(const float* acc, const std::int32_t* xs,
                                                           const std::int32_t* two, const float* w0,
                                                           const float* w1, __m256 den, float* o) {
    const std::int32_t base = xs[0];
    if (xs[7] - base > 6) return false;
    const __m256i d = _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs)),
                                       _mm256_set1_epi32(base));
    const __m256 win = _mm256_loadu_ps(acc + base);
    const __m256 a0 = _mm256_permutevar8x32_ps(win, d);
    const __m256 a1 = _mm256_permutevar8x32_ps(win, _mm256_add_epi32(d, _mm256_set1_epi32(1)));
    const __m256 h1 = _mm256_mul_ps(_mm256_loadu_ps(w0), a0);
    const __m256 h2 = _mm256_add_ps(h1, _mm256_mul_ps(_mm256_loadu_ps(w1), a1));
    const __m256 is2 =
        _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(two)));
    _mm256_storeu_ps(o, _mm256_div_ps(_mm256_blendv_ps(h1, h2, is2), den));
    return true;
}

}  // namespace skincore
#endif
