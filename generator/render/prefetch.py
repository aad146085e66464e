"""Warm the content store in parallel before the (serial, ordered) render.

Each (provider, step) pair of ``PROVIDER_STEPS`` runs in a forked worker; the
results of its memoised work (datamodel-code-generator, black) come back as
store entries. The real render then runs as always and finds them, so output
cannot depend on the number of workers: parallelism only decides who computes
an entry first. Steps are finer than providers, so that even a one-provider
run keeps every CPU busy; a step in ``BATCHED_STEPS`` takes several providers
per task instead, and its tasks go first as the longest.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.cache.store import ContentStore, active_store, using_store
from generator.errors import RelaygenError
from generator.ir.nodes import ProviderIR
from generator.render.env import compile_all
from generator.render.plan import BATCH_SIZE, BATCHED_STEPS, PROVIDER_STEPS


def default_jobs() -> int:
    """Worker processes: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class _WorkerSetup:
    env: jinja2.Environment
    irs: list[ProviderIR]
    cache_dir: Path | None


_setup: _WorkerSetup | None = None


def _init_worker(setup: _WorkerSetup) -> None:
    # Initializer arguments reach a forked worker by inheritance, not pickling: the
    # Jinja environment, with every template compiled, and the IR come along as they are.
    global _setup
    _setup = setup


Task = tuple[tuple[int, ...], int]  # (provider indexes, step index)


def _run_step(providers: tuple[int, ...], step: int) -> dict[str, str]:
    """Step ``step`` of each of ``providers``; the store entries it made."""
    assert _setup is not None, "worker started without _init_worker"
    with using_store(ContentStore(_setup.cache_dir)) as store:
        for provider in providers:
            try:
                PROVIDER_STEPS[step](_setup.env, _setup.irs[provider])
            except RelaygenError:
                pass  # the serial render meets the same error and reports it in order
        return store.entries()


def _tasks(providers: int) -> list[Task]:
    """Every step of every provider: batched steps first, BATCH_SIZE providers a task."""
    batched: list[Task] = [
        (tuple(range(start, min(start + BATCH_SIZE, providers))), step)
        for step in sorted(BATCHED_STEPS)
        for start in range(0, providers, BATCH_SIZE)
    ]
    steps = [step for step in range(len(PROVIDER_STEPS)) if step not in BATCHED_STEPS]
    return batched + [((provider,), step) for provider in range(providers) for step in steps]


def prefetch(env: jinja2.Environment, irs: list[ProviderIR], jobs: int) -> None:
    """Fill the active store with the expensive steps of ``irs``, ``jobs`` processes at a time."""
    store = active_store()
    tasks = _tasks(len(irs))
    workers = min(jobs, len(tasks))
    # fork shares the already imported generator with the workers at no cost; where it is
    # unavailable the serial render simply does all the work.
    if store is None or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return
    _warm_heavy_imports()
    compile_all(env)
    setup = _WorkerSetup(env, irs, store.directory)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_init_worker, initargs=(setup,)) as pool:
            futures = [pool.submit(_run_step, providers, step) for providers, step in tasks]
            for future in futures:
                store.merge(future.result())
    except BrokenProcessPool:
        return  # a worker died (e.g. out of memory): the serial render computes what is missing


def _warm_heavy_imports() -> None:
    # Imported once before forking, so workers do not each pay for it.
    import datamodel_code_generator  # noqa: F401
