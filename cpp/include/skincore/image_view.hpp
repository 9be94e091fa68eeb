// Non-owning views over caller-owned image memory.
//
// A view is {ptr, width, height, row_stride, channels}: row_stride is counted in
// elements of T (not bytes) between the starts of consecutive rows; pixels within a
// row are packed (`channels` interleaved elements per pixel). Kernels take
// ConstView inputs and write into caller-allocated MutView outputs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace skincore {

template <class T>
struct ConstView {
    const T* data = nullptr;
    std::int64_t width = 0;
    std::int64_t height = 0;
    std::int64_t row_stride = 0;  // elements of T between rows
    std::int64_t channels = 1;

    const T* row(std::int64_t y) const { return data + y * row_stride; }
    bool empty() const { return width <= 0 || height <= 0; }
};

template <class T>
struct MutView {
    T* data = nullptr;
    std::int64_t width = 0;
    std::int64_t height = 0;
    std::int64_t row_stride = 0;
    std::int64_t channels = 1;

    T* row(std::int64_t y) const { return data + y * row_stride; }
    bool empty() const { return width <= 0 || height <= 0; }
    ConstView<T> as_const() const { return {data, width, height, row_stride, channels}; }
};

}  // namespace skincore
