"""The worker processes of a batch, and cases shared between them and the batch's process.

:class:`CasePool` is to cases what the coalition engine's
:class:`~fairpool.optimizer.coalitions.workers.WorkerPool` is to coalitions: spawned processes
(a fresh interpreter each, no state shared with the batch's process), one case in hand per
worker, so the pool always knows which case a worker holds and sees at once, from the
process's sentinel, a worker that died (killed, out of memory, crashed): that case alone is
failed, with how its process ended, and a new worker takes the dead one's place. A worker
says when it has imported the models (:data:`READY`) and only then gets cases;
:func:`run_shared` has the batch's own process solve cases meanwhile and between.

Workers ignore SIGINT (Ctrl-C reaches a terminal's whole process group): the batch alone
stops the run and ends its workers, so one message is printed, not a traceback from each
worker. They leave on SIGTERM through Python's exit, so that nothing they hold leaks.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import signal
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from fairpool.commands.batch_case import CaseJob, CaseOutcome, CaseRow, solve_case
from fairpool.optimizer.coalitions.workers import sigint_blocked

# -- worker processes -----------------------------------------------------------------------------


READY = "ready"
"""What a worker sends once it has imported what cases need: only then is it given one."""


def serve_cases(connection: Connection) -> None:
    """A case worker's main: ignore SIGINT (the batch alone stops the run), import what
    cases need and say :data:`READY`, then solve the cases it is sent until it gets None or
    its parent has gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    warm_up()
    try:
        connection.send(READY)
    except OSError:
        return
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        outcome = solve_case(job)
        try:
            connection.send(outcome)
        except OSError:
            return


def _leave(number: int, frame: object) -> None:
    """SIGTERM in a worker: exit through Python, so that its exit handlers release what it
    holds (Pyomo's import creates a semaphore, which a plain SIGTERM would leak)."""
    raise SystemExit(0)


def warm_up() -> None:
    """Import the model families, Pyomo, HiGHS (one thread per process: the cores are the
    cases') and the workbook writers, so that a worker is given cases only once it can start
    on them at once; a failure here is left for the first case to report."""
    import importlib

    with contextlib.suppress(Exception):  # the case that needs the module says what is wrong
        from fairpool.models import FAMILY_NAMES
        from fairpool.optimizer.solve import pin_threads

        pin_threads(1)
        for name in FAMILY_NAMES:
            importlib.import_module(f"fairpool.models.{name}")
        importlib.import_module("pyomo.environ")
        importlib.import_module("fairpool.reports.excel")
        importlib.import_module("fairpool.optimizer.workbook.explicit")


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    job: CaseJob | None = None
    ready: bool = False
    alive: bool = True


class CasePool:
    """``count`` spawned processes, each solving one case at a time over a pipe of its own.

    A worker is given cases once it says it is ready (a spawned process needs a second or
    two to import the models): until then the batch's own process solves them, so a small
    batch is not slowed by starting workers. The pool knows which case each worker holds,
    so a worker that dies (killed, out of memory, crashed) fails that case alone, with how
    the process ended, and a new worker replaces it. Use as a context manager: leaving it
    ends every worker (at once on an error or Ctrl-C).
    """

    def __init__(self, count: int) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._started = 0
        self._workers = [self._start() for _ in range(count)]

    def _start(self) -> _Worker:
        self._started += 1
        here, there = self._context.Pipe()
        with sigint_blocked():  # the worker inherits the mask until it ignores SIGINT
            process = self._context.Process(
                target=serve_cases,
                args=(there,),
                name=f"fairpool-case-{self._started}",
                daemon=True,
            )
            process.start()
        there.close()
        return _Worker(process, here)

    def __enter__(self) -> CasePool:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:  # ready workers hold no case now: they finish at once
            for worker in self._workers:
                if worker.ready and worker.alive:
                    with contextlib.suppress(OSError):
                        worker.connection.send(None)
                    worker.process.join(timeout=10)
        for worker in self._workers:
            if worker.process.exitcode is None:
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.exitcode is None:  # deep in a solve: SIGTERM waits for it
                worker.process.kill()
                worker.process.join()
            worker.connection.close()

    @property
    def busy(self) -> int:
        """Workers holding a case."""
        return sum(worker.job is not None for worker in self._workers)

    @property
    def idle(self) -> int:
        """Workers ready for a case."""
        return sum(w.alive and w.ready and w.job is None for w in self._workers)

    def submit(self, job: CaseJob) -> None:
        """Hand ``job`` to an idle worker (there must be one: see :attr:`idle`)."""
        worker = next(w for w in self._workers if w.alive and w.ready and w.job is None)
        worker.job = job
        with contextlib.suppress(OSError):  # it died: collect() reports it with this job
            worker.connection.send(job)

    def collect(
        self, timeout: float | None = None, also: Connection | None = None
    ) -> list[CaseOutcome]:
        """The outcomes of the cases finished within ``timeout`` seconds (maybe none; sooner
        when ``also`` becomes readable or a worker becomes ready); a worker that died gives
        its case a ``crashed`` row and is replaced."""
        watched: list[Any] = [also] if also is not None else []
        living = [worker for worker in self._workers if worker.alive]
        for worker in living:
            watched += [worker.connection, worker.process.sentinel]
        ready = set(wait(watched, timeout)) if watched else set()
        outcomes: list[CaseOutcome] = []
        for worker in living:
            if worker.connection in ready or worker.process.sentinel in ready:
                outcomes += self._hear(worker)
        return outcomes

    def _hear(self, worker: _Worker) -> list[CaseOutcome]:
        """What a worker said (ready, or its case's outcome), or that it died."""
        from fairpool.optimizer.coalitions.workers import how_it_ended

        try:
            if not worker.connection.poll():  # the process ended without a word
                raise EOFError
            said = worker.connection.recv()
        except (EOFError, OSError):
            worker.alive = False
            worker.process.join(timeout=10)
        else:
            if said == READY:
                worker.ready = True
                return []
            worker.job = None
            return [said]
        job, worker.job = worker.job, None
        if job is None:  # it held no case (it died starting): the others carry on
            return []
        message = (
            f"{job.path}: the process solving this case {how_it_ended(worker.process.exitcode)}"
        )
        shutil.rmtree(job.staging, ignore_errors=True)
        worker.connection.close()
        self._workers[self._workers.index(worker)] = self._start()
        return [CaseOutcome(CaseRow(case=job.label, error=message))]


def run_shared(
    jobs: Sequence[CaseJob],
    count: int,
    record: Callable[[CaseOutcome], None],
    tick: Callable[[], None],
) -> None:
    """Run ``jobs`` in this process *and* on ``count − 1`` worker processes, handing each
    outcome to ``record`` as it comes and calling ``tick`` between cases (at least every
    second while this process waits).

    The workers take the largest inputs first, as soon as they are ready; this process takes
    the smallest one left whenever no worker is free, and looks at the workers between its
    cases. So it starts at once while the workers are still starting (a spawned worker needs
    a second or two to import the models), a small batch is not slowed by them, and a long
    case does not start last; a worker waits at most one of the smallest cases for its next
    one. One thread only: Ctrl-C stops this process's case where it is.
    """
    from fairpool.optimizer.solve import pin_threads

    pin_threads(1)  # one HiGHS thread here too: the cores are the cases'
    pending = deque(sorted(jobs, key=_input_size, reverse=True))
    with CasePool(count - 1) as pool:
        while pending or pool.busy:
            for outcome in pool.collect(timeout=0):
                record(outcome)
            while pending and pool.idle:
                pool.submit(pending.popleft())
            if pending:
                record(solve_case(pending.pop()))
            else:
                for outcome in pool.collect(timeout=1.0):
                    record(outcome)
            tick()


def _input_size(job: CaseJob) -> int:
    try:
        return job.path.stat().st_size
    except OSError:
        return 0
