// Row-stripe parallelism on one process-wide pool of persistent std::thread
// workers (no OpenMP: onnxruntime keeps its own pool and the two would
// oversubscribe the cores; no thread is created per call).
//
// The pool has `pool_size()` threads of execution: the calling thread plus
// pool_size() - 1 persistent workers. A job asks for `threads` of them (0 = the
// pool size; more than the pool size is capped to it). The calling thread always
// works on its own job, and workers only help, so concurrent callers (many Python
// threads, each with the GIL released) never wait for one another: if every
// worker is busy elsewhere a caller runs all its chunks itself.
//
// Determinism: work is cut into chunks whose boundaries depend only on the problem
// size and the grain, never on the thread count. A reduction writes one partial per
// chunk and the caller combines partials in chunk order, so results are
// bit-identical for any `threads` and any pool size. Exceptions thrown in chunks
// are rethrown on the calling thread (the first one, by chunk order); after a
// failure no new chunk is started.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace skincore {

// Upper bound of the pool size (and of a `threads` argument).
inline constexpr int kMaxThreads = 256;

// Threads of execution a job may use (caller included): >= 1. Starts the workers
// on first use; a worker that the OS refuses to start (std::system_error) is
// dropped, so the size may be below what was asked for.
int pool_size();

// Sets the pool size (1..kMaxThreads; clamped). Safe to call while jobs run:
// they finish on the threads they hold. Returns the size actually reached.
int set_pool_size(int n);

// Hardware threads reported by the OS (>= 1).
int hardware_threads();

// threads <= 0 means "the pool size"; larger requests are capped at it.
inline int resolve_threads(int threads) {
    const int p = pool_size();
    return threads <= 0 ? p : std::min(threads, p);
}

inline std::int64_t chunk_count(std::int64_t n, std::int64_t grain) {
    if (n <= 0) return 0;
    if (grain < 1) grain = 1;
    return (n + grain - 1) / grain;
}

namespace detail {
using ChunkFn = void (*)(void* ctx, std::int64_t chunk, std::int64_t begin, std::int64_t end);
// Runs chunk c = 0..nchunks-1 ([c*grain, min(n, (c+1)*grain))) on the caller and
// up to helpers pool workers; rethrows the first exception by chunk order.
void run_chunks(std::int64_t n, std::int64_t grain, std::int64_t nchunks, int helpers, ChunkFn fn,
                void* ctx);
}  // namespace detail

// Calls fn(chunk_index, begin, end) for every chunk [begin, end) of [0, n) of size
// `grain` (the last one may be shorter), spread over up to `threads` threads.
template <class Fn>
void parallel_chunks(std::int64_t n, std::int64_t grain, int threads, Fn&& fn) {
    const std::int64_t nchunks = chunk_count(n, grain);
    if (nchunks == 0) return;
    if (grain < 1) grain = 1;
    const std::int64_t nthreads = std::min<std::int64_t>(resolve_threads(threads), nchunks);
    if (nthreads <= 1) {
        for (std::int64_t c = 0; c < nchunks; ++c) fn(c, c * grain, std::min(n, (c + 1) * grain));
        return;
    }
    using F = std::remove_reference_t<Fn>;
    detail::run_chunks(
        n, grain, nchunks, static_cast<int>(nthreads - 1),
        [](void* ctx, std::int64_t c, std::int64_t b, std::int64_t e) { (*static_cast<F*>(ctx))(c, b, e); },
        const_cast<void*>(static_cast<const void*>(&fn)));
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
