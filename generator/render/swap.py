"""Swap a fully written staging folder in for an output folder, and clean up after interrupted swaps.

Names next to the output folder ``<name>``, all in its parent so that every rename stays on one
filesystem:

``.<name>.new-<token>``
    staging: the next tree being written, or, once swapped, the previous tree being deleted.
``.<name>.old-<token>``
    fallback path only: the previous tree, from the first of the two renames until it is renamed
    to the ``.new-`` name (free again once the staging folder is in place) to be deleted.

A ``.<name>.new-*`` folder is never trusted (it may be half written or half deleted); a
``.<name>.old-*`` folder is always a whole tree, because it gets its name and loses it again each by
one atomic rename, and nothing is deleted from it before it has lost it. That invariant is what
``settle`` relies on to repair an interrupted swap.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, concurrent writers are not guarded
    fcntl = None  # type: ignore[assignment]

NEW, OLD = "new", "old"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# renameat2 answers these when the kernel (ENOSYS) or the filesystem (EINVAL, EOPNOTSUPP) lacks
# RENAME_EXCHANGE; any other error is real and is raised.
_EXCHANGE_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP})
# flock answers these where locks are not supported, e.g. NFS emulates flock with byte-range locks,
# which refuse an exclusive lock on a read-only descriptor (EBADF).
_LOCK_UNSUPPORTED = frozenset({errno.EBADF, errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP})


def sibling(root: Path, kind: str, token: str) -> Path:
    """``.<name>.<kind>-<token>`` next to ``root``."""
    return root.parent / f".{root.name}.{kind}-{token}"


def leftovers(root: Path, kind: str) -> list[Path]:
    """``root``'s staging (``NEW``) or retired (``OLD``) siblings, sorted by name.

    The token is matched without dots, so ``.out.new-x.new-y`` (staging of an output folder named
    ``out.new-x``) is not mistaken for debris of ``out``. Tokens of ``tempfile.mkdtemp``, which older
    versions used, match too.
    """
    pattern = re.compile(rf"\.{re.escape(root.name)}\.{kind}-\w+")
    try:
        names = os.listdir(root.parent)
    except FileNotFoundError:
        return []
    return [root.parent / name for name in sorted(names) if pattern.fullmatch(name)]


def make_staging(root: Path) -> Path:
    """Create an empty staging folder next to ``root``.

    A plain ``mkdir`` rather than ``tempfile.mkdtemp``: the staging folder becomes the output
    folder, which must get the mode any folder gets under the current umask, not mkdtemp's 0700.
    """
    for _ in range(100):
        staging = sibling(root, NEW, secrets.token_hex(6))
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging
    raise FileExistsError(errno.EEXIST, "no free staging name", str(sibling(root, NEW, "*")))


@contextmanager
def output_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock for writing ``root`` (wait for any other holder).

    The lock is ``flock`` on the parent folder itself, opened read-only: a lock file would either
    outlive the run as debris or, if deleted, let a waiter lock a file the next writer no longer
    sees. ``flock`` belongs to the open file description, so the kernel drops it when the holder
    dies, SIGKILL included. Outputs that share a parent wait for each other; a generation is short
    and no two runs should write those at once anyway. Where there is no ``fcntl`` (Windows), or
    the filesystem refuses the lock, writers are not guarded.
    """
    if fcntl is None:
        yield
        return
    fd = os.open(root.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno not in _LOCK_UNSUPPORTED:
                raise
        yield
    finally:
        os.close(fd)  # releases the lock


def settle(root: Path) -> bool:
    """Repair an interrupted swap, then remove every staging and retired leftover; call under the lock.

    Only the fallback path has a moment without ``root``: between moving it to
    ``.<name>.old-<token>`` and moving the staging folder in. A run killed there is rolled back: the
    retired tree is renamed back to ``root``. Rolling forward to the staging folder instead would
    need a "completely written" marker, but it would also be wrong: until its commit rename a run
    has promised nothing (it has not reported "wrote N files", the run cache has not recorded it),
    and a run killed while writing leaves the old tree too. So an interrupted run has no effect,
    whatever it was doing when it stopped. Returns whether a retired tree was put back.
    """
    restored = False
    retired = leftovers(root, OLD)
    if retired and not os.path.lexists(root):
        # Several exist only without a lock (concurrent runs on Windows); each is whole. The most
        # recently retired one is the most recent tree that was ever in place.
        os.rename(max(retired, key=lambda path: path.lstat().st_ctime_ns), root)
        restored = True
    for path in leftovers(root, NEW) + leftovers(root, OLD):
        remove(path)
    return restored


def remove(path: Path) -> None:
    """Delete a leftover folder (or a file or link where one was expected); errors are raised."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def swap_in(staging: Path, root: Path) -> Path | None:
    """Put ``staging`` at ``root``; return where the previous tree now is (None if there was none).

    With an atomic exchange there is no moment without ``root``; otherwise two renames, rolled
    back on any failure, and ``settle`` rolls back a run killed between them.
    """
    if not os.path.lexists(root):
        os.rename(staging, root)
        return None
    if exchange(staging, root):
        return staging
    retired = sibling(root, OLD, staging.name.rpartition("-")[2])
    os.rename(root, retired)
    try:
        os.rename(staging, root)
    except BaseException:  # KeyboardInterrupt too: never leave the run without its output folder
        os.rename(retired, root)
        raise
    return retired


def discard(previous: Path, staging: Path) -> None:
    """Delete the tree ``swap_in`` moved out, first renaming it out of the ``.old-`` name if needed.

    The new output is in place by now, so a failure here must not fail the run: what is left is
    ordinary debris, which the next run's ``settle`` removes or reports.
    """
    try:
        if previous != staging:
            os.rename(previous, staging)  # an .old- folder is always whole: leave that name first
        remove(staging)
    except OSError:
        return


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where that is unavailable."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _EXCHANGE_UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    """libc's renameat2 (Linux, glibc >= 2.28), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    function = getattr(libc, "renameat2", None)
    if function is None:
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    renameat2: Callable[[int, bytes, int, bytes, int], int] = function
    return renameat2
