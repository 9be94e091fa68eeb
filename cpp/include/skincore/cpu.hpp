// Run-time CPU dispatch switches. Kernels with an explicit SIMD instance (built
// with __attribute__((target(...))), never with -march) use it only when the CPU
// supports it and simd_enabled() is true. SKINCORE_DISABLE_SIMD=1 in the
// environment turns them off at start-up; tests compare both paths.
#pragma once

// Hot row loops are compiled twice, generic (SSE2) and AVX2, the instance picked
// by the loader from the CPU (GCC function multi-versioning, Linux x86-64 only).
// No FMA: the AVX2 instance does exactly the same IEEE operations in the same
// order, so results are bit-identical to the generic one.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(SKINCORE_NO_CLONES)
#define SKINCORE_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SKINCORE_AVX2_CLONES
#endif

namespace skincore {

bool simd_enabled();
void set_simd_enabled(bool on);

}  // namespace skincore
