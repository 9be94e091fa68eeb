"""ConcernPool: concerns of one face measured on several threads at once."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.concerns.base import Concern
from skincore.concerns.scheduler import ConcernPool


class _Work:
    """Stands in for FaceWork: result_of runs the concern's measure."""

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def result_of(self, spec, params):
        self.threads.add(threading.current_thread().name)
        return spec.measure(self, params)


def _spec(name, measure):
    return Concern(name=name, summary=name, params=dict, result=object, measure=measure)


def _sleepy(name, seconds=0.05):
    return _spec(name, lambda work, p: (time.sleep(seconds), name)[1])


def test_every_concern_measured_once_with_its_time():
    specs = [_sleepy(f"c{i}") for i in range(6)]
    out = ConcernPool(3).measure(_Work(), specs, {s.name: {} for s in specs})
    assert {k: v[0] for k, v in out.items()} == {s.name: s.name for s in specs}
    assert all(v[1] >= 45 for v in out.values())


def test_two_workers_run_two_concerns_at_once():
    # Each concern waits until another is running too: one after another, the
    # barrier would time out.
    barrier = threading.Barrier(2, timeout=10)
    work = _Work()
    specs = [_spec(f"c{i}", lambda w, p: barrier.wait()) for i in range(4)]
    ConcernPool(2).measure(work, specs, {s.name: {} for s in specs})
    assert len(work.threads) == 2


def test_first_error_in_registry_order_is_raised():
    def boom(msg):
        def measure(work, p):
            time.sleep(0.02)
            raise ValueError(msg)

        return measure

    specs = [_sleepy("a"), _spec("b", boom("b")), _spec("c", boom("c"))]
    for workers in (1, 3):
        with pytest.raises(ValueError, match="^b$"):
            ConcernPool(workers).measure(_Work(), specs, {s.name: {} for s in specs})


def test_a_call_does_not_wait_for_a_busy_pool():
    pool = ConcernPool(2)
    release = threading.Event()
    busy = pool._executor.submit(release.wait, 10)  # another call's face holds the worker
    try:
        work = _Work()
        specs = [_sleepy(f"c{i}", 0.01) for i in range(3)]
        t = time.perf_counter()
        out = pool.measure(work, specs, {s.name: {} for s in specs})
        assert time.perf_counter() - t < 2
        assert len(out) == 3 and work.threads == {threading.current_thread().name}
    finally:
        release.set()
        busy.result()


@pytest.mark.parametrize("bad", [0, 17, 1.5, True, "2"])
def test_concern_workers_is_checked(bad):
    with pytest.raises(skincore.SkinError) as err:
        skincore.AnalyzerOptions(concern_workers=bad)
    assert err.value.code == "invalid_argument"


def test_results_do_not_depend_on_the_number_of_workers():
    rgb = np.asarray(Image.open(skincore.sample_path()).convert("RGB"))
    docs = []
    for workers in (1, 2, 4):
        analysis = skincore.Analyzer(concern_workers=workers).analyze(rgb)
        doc = skincore.render(analysis, "skincore")["faces"][0]
        doc.pop("id", None)
        docs.append(doc)
    assert docs[0] == docs[1] == docs[2]


def test_nan_reductions_do_not_warn_and_match_numpy():
    import warnings

    from skincore import nanreduce

    a = np.array([[1.0, np.nan, 3.0], [2.0, np.nan, np.nan], [4.0, np.nan, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        med0, med1 = nanreduce.nanmedian(a, 0), nanreduce.nanmedian(a.T, 1)
        mx = nanreduce.nanmax(a, 0)
    np.testing.assert_array_equal(med0, [2.0, np.nan, 4.0])
    np.testing.assert_array_equal(med1, med0)
    np.testing.assert_array_equal(mx, [4.0, np.nan, 5.0])
    with pytest.raises(ValueError):
        nanreduce.nanmedian(a[0], 0)


def test_no_warning_filters_swapped_in_the_pipeline():
    # warnings.catch_warnings swaps the process-wide filters: not thread-safe with
    # concerns measured at once (see skincore.nanreduce).
    from pathlib import Path

    pkg = Path(skincore.__file__).parent
    users = [p.name for p in pkg.rglob("*.py") if "catch_warnings(" in p.read_text()]
    assert users == []


def test_side_worker_runs_one_job_at_a_time_on_its_own_thread():
    from skincore.threads import SideWorker

    side = SideWorker()
    release = threading.Event()
    first = side.try_submit(lambda: (release.wait(10), threading.current_thread().name)[1])
    assert first is not None
    assert side.try_submit(lambda: 1) is None  # busy: the caller works itself
    release.set()
    assert first.result().startswith("skincore-side")

    def boom():
        raise ValueError("job")

    failed = side.try_submit(boom)  # free again once the first job has ended
    assert failed is not None
    with pytest.raises(ValueError, match="job"):
        failed.result()
    later = side.try_submit(lambda: 2)  # an error frees it too
    assert later is not None and later.result() == 2
