// The process-wide worker pool behind parallel_chunks (see parallel.hpp).
//
// A job lives on its caller's stack. The caller queues it, wakes up to `helpers`
// workers and takes chunks itself; a worker that picks the job takes chunks from
// the same atomic counter. When the caller runs out of chunks it unqueues the job
// (so no new worker joins) and waits until the workers that joined have left.
// A worker that finds no job busy-waits for one for up to 50 us before it sleeps
// on the condition variable: a kernel's passes, and the kernels a caller runs one
// after another, come microseconds apart, while a worker woken from sleep joined
// a job 50-100 us late (a 256x256 Gaussian blur took longer on two threads than on
// one; benchmarks/bench_threads.py).
#include "skincore/parallel.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace skincore {

namespace {

struct Job {
    std::int64_t n = 0, grain = 1, nchunks = 0;
    detail::ChunkFn fn = nullptr;
    void* ctx = nullptr;
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::exception_ptr> errors;  // one slot per chunk
    int helpers_left = 0;                    // guarded by the pool mutex
    int active = 0;                          // workers inside run(); guarded by the pool mutex

    void run() {
        for (;;) {
            if (failed.load(std::memory_order_relaxed)) return;
            const std::int64_t c = next.fetch_add(1, std::memory_order_relaxed);
            if (c >= nchunks) return;
            try {
                fn(ctx, c, c * grain, std::min(n, (c + 1) * grain));
            } catch (...) {
                errors[static_cast<std::size_t>(c)] = std::current_exception();
                failed.store(true, std::memory_order_relaxed);
            }
        }
    }
};

class Pool {
public:
    explicit Pool(int size) : size_(size) {}

    int size() {
        if (started_.load(std::memory_order_acquire)) return size_.load(std::memory_order_relaxed);
        std::lock_guard<std::mutex> rl(resize_mutex_);
        if (!started_.load(std::memory_order_relaxed)) grow_locked(size_.load(std::memory_order_relaxed));
        return size_.load(std::memory_order_relaxed);
    }

    int resize(int n) {
        n = std::clamp(n, 1, kMaxThreads);
        std::lock_guard<std::mutex> rl(resize_mutex_);
        if (!started_.load(std::memory_order_relaxed)) {
            size_ = n;  // workers start on first use
            return n;
        }
        const auto want = static_cast<std::size_t>(n - 1);
        if (want < workers_.size()) {
            {
                std::lock_guard<std::mutex> lk(mutex_);
                keep_ = want;
            }
            cv_.notify_all();
            for (std::size_t i = want; i < workers_.size(); ++i) workers_[i].join();
            workers_.resize(want);
            size_ = n;
            return n;
        }
        grow_locked(n);
        return size_.load(std::memory_order_relaxed);
    }

    void run(Job& job, int helpers) {
        {
            std::lock_guard<std::mutex> lk(mutex_);
            job.helpers_left = helpers;
            queue_.push_back(&job);
            queued_.store(true, std::memory_order_release);
        }
        for (int i = 0; i < helpers; ++i) cv_.notify_one();
        job.run();
        std::unique_lock<std::mutex> lk(mutex_);
        for (auto it = queue_.begin(); it != queue_.end(); ++it)
            if (*it == &job) {
                queue_.erase(it);
                break;
            }
        queued_.store(!queue_.empty(), std::memory_order_release);
        done_cv_.wait(lk, [&] { return job.active == 0; });
    }

    // After fork() only the forking thread exists in the child: forget the
    // workers (their std::thread handles are leaked on purpose, never joined).
    void forget_workers_after_fork() {
        new (&mutex_) std::mutex();
        new (&resize_mutex_) std::mutex();
        new (&cv_) std::condition_variable();
        new (&done_cv_) std::condition_variable();
        auto* leaked = new std::vector<std::thread>(std::move(workers_));
        (void)leaked;
        workers_ = std::vector<std::thread>();
        new (&queue_) std::deque<Job*>();
        queued_ = false;
        keep_ = 0;
        started_ = false;
    }

private:
    // Starts workers until the pool has n threads of execution (caller
    // included); stops early, without failing, if the OS refuses a thread.
    void grow_locked(int n) {
        const auto want = static_cast<std::size_t>(n - 1);
        {
            std::lock_guard<std::mutex> lk(mutex_);
            keep_ = want;
        }
        while (workers_.size() < want) {
            const std::size_t index = workers_.size();
            try {
                workers_.emplace_back([this, index] { worker_loop(index); });
#ifdef __linux__
                // named by its creator, so the name is set when resize returns
                pthread_setname_np(workers_.back().native_handle(), "skincore-pool");
#endif
            } catch (const std::system_error&) {
                break;
            }
        }
        {
            std::lock_guard<std::mutex> lk(mutex_);
            keep_ = workers_.size();
        }
        size_ = static_cast<int>(workers_.size()) + 1;
        started_.store(true, std::memory_order_release);
    }

    void worker_loop(std::size_t index) {
        std::unique_lock<std::mutex> lk(mutex_);
        for (;;) {
            if (index < keep_ && queue_.empty()) {
                // busy-wait a little before sleeping (see the top of the file)
                lk.unlock();
                spin_for_job();
                lk.lock();
            }
            cv_.wait(lk, [&] { return index >= keep_ || !queue_.empty(); });
            if (index >= keep_) return;
            Job* job = queue_.front();
            if (--job->helpers_left <= 0) {
                queue_.pop_front();
                queued_.store(!queue_.empty(), std::memory_order_release);
            }
            ++job->active;
            lk.unlock();
            job->run();
            lk.lock();
            if (--job->active == 0) done_cv_.notify_all();
        }
    }

    // Polls queued_ for up to kSpin before the worker goes to sleep.
    void spin_for_job() const {
        const auto until = std::chrono::steady_clock::now() + kSpin;
        for (int i = 1;; ++i) {
            if (queued_.load(std::memory_order_acquire)) return;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            __asm__ __volatile__("yield");
#endif
            if (i % 64 == 0 && std::chrono::steady_clock::now() >= until) return;
        }
    }

    static constexpr std::chrono::microseconds kSpin{50};

    std::mutex resize_mutex_;  // serialises resize/start
    std::mutex mutex_;         // guards queue_, keep_, Job::helpers_left/active
    std::condition_variable cv_, done_cv_;
    std::deque<Job*> queue_;
    std::atomic<bool> queued_{false};  // !queue_.empty(), written under mutex_
    std::vector<std::thread> workers_;
    std::size_t keep_ = 0;  // workers with index >= keep_ exit
    std::atomic<int> size_;
    std::atomic<bool> started_{false};
};

Pool& pool() {
    // Leaked on purpose: workers must not be joined during static destruction
    // (the interpreter may exit from any thread).
    static Pool* p = [] {
        auto* q = new Pool(hardware_threads());
        pthread_atfork(nullptr, nullptr, [] { pool().forget_workers_after_fork(); });
        return q;
    }();
    return *p;
}

}  // namespace

int hardware_threads() {
    const unsigned hc = std::thread::hardware_concurrency();
    return hc == 0 ? 1 : static_cast<int>(std::min<unsigned>(hc, kMaxThreads));
}

int pool_size() { return pool().size(); }

int set_pool_size(int n) { return pool().resize(n); }

namespace detail {

void run_chunks(std::int64_t n, std::int64_t grain, std::int64_t nchunks, int helpers, ChunkFn fn,
                void* ctx) {
    Job job;
    job.n = n;
    job.grain = grain;
    job.nchunks = nchunks;
    job.fn = fn;
    job.ctx = ctx;
    job.errors.resize(static_cast<std::size_t>(nchunks));
    pool().run(job, helpers);
    for (auto& e : job.errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace detail

}  // namespace skincore
