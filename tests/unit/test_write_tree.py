"""write_tree: exactly the planned files, swapped in atomically, with no debris and no moment without output.

Covers the atomic exchange and the two-rename fallback, the repair of a swap interrupted between its
renames, the lock between concurrent writers, and SIGKILL at random moments in a real child process.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.render import swap
from generator.render.output import OutputFile
from generator.render.swap import output_lock
from generator.render.write import recover_output, write_tree

ROOT = Path(__file__).resolve().parents[2]
LINUX = sys.platform.startswith("linux")


def _tree_of(label: str, count: int = 300) -> dict[str, bytes]:
    """~300 small files; trees share most paths and differ in every shared file, so a mix shows."""
    files = {f"pkg{i % 12}/mod_{i}.py": f"# {label} {i} é\n" * 3 for i in range(count)}
    files[f"only_{label}.txt"] = f"{label}\n"
    return {path: text.encode("utf-8") for path, text in files.items()}


TREE_A, TREE_B = _tree_of("A"), _tree_of("B")
TREES = {"A": TREE_A, "B": TREE_B}
SMALL_A, SMALL_B = _tree_of("A", 30), _tree_of("B", 30)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The output folder, alone in its parent, so that every sibling found is debris."""
    (tmp_path / "work").mkdir()
    return tmp_path / "work" / "out"


def _files(tree: dict[str, bytes]) -> list[OutputFile]:
    return [OutputFile(path, data.decode("utf-8")) for path, data in tree.items()]


def _on_disk(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _siblings(root: Path) -> list[str]:
    return sorted(name for name in os.listdir(root.parent) if name != root.name)


def _make(folder: Path, tree: dict[str, bytes]) -> None:
    for path, data in tree.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)


@pytest.fixture
def exchanges(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Every result of swap.exchange during the test: True = atomic exchange, False = fallback."""
    results: list[bool] = []
    real = swap.exchange

    def counting(first: Path, second: Path) -> bool:
        results.append(real(first, second))
        return results[-1]

    monkeypatch.setattr(swap, "exchange", counting)
    yield results


@pytest.fixture
def fallback(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Force the two-rename path, as on a filesystem or platform without RENAME_EXCHANGE."""
    calls: list[bool] = []

    def unavailable(first: Path, second: Path) -> bool:
        calls.append(False)
        return False

    monkeypatch.setattr(swap, "exchange", unavailable)
    yield calls


def test_round_trip_writes_exactly_the_files(root: Path) -> None:
    write_tree(root, _files({"a.txt": b"1\n", "sub/deep/b.txt": b"2\n", "stale/c.txt": b"3\n"}))
    (root / "hand-made.txt").write_text("not planned\n", encoding="utf-8")
    new = {"a.txt": "changed ✓\n".encode(), "sub/deep/b.txt": b"2\n", "d.txt": b""}
    write_tree(root, _files(new))
    assert _on_disk(root) == new
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()) == ["sub", "sub/deep"]
    assert _siblings(root) == []


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_folders_and_files_get_the_umask_mode(root: Path, mask: int) -> None:
    old_mask = os.umask(mask)
    try:
        for content in ("first\n", "second\n"):  # a new output folder, then a replaced one
            write_tree(root, [OutputFile("sub/f.txt", content)])
            assert root.stat().st_mode & 0o777 == 0o777 & ~mask
            assert (root / "sub").stat().st_mode & 0o777 == 0o777 & ~mask
            assert (root / "sub" / "f.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    finally:
        os.umask(old_mask)


def test_debris_of_interrupted_runs_is_removed(root: Path) -> None:
    _make(root, {"old.txt": b"old\n"})
    for name in (".out.new-abc", ".out.old-def", ".out.new-k3_x9a2b"):  # the last: a mkdtemp name
        _make(root.parent / name, {"pkg/half.py": b"x\n"})
    (root.parent / ".out.new-0f0f").write_text("a file, not a folder\n", encoding="utf-8")
    # Look-alikes that belong to other output folders, or to nobody, are left alone.
    keep = [".other.new-abc", ".out.new-x.new-y", "out.new-abc", ".outer.old-abc"]
    for name in keep:
        _make(root.parent / name, {"f": b"\n"})
    write_tree(root, _files(TREE_A))
    assert _on_disk(root) == TREE_A
    assert _siblings(root) == sorted(keep)


def test_interrupted_fallback_swap_is_rolled_back_by_recover_output(root: Path) -> None:
    """Killed between the fallback's two renames: no root, the whole previous tree as .old-, the staging as .new-."""
    _make(root.parent / ".out.old-1a2b", TREE_A)
    _make(root.parent / ".out.new-1a2b", TREE_B)
    assert recover_output(root) is True
    assert _on_disk(root) == TREE_A, "the interrupted run promised nothing: the previous tree comes back"
    assert _siblings(root) == []
    assert recover_output(root) is False
    assert _on_disk(root) == TREE_A


def test_interrupted_fallback_swap_is_repaired_before_the_next_write(root: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _make(root.parent / ".out.old-1a2b", TREE_A)
    _make(root.parent / ".out.new-1a2b", TREE_B)
    written = 0
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        nonlocal written
        written += 1
        if written == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(OSError, match="No space left"):
        write_tree(root, _files({f"f{i}.txt": b"C\n" for i in range(10)}))
    # The failing run first put the previous tree back, then left it whole.
    assert _on_disk(root) == TREE_A
    assert _siblings(root) == []
    monkeypatch.setattr(Path, "write_bytes", real_write)
    write_tree(root, _files(TREE_B))
    assert _on_disk(root) == TREE_B


def test_recover_output_without_anything_to_recover(root: Path) -> None:
    assert recover_output(root.parent / "missing-parent" / "out") is False
    assert not (root.parent / "missing-parent").exists()
    assert recover_output(root) is False  # never generated: nothing to put back
    assert not root.exists()
    _make(root.parent / ".out.new-abc", TREE_B)  # a run killed while writing its first tree
    assert recover_output(root) is False
    assert not root.exists() and _siblings(root) == []


@pytest.mark.skipif(not LINUX, reason="renameat2 is Linux only")
def test_the_atomic_exchange_is_used_on_linux(root: Path, exchanges: list[bool]) -> None:
    for tree in (TREE_A, TREE_B, TREE_A):
        write_tree(root, _files(tree))
        assert _on_disk(root) == tree
    assert exchanges == [True, True], "the first write has no tree to exchange with; the others exchange"
    assert _siblings(root) == []


POLLER = textwrap.dedent("""
    import os, sys
    root, stop = sys.argv[1], sys.argv[2]
    polls = misses = 0
    print("ready", flush=True)
    while not os.path.exists(stop):
        polls += 1
        if not os.path.isdir(root):
            misses += 1
    print(polls, misses)
    """)


def _poll_root_during_writes(root: Path, writes: int) -> tuple[int, int]:
    """(polls, misses) of another process checking for ``root`` in a tight loop during ``writes`` writes."""
    stop = root.parent.parent / "stop-polling"
    poller = subprocess.Popen([sys.executable, "-c", POLLER, str(root), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        assert poller.stdout is not None and poller.stdout.readline() == "ready\n"
        for index in range(writes):
            write_tree(root, _files(SMALL_B if index % 2 else SMALL_A))
        stop.touch()
        polls, misses = map(int, poller.communicate(timeout=10)[0].split())
    finally:
        poller.kill()
        stop.unlink(missing_ok=True)
    return polls, misses


@pytest.mark.skipif(not LINUX, reason="renameat2 is Linux only")
def test_the_output_folder_never_disappears_during_writes(root: Path, exchanges: list[bool]) -> None:
    write_tree(root, _files(SMALL_A))
    polls, misses = _poll_root_during_writes(root, 50)
    assert misses == 0
    assert polls > 500, "the poller must have run while the trees were written"
    assert exchanges == [True] * 50


def test_the_fallback_has_a_window_that_the_poller_sees(root: Path, fallback: list[bool]) -> None:
    """The check above can fail: the same poller does catch the two renames' moment without a folder."""
    write_tree(root, _files(SMALL_A))
    _, misses = _poll_root_during_writes(root, 50)
    assert misses > 0
    assert fallback == [False] * 50
    assert _on_disk(root) == SMALL_B and _siblings(root) == []


def test_the_fallback_replaces_the_tree(root: Path, fallback: list[bool]) -> None:
    for tree in (TREE_A, TREE_B):
        write_tree(root, _files(tree))
        assert _on_disk(root) == tree
        assert _siblings(root) == []
    assert fallback == [False]


def test_the_fallback_rolls_back_when_the_second_rename_fails(root: Path, fallback: list[bool],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(root, _files(TREE_A))
    real_rename = os.rename

    def rename(source: Path, target: Path) -> None:
        if Path(target) == root and Path(source).name.startswith(".out.new-"):
            raise OSError(errno.EIO, "Input/output error")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="Input/output"):
        write_tree(root, _files(TREE_B))
    assert _on_disk(root) == TREE_A
    assert _siblings(root) == []


def _fake_renameat2(code: int) -> object:
    def renameat2(*args: object) -> int:
        ctypes.set_errno(code)
        return -1

    return renameat2


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP])
def test_exchange_reports_unsupported_as_unavailable(root: Path, monkeypatch: pytest.MonkeyPatch,
                                                     code: int) -> None:
    monkeypatch.setattr(swap, "_renameat2", lambda: _fake_renameat2(code))
    assert swap.exchange(root.parent / "a", root.parent / "b") is False
    for tree in (TREE_A, TREE_B):  # and write_tree falls back to the two renames
        write_tree(root, _files(tree))
    assert _on_disk(root) == TREE_B and _siblings(root) == []


def test_exchange_raises_real_errors_and_the_old_tree_stays(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(root, _files(TREE_A))
    monkeypatch.setattr(swap, "_renameat2", lambda: _fake_renameat2(errno.EACCES))
    with pytest.raises(PermissionError) as raised:
        write_tree(root, _files(TREE_B))
    assert raised.value.filename2 == str(root)
    assert _on_disk(root) == TREE_A and _siblings(root) == []


def test_no_exchange_outside_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert swap._renameat2.__wrapped__() is None


def test_a_second_writer_waits_for_the_lock(root: Path) -> None:
    write_tree(root, _files(TREE_A))
    done = threading.Event()

    def second_writer() -> None:
        write_tree(root, _files(TREE_B))
        done.set()

    writer = threading.Thread(target=second_writer)
    with output_lock(root):
        writer.start()
        assert not done.wait(0.3), "write_tree ran while another writer held the lock"
        assert _on_disk(root) == TREE_A
    writer.join(timeout=10)
    assert done.is_set()
    assert _on_disk(root) == TREE_B and _siblings(root) == []


WRITER = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    from generator.render import swap
    from generator.render.output import OutputFile
    from generator.render.write import write_tree

    root, tree, times, mode = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if mode == "fallback":
        swap.exchange = lambda first, second: False
        rename = os.rename

        def slow_rename(source, target):
            rename(source, target)
            if ".old-" in os.fspath(target):  # widen the moment without an output folder, and tell
                print("between renames", flush=True)
                time.sleep(0.05)

        os.rename = slow_rename
    files = [OutputFile(path, text) for path, text in json.loads(tree.read_text("utf-8")).items()]
    print("ready", flush=True)
    count = 0
    while count != times:
        write_tree(root, files)
        count += 1
        print("wrote", flush=True)
    """)


def _writer(root: Path, label: str, times: int, mode: str = "exchange") -> subprocess.Popen[str]:
    """A child process writing tree ``label`` to ``root`` ``times`` times (-1: until killed), once it is ready."""
    spec = root.parent.parent / f"tree-{label}.json"
    if not spec.exists():
        spec.write_text(json.dumps({path: data.decode() for path, data in TREES[label].items()}), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(spec), str(times), mode], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def _kill_writers_at_random(root: Path, kills: int, mode: str) -> dict[str, int]:
    """Write tree A, then SIGKILL endless A/B writers at random moments; count what the kills left.

    A writer is killed within 2.5 times as long as one write of the tree took here (about 30 ms on
    an idle machine; a busy disk makes it slower), so kills land in the cleanup of the previous
    kill's debris, the writing, the swap or the removal of the previous tree. In fallback mode
    every other kill is aimed at the moment between the two renames, which the writer widens and
    announces. Every fourth kill waits for the writer's first finished write before its random
    delay: on a loaded machine a child's writes can be far slower than the parent's measured one,
    and the swap must still be reached (and then interrupted in the next write) in some runs.
    """
    started = time.perf_counter()
    write_tree(root, _files(TREE_A))
    longest = 2.5 * (time.perf_counter() - started)
    rng = random.Random(20240512)
    seen = {"debris": 0, "no output": 0, "swapped": 0}
    for kill in range(kills):
        label = "AB"[kill % 2]
        writer = _writer(root, label, -1, mode)
        if mode == "fallback" and kill % 2:
            assert writer.stdout is not None and writer.stdout.readline() == "between renames\n"
            time.sleep(rng.uniform(0, 0.03))
        else:
            if kill % 4 == 3:
                assert writer.stdout is not None and writer.stdout.readline() == "wrote\n"
            time.sleep(rng.uniform(0, longest))
        writer.kill()
        writer.communicate()
        seen["debris"] += bool(_siblings(root))
        if mode == "fallback" and not root.exists():
            seen["no output"] += 1
            assert recover_output(root) is True
        assert root.is_dir(), f"kill {kill} left no output folder"
        tree = _on_disk(root)
        assert tree in (TREE_A, TREE_B), f"kill {kill} left a mixed tree"
        seen["swapped"] += kill % 2 == 1 and tree == TREE_B
    return seen


@pytest.mark.skipif(not LINUX, reason="without renameat2 there is a moment without output (next test)")
def test_sigkill_at_random_moments_leaves_tree_a_or_b(root: Path) -> None:
    seen = _kill_writers_at_random(root, 40, "exchange")
    assert seen["debris"] > 0, "no kill landed during a write: the test proves nothing"
    assert seen["swapped"] > 0, "no writer got as far as its swap: the test proves nothing"
    write_tree(root, _files(TREE_B))
    assert _on_disk(root) == TREE_B
    assert _siblings(root) == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_on_the_fallback_path_is_repaired(root: Path) -> None:
    seen = _kill_writers_at_random(root, 12, "fallback")
    assert seen["debris"] > 0
    assert seen["no output"] > 0, "no kill landed between the two renames: the repair was not exercised"
    write_tree(root, _files(TREE_B))
    assert _on_disk(root) == TREE_B and _siblings(root) == []


def test_concurrent_writers_take_turns(root: Path) -> None:
    writers = [_writer(root, label, 5) for label in "AB"]
    for writer in writers:
        writer.communicate(timeout=30)
        assert writer.returncode == 0
    assert _on_disk(root) in (TREE_A, TREE_B)
    assert _siblings(root) == []
