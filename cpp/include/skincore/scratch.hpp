// Scratch buffers whose elements are left uninitialised.
//
// std::vector<float>(n) zero-fills n floats; a kernel's full-image scratch maps
// cost megabytes of memset per call that nothing reads when every element is
// written before it is read. Scratch<T> is a std::vector whose allocator
// default-initialises (for float: leaves the value unset). Use it only where the
// kernel writes each element it later reads, and say so at the declaration.
#pragma once

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

}  // namespace skincore
