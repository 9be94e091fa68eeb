// Scratch buffers whose elements are left uninitialised.
//
// std::vector<float>(n) zero-fills n floats; a kernel's full-image scratch maps
// cost megabytes of memset per call that nothing reads when every element is
// written before it is read. Scratch<T> is a std::vector whose allocator
// default-initialises (for float: leaves the value unset). Use it only where the
// kernel writes each element it later reads, and say so at the declaration.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace skincore {

template <class T>
struct NoInitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = NoInitAllocator<U>;
    };
    NoInitAllocator() = default;
    template <class U>
    NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... A>
    void construct(U* p, A&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<A>(args)...);
    }
};

template <class T>
using Scratch = std::vector<T, NoInitAllocator<T>>;

// Buffers of at most this many bytes are kept by kept_scratch between calls.
constexpr std::size_t kKeptScratchBytes = std::size_t{64} << 20;

// `count` floats of scratch that the calling thread keeps between calls, one
// buffer per Tag (a kernel's own type: kernels never share one), up to
// kKeptScratchBytes: fresh pages cost as much as a pass over them. Larger needs
// go to `local`, freed with it. Elements are uninitialised (or stale: what the
// last call left); valid until the next kept_scratch<Tag> call on this thread.
template <class Tag>
float* kept_scratch(std::size_t count, Scratch<float>& local) {
    thread_local Scratch<float> kept;
    if (count * sizeof(float) <= kKeptScratchBytes) {
        if (kept.size() < count) kept.resize(count);
        return kept.data();
    }
    local.resize(count);
    return local.data();
}

}  // namespace skincore
