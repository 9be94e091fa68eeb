"""Tests of the kernel thread pool (skincore.threads) and the threads= argument."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from idle_cpu import idle_cpu_after
from skincore import _core, blobs, color, contours, geometry, maps, ridges, threads


@pytest.fixture
def restore_pool() -> Iterator[None]:
    n = threads.get_num_threads()
    yield
    threads.set_num_threads(n)


def _gray(seed: int = 0, h: int = 257, w: int = 263) -> np.ndarray:
    rng = np.random.default_rng(seed)
    g = rng.random((h, w)).astype(np.float32)
    return geometry.gaussian_blur(g, 1.5, threads=1)


def _calls() -> dict[str, Callable[[int], object]]:
    """One call of every kernel family, each returning arrays to compare."""
    g = _gray()
    rgb = (np.random.default_rng(1).random((131, 97, 3)) * 255).astype(np.uint8)
    lab = color.rgb_to_lab(rgb, threads=1)
    mask = g > 0.5
    ones = np.ones(lab.shape[:2], bool)
    fr = ridges.frangi(g, [1.0, 2.0], threads=1)
    face = np.ascontiguousarray(rgb)
    return {
        "rgb_to_lab": lambda t: color.rgb_to_lab(rgb, threads=t),
        "rgb_to_lightness": lambda t: color.rgb_to_lightness(rgb, divisor=100.0, threads=t),
        "lab_stats": lambda t: color.lab_stats(lab, ones, threads=t).L_median,
        "blur": lambda t: geometry.gaussian_blur(g, 2.0, threads=t),
        "resize": lambda t: geometry.resize(g, (100, 130), method="bilinear", threads=t),
        "blobs": lambda t: blobs.detect(g, threads=t),
        "frangi": lambda t: ridges.frangi(g, [1.0, 2.0], threads=t).response,
        "trace": lambda t: [
            r.points for r in ridges.trace(fr.response, low=0.1, high=0.3, threads=t)
        ],
        "label": lambda t: contours.label(mask, threads=t)[0],
        "enhanced_bw": lambda t: maps.enhanced_bw(face, (5, 7, 80, 90), threads=t)[0],
    }


def _same(a: object, b: object) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def test_pool_size_default_and_resize(restore_pool):
    assert threads.get_num_threads() >= 1
    threads.set_num_threads(3)
    assert threads.get_num_threads() == 3
    threads.set_num_threads(1)
    assert threads.get_num_threads() == 1
    threads.set_num_threads(5)
    assert threads.get_num_threads() == 5


@pytest.mark.parametrize("bad", [0, 257, -1, 1.5, True, "2", None])
def test_set_num_threads_refuses(bad, restore_pool):
    with pytest.raises(ValueError, match="^n:"):
        threads.set_num_threads(bad)


def test_results_identical_for_any_pool_size_and_threads(restore_pool):
    calls = _calls()
    want = {k: f(1) for k, f in calls.items()}
    for size in (1, 2, 7):
        threads.set_num_threads(size)
        for t in (0, 1, 2, 7, 256):
            for k, f in calls.items():
                assert _same(f(t), want[k]), (k, size, t)


def test_concurrent_python_threads_match_sequential(restore_pool):
    threads.set_num_threads(4)
    calls = _calls()
    want = {k: f(0) for k, f in calls.items()}
    errors: list[str] = []
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        barrier.wait()
        for rep in range(3):
            for k, f in calls.items():
                if not _same(f((i + rep) % 3), want[k]):
                    errors.append(f"{k} in thread {i}")

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts)
    assert errors == []


def _os_threads() -> dict[str, str]:
    """Thread id -> name of this process's OS threads."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                out[tid] = f.read().strip()
        except OSError:  # the thread ended meanwhile
            pass
    return out


def _pool_workers() -> set[str]:
    return {tid for tid, name in _os_threads().items() if name == "skincore-pool"}


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc")
def test_no_thread_started_per_call(restore_pool):
    threads.set_num_threads(4)
    g = _gray(h=300, w=300)
    geometry.gaussian_blur(g, 2.0)  # starts the pool if needed
    before = set(_os_threads())
    workers = _pool_workers()
    assert len(workers) == 3  # the caller is the fourth
    for _ in range(100):
        geometry.gaussian_blur(g, 2.0)
        ridges.frangi(g, [1.0], threads=0)
    assert set(_os_threads()) - before == set()
    assert _pool_workers() == workers
    # resizing stops or starts exactly the workers asked for
    threads.set_num_threads(2)
    assert len(_pool_workers()) == 1 and _pool_workers() <= workers
    threads.set_num_threads(6)
    assert len(_pool_workers()) == 5


def test_pool_workers_rest_soon_after_a_job(restore_pool):
    """Workers busy-wait for the next job only briefly (50 us) before sleeping: a
    pool of 4 burns next to no CPU in the 200 ms after a burst of kernel calls."""
    threads.set_num_threads(4)
    g = _gray(h=300, w=300)

    def burst() -> None:
        for _ in range(20):
            geometry.gaussian_blur(g, 2.0)

    assert idle_cpu_after(burst) < 0.008


def test_pool_runs_every_chunk_once_in_any_order(restore_pool):
    threads.set_num_threads(4)
    for n, grain, t in [(0, 1, 0), (1, 1, 4), (1000, 7, 0), (1000, 7, 2), (5, 100, 4)]:
        got = _core._parallel_check(n, grain, t, -1)
        assert got == [min(n, (c + 1) * grain) - c * grain for c in range(-(-n // grain))]


@pytest.mark.parametrize("t", [1, 2, 4])
def test_worker_exception_reaches_caller(t, restore_pool):
    threads.set_num_threads(4)
    with pytest.raises(RuntimeError, match="chunk 37"):
        _core._parallel_check(1000, 7, t, 37)
    # the pool keeps working after a failure
    assert sum(_core._parallel_check(1000, 7, t, -1)) == 1000


BAD_THREADS = [-1, 257, 10**6, 1.5, True, "1", None]


@pytest.mark.parametrize("bad", BAD_THREADS)
def test_every_wrapper_refuses_bad_threads(bad):
    for k, f in _calls().items():
        with pytest.raises(ValueError, match="^threads"):
            f(bad)
        assert k
    z = np.zeros((4, 4), np.float32)
    for f2 in (
        lambda: contours.find_contours(np.ones((3, 3), bool), threads=bad),
        lambda: contours.polygons(np.ones((3, 3), bool), threads=bad),
        lambda: color.ita_map(np.zeros((2, 2, 3), np.float32), threads=bad),
        lambda: blobs.dog_response(np.zeros((4, 4), np.float32), 1.0, 2.0, threads=bad),
        lambda: geometry.fill_polygons([np.zeros((3, 2))], (4, 4), threads=bad),
        lambda: ridges.hysteresis_skeleton(z, low=0, high=1, threads=bad),
    ):
        with pytest.raises(ValueError, match="^threads"):
            f2()


def _blur_sum(seed: int) -> float:
    return float(geometry.gaussian_blur(_gray(seed), 2.0).sum())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_pool_works_in_forked_children(restore_pool):
    import multiprocessing as mp

    threads.set_num_threads(3)
    want = [_blur_sum(s) for s in range(4)]  # the parent's pool is running
    with mp.get_context("fork").Pool(2) as pool:
        got = pool.map_async(_blur_sum, range(4)).get(timeout=120)
    assert got == want


def test_thread_share_divides_the_budget_among_calls_in_flight():
    share = threads.ThreadShare(4)
    assert share.threads() == 4 and share.in_flight == 0
    with share.call():
        assert share.threads() == 4
        with share.call():
            assert share.in_flight == 2 and share.threads() == 2
            with share.call():
                assert share.threads() == 1  # 4 // 3
        assert share.threads() == 4  # alone again: takes its threads back
    one = threads.ThreadShare(1)
    with one.call(), one.call():
        assert one.threads() == 1  # never below one thread


def test_thread_share_zero_means_the_pool_size(restore_pool):
    threads.set_num_threads(3)
    share = threads.ThreadShare(0)
    assert share.budget == 3 and share.threads() == 3
    threads.set_num_threads(2)
    assert share.budget == 2  # read at each call


def test_thread_share_counts_a_failed_call_out():
    share = threads.ThreadShare(2)
    with pytest.raises(RuntimeError), share.call():
        raise RuntimeError("boom")
    assert share.in_flight == 0 and share.threads() == 2
