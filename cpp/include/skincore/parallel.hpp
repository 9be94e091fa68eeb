// Row-stripe parallelism with plain std::thread (no OpenMP: onnxruntime keeps its
// own pool and the two would oversubscribe the cores).
//
// Determinism: work is cut into chunks whose boundaries depend only on the problem
// size and the grain, never on the thread count. A reduction writes one partial per
// chunk and the caller combines partials in chunk order, so results are
// bit-identical for any `threads`. Exceptions thrown in workers are rethrown on the
// calling thread (the first one, by chunk order).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace skincore {

// threads <= 0 means "all hardware threads".
inline int resolve_threads(int threads) {
    if (threads > 0) return threads;
    unsigned hc = std::thread::hardware_concurrency();
    return hc == 0 ? 1 : static_cast<int>(hc);
}

inline std::int64_t chunk_count(std::int64_t n, std::int64_t grain) {
    if (n <= 0) return 0;
    if (grain < 1) grain = 1;
    return (n + grain - 1) / grain;
}

// Calls fn(chunk_index, begin, end) for every chunk [begin, end) of [0, n) of size
// `grain` (the last one may be shorter), spread over up to `threads` threads.
template <class Fn>
void parallel_chunks(std::int64_t n, std::int64_t grain, int threads, Fn&& fn) {
    const std::int64_t nchunks = chunk_count(n, grain);
    if (nchunks == 0) return;
    if (grain < 1) grain = 1;
    const int nthreads = static_cast<int>(std::min<std::int64_t>(resolve_threads(threads), nchunks));
    if (nthreads <= 1) {
        for (std::int64_t c = 0; c < nchunks; ++c) fn(c, c * grain, std::min(n, (c + 1) * grain));
        return;
    }
    std::atomic<std::int64_t> next{0};
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(nchunks));
    std::atomic<bool> failed{false};
    auto worker = [&]() {
        for (;;) {
            const std::int64_t c = next.fetch_add(1, std::memory_order_relaxed);
            if (c >= nchunks || failed.load(std::memory_order_relaxed)) return;
            try {
                fn(c, c * grain, std::min(n, (c + 1) * grain));
            } catch (...) {
                errors[static_cast<std::size_t>(c)] = std::current_exception();
                failed.store(true, std::memory_order_relaxed);
            }
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(nthreads - 1));
    for (int t = 1; t < nthreads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

// Per-row convenience: fn(y0, y1) over row stripes of `grain` rows.
template <class Fn>
void parallel_rows(std::int64_t height, std::int64_t grain, int threads, Fn&& fn) {
    parallel_chunks(height, grain, threads,
                    [&](std::int64_t, std::int64_t y0, std::int64_t y1) { fn(y0, y1); });
}

// A grain that gives each thread a few stripes of roughly `target_pixels` each.
inline std::int64_t row_grain(std::int64_t width, std::int64_t target_pixels = 1 << 15) {
    if (width <= 0) return 1;
    return std::max<std::int64_t>(1, target_pixels / width);
}

}  // namespace skincore
