// Run-time CPU dispatch switches (see cpu.hpp).
#include "skincore/cpu.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

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

}  // namespace skincore
