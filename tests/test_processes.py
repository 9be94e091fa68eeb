"""An Analyzer that hands its calls to worker processes (``AnalyzerOptions.processes``).

The same results and the same error codes as in-process, from every input form
and from concurrent callers; closing it stops the workers; bad options are
refused. Skipped where the platform has no process pools (no POSIX semaphores).
"""

from __future__ import annotations

import io
import json
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.processes import unavailable, worker_threads

pytestmark = pytest.mark.skipif(unavailable() is not None, reason="no process pools here")


@pytest.fixture(scope="module")
def procs():
    with skincore.Analyzer(processes=2, threads=2) as an:
        yield an


@pytest.fixture(scope="module")
def sample_rgb(sample_path):
    return np.asarray(Image.open(sample_path).convert("RGB"))


def _values(analysis: skincore.Analysis) -> str:
    d = analysis.to_dict("skincore")
    d.pop("meta", None)  # request id, timings, threads
    return json.dumps(d, sort_keys=True, default=str)


def test_the_same_result_as_in_process(procs, sample_rgb):
    """Results do not depend on the threads, so a worker's equals the caller's."""
    here = skincore.Analyzer(threads=2).analyze(sample_rgb)
    there = procs.analyze(sample_rgb)
    assert _values(there) == _values(here)
    assert there.meta.threads == worker_threads(2, 2) == 1


def test_every_input_form(procs, sample_path, sample_rgb, tmp_path, monkeypatch):
    data = sample_path.read_bytes()
    ref = _values(procs.analyze(sample_rgb))
    monkeypatch.chdir(tmp_path)  # a relative path is the caller's, made absolute
    (tmp_path / "face.jpg").write_bytes(data)
    encoded = ["face.jpg", sample_path, data, bytearray(data), io.BytesIO(data)]
    for form in encoded:
        got = procs.analyze(form)
        assert got.meta.image_format == "JPEG", type(form).__name__
        assert _values(got) == ref, type(form).__name__  # the same pixels, decoded there
    for form in (
        Image.open(io.BytesIO(data)),
        skincore.load_image(data),
        np.asfortranarray(sample_rgb),  # not C-contiguous: through shared memory all the same
    ):
        assert _values(procs.analyze(form)) == ref, type(form).__name__
    rgba = np.dstack([sample_rgb, np.full(sample_rgb.shape[:2], 255, np.uint8)])
    assert _values(procs.analyze(rgba)) == ref  # other arrays are decoded here first


def test_per_call_options_and_side_photos(procs, sample_path):
    got = procs.analyze(sample_path, concerns=["tone"], max_faces=2)
    assert set(got.faces[0].concerns) == {"tone"}
    sides = procs.analyze(sample_path, concerns=["tone"], left_side_image=sample_path)
    assert set(sides.sides) == {"left"}


def test_errors_keep_their_codes(procs):
    """Every refusal raises the SkinError an in-process analyser raises."""
    here = skincore.Analyzer(threads=1)
    small = skincore.Limits(max_file_bytes=1024)
    cases = [
        (lambda: np.full((240, 320, 3), 128, np.uint8), {}, "no_face"),
        (lambda: b"not a photo", {}, "unsupported_format"),
        (lambda: 3.5, {}, "invalid_argument"),
        (lambda: io.BytesIO(b"\xff" * 2048), {"limits": small}, "file_too_large"),
        (lambda: np.zeros((0, 5, 3), np.uint8), {}, "image_too_small"),
        (lambda: np.zeros((64, 64, 3), np.float32) + 2.0, {}, None),
    ]
    for make, kw, code in cases:
        errors = []
        for an in (here, procs):
            with pytest.raises(skincore.SkinError) as e:
                an.analyze(make(), **kw)
            errors.append((e.value.code, e.value.detail))
        assert errors[0] == errors[1]
        assert code is None or errors[0][0] == code


def test_concurrent_callers(procs, sample_rgb, sample_path):
    ref = _values(procs.analyze(sample_rgb))
    with ThreadPoolExecutor(3) as ex:
        got = list(ex.map(procs.analyze, [sample_rgb, sample_path, sample_rgb, sample_rgb]))
    assert all(_values(g) == ref for g in got)


def test_closed_analyzer_refuses_calls(sample_rgb):
    an = skincore.Analyzer(processes=1, threads=1)
    assert an.analyze(sample_rgb, concerns=["tone"]).faces
    an.close()
    an.close()  # twice: nothing to do
    with pytest.raises(skincore.SkinError) as e:
        an.analyze(sample_rgb)
    assert e.value.code == "invalid_argument" and "closed" in e.value.detail
    skincore.Analyzer(threads=1).close()  # no workers: nothing to do


@pytest.mark.parametrize("bad", [-1, 65, True, "2", 1.0])
def test_bad_process_counts_are_refused(bad):
    with pytest.raises(skincore.SkinError) as e:
        skincore.AnalyzerOptions(processes=bad)
    assert e.value.code == "invalid_argument" and "processes" in e.value.detail


def test_worker_threads_share_the_budget():
    assert worker_threads(8, 2) == 4
    assert worker_threads(3, 2) == 1
    assert worker_threads(1, 4) == 1
    assert worker_threads(0, 1) == (os.cpu_count() or 1)


def test_workers_end_with_a_killed_caller(tmp_path):
    """A service stopped with SIGKILL left its workers running, each holding its
    models: they now end with the process that started them."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "killed.py"
    script.write_text(
        "import os, signal, skincore\n"
        "if __name__ == '__main__':\n"
        "    an = skincore.Analyzer(processes=2, threads=2)\n"
        "    an.analyze(str(skincore.sample_path()), concerns=['tone'])\n"
        "    print(*an._processes._pool._processes, flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    pids = [int(p) for p in out.stdout.split()]
    assert pids  # the pool starts its workers as calls need them

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/status") as f:
                return "\nState:\tZ" not in f.read()  # a zombie has ended
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 20
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in pids)


def test_large_results_come_back_through_shared_memory():
    """Arrays of a large result cross out of band (a 1080p result's 4.2 MB of masks
    took about 10 ms a call through the pipe): equal, owned and writable after,
    and the block is removed; a small result crosses the pipe as it is."""
    from skincore.processes import SHM_RESULT_BYTES, _packed, _unpacked

    rng = np.random.default_rng(0)
    big = {
        "mask": rng.random((900, 1200)) > 0.5,
        "level": rng.integers(0, 255, (900, 1200), dtype=np.uint8),
        "strided": rng.random((400, 400))[::2, ::3],  # not contiguous: pickled in band
        "text": "kept",
    }
    packed = _packed(big)
    assert packed[0] == "shm" and sum(packed[3]) >= SHM_RESULT_BYTES
    name = packed[2]
    got = _unpacked(packed)
    assert got.keys() == big.keys() and got["text"] == "kept"
    for k in ("mask", "level", "strided"):
        assert got[k].dtype == big[k].dtype and np.array_equal(got[k], big[k])
    got["level"][0, 0] = 7  # owned and writable
    assert not os.path.exists(f"/dev/shm/{name}")
    small = {"mask": np.zeros((10, 10), bool)}
    assert _packed(small)[0] == "pipe"


def test_results_fill_the_block_the_caller_lends():
    """A large result is written into the block the caller lent when it fits
    (read back equal, owned, the block kept); into a new block when it does not."""
    from skincore.processes import Blocks, _packed, _unpacked

    rng = np.random.default_rng(1)
    big = {"level": rng.integers(0, 255, (1200, 1500), dtype=np.uint8), "n": 3}
    blocks = Blocks(keep=4, keep_bytes=1 << 30)
    try:
        lent = blocks.take(2 << 20)
        packed = _packed(big, (lent.name, lent.size))
        assert packed[0] == "lent"
        got = _unpacked(packed, lent)
        assert np.array_equal(got["level"], big["level"]) and got["n"] == 3
        got["level"][0, 0] ^= 1  # owned: the block is not changed by it
        assert np.array_equal(_unpacked(packed, lent)["level"], big["level"])
        assert os.path.exists(f"/dev/shm/{lent.name}")  # kept by the caller
        small = blocks.take(1)
        packed = _packed(big, (small.name, small.size))  # 1.8 MB into 1 MiB: a new block
        assert packed[0] == "shm" and packed[2] != small.name
        assert np.array_equal(_unpacked(packed, small)["level"], big["level"])
        assert not os.path.exists(f"/dev/shm/{packed[2]}")
        blocks.give(lent)
        blocks.give(small)
    finally:
        blocks.close()
    assert not os.path.exists(f"/dev/shm/{lent.name}")


def test_blocks_are_kept_for_the_next_calls_within_their_limits():
    """A block given back serves the next call of a size it holds (the smallest
    that fits); past ``keep`` blocks or ``keep_bytes`` the longest kept is removed;
    closing removes every kept block and any given back later."""
    from skincore.processes import BLOCK_ROUNDING, Blocks

    mib = BLOCK_ROUNDING
    blocks = Blocks(keep=2, keep_bytes=5 * mib)
    a, b, c = blocks.take(3 * mib - 5), blocks.take(1), blocks.take(2 * mib)
    assert (a.size, b.size, c.size) == (3 * mib, mib, 2 * mib)  # rounded up
    blocks.give(a)
    blocks.give(b)
    assert blocks.take(mib // 2).name == b.name  # the smallest that fits
    blocks.give(b)
    blocks.give(c)  # three kept: the longest kept (a) goes
    assert not os.path.exists(f"/dev/shm/{a.name}")
    assert os.path.exists(f"/dev/shm/{b.name}") and os.path.exists(f"/dev/shm/{c.name}")
    d = blocks.take(5 * mib)  # none fits: a new one
    assert d.name not in (b.name, c.name)
    blocks.give(d)  # 8 MiB kept > 5 MiB: b and c go
    assert not os.path.exists(f"/dev/shm/{b.name}") and not os.path.exists(f"/dev/shm/{c.name}")
    kept = blocks.take(mib)
    lent = blocks.take(1)
    assert kept.name == d.name and lent.name != d.name
    blocks.give(kept)
    blocks.close()
    assert not os.path.exists(f"/dev/shm/{d.name}")
    assert os.path.exists(f"/dev/shm/{lent.name}")  # lent: the caller still uses it
    blocks.give(lent)  # after closing: removed, not kept
    assert not os.path.exists(f"/dev/shm/{lent.name}")


def test_a_shipped_array_is_read_in_place_and_read_only():
    """The worker reads the caller's pixels in the lent block (no copy) and cannot
    write them; the block is mapped once however often it is read."""
    from skincore import processes
    from skincore.limits import Limits

    rgb = np.random.default_rng(2).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    blocks = processes.Blocks(keep=2, keep_bytes=1 << 30)
    lease = processes.Lease(blocks)
    try:
        item = processes._shipped(rgb, Limits(), lease)
        assert item[0] == "shm"
        one, two = processes._received(item), processes._received(item)
        assert np.array_equal(one, rgb) and not one.flags.writeable
        assert np.shares_memory(one, two)  # one mapping
        with pytest.raises(ValueError):
            one[0, 0, 0] = 1
        del one, two
    finally:
        for shm in processes._ATTACHED.values():
            shm.close()
        processes._ATTACHED.clear()
        lease.end(reuse=True)
        blocks.close()


def test_an_interrupted_wait_does_not_lend_its_blocks_again(monkeypatch):
    """A caller interrupted while its worker still runs (Ctrl-C in the wait) must
    not lend that call's blocks to the next call: they are removed, not kept."""
    from concurrent.futures import Future

    from skincore import processes
    from skincore.limits import Limits

    class Running(Future):
        def result(self, timeout=None):
            raise KeyboardInterrupt  # the wait interrupted; the call never ends

    pool = processes.ProcessPool.__new__(processes.ProcessPool)
    pool._blocks = processes.Blocks(keep=4, keep_bytes=1 << 30)
    pool._result_bytes = processes.SHM_RESULT_BYTES
    names: list[str] = []
    take = processes.Blocks.take

    def spy(self, nbytes):
        block = take(self, nbytes)
        names.append(block.name)
        return block

    monkeypatch.setattr(processes.Blocks, "take", spy)
    pool._pool = type("Pool", (), {"submit": lambda self, *a: Running()})()
    rgb = np.zeros((600, 800, 3), np.uint8)
    with pytest.raises(KeyboardInterrupt):
        pool.analyze(rgb, Limits(), {}, {})
    assert len(names) == 2  # the photo's block and the result's
    assert not any(os.path.exists(f"/dev/shm/{n}") for n in names)
    assert pool._blocks._free == []
    pool._blocks.close()


def test_closing_leaves_no_shared_memory(sample_rgb):
    """1080p calls lend their photo's and their result's blocks; after closing,
    none is left in /dev/shm."""
    before = set(os.listdir("/dev/shm"))
    big = np.asarray(Image.fromarray(sample_rgb).resize((1080, 1440)))
    with skincore.Analyzer(processes=1, threads=1) as an:
        for _ in range(2):
            assert an.analyze(big).faces
        kept = set(os.listdir("/dev/shm")) - before
        assert kept  # the blocks kept for the next call
    assert set(os.listdir("/dev/shm")) - before == set()


def test_an_analyzer_never_closed_leaves_no_shared_memory(tmp_path):
    """The blocks kept for later calls are removed at exit when the analyser was
    never closed (no leak, no resource-tracker warning)."""
    import subprocess
    import sys

    script = tmp_path / "unclosed.py"
    script.write_text(
        "import numpy as np, skincore\n"
        "from PIL import Image\n"
        "if __name__ == '__main__':\n"
        "    rgb = Image.open(str(skincore.sample_path())).convert('RGB')\n"
        "    an = skincore.Analyzer(processes=1, threads=1)\n"
        "    an.analyze(np.asarray(rgb.resize((1080, 1440))), concerns=['tone'])\n"
        "    print('analysed', flush=True)\n"
    )
    before = set(os.listdir("/dev/shm"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0 and "analysed" in out.stdout, out.stderr
    assert "leaked" not in out.stderr, out.stderr
    assert set(os.listdir("/dev/shm")) - before == set()
