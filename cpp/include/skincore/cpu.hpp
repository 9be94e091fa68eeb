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

// Floating-point control of the calling thread (x86-64 MXCSR, AArch64 FPCR).
// flush_denormals() makes the thread flush subnormal results and operands to zero
// (x86: FTZ and DAZ; AArch64: FZ) and returns the previous control word, which
// restore_float_control() puts back. Other architectures: both do nothing (0).
// Subnormal floats take a slow microcode path on x86: a network whose activations
// decay to them (the age head's run 5x slower on real chips) is bounded by it.
unsigned long long flush_denormals();
void restore_float_control(unsigned long long word);

}  // namespace skincore
