// Run-time CPU dispatch switches (see cpu.hpp).
#include "skincore/cpu.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

namespace skincore {

namespace {

std::atomic<bool>& flag() {
    static std::atomic<bool> on{[] {
        const char* v = std::getenv("SKINCORE_DISABLE_SIMD");
        return !(v && std::strcmp(v, "") != 0 && std::strcmp(v, "0") != 0);
    }()};
    return on;
}

}  // namespace

bool simd_enabled() { return flag().load(std::memory_order_relaxed); }

void set_simd_enabled(bool on) { flag().store(on, std::memory_order_relaxed); }

#if defined(__x86_64__) || defined(_M_X64)
unsigned long long flush_denormals() {
    const unsigned int word = _mm_getcsr();
    _mm_setcsr(word | 0x8040u);  // FTZ (bit 15) and DAZ (bit 6)
    return word;
}
void restore_float_control(unsigned long long word) { _mm_setcsr(static_cast<unsigned int>(word)); }
#elif defined(__aarch64__) && defined(__GNUC__)
unsigned long long flush_denormals() {
    unsigned long long word;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(word));
    const unsigned long long flushed = word | (1ull << 24);  // FZ
    __asm__ __volatile__("msr fpcr, %0" : : "r"(flushed));
    return word;
}
void restore_float_control(unsigned long long word) { __asm__ __volatile__("msr fpcr, %0" : : "r"(word)); }
#else
unsigned long long flush_denormals() { return 0; }
void restore_float_control(unsigned long long) {}
#endif

}  // namespace skincore
