"""Executors beyond one machine: the same per-photo function (``api.scan_file``) run on a Dask
distributed cluster, with records yielded in input order as they complete.

    from ocr_labels.executors import scan_files_dask
    for record in scan_files_dask(files, ScanOptions(), "tcp://10.0.0.5:8786"):
        print(record.file, record.model)

Every worker needs ocr-labels and Tesseract installed and must see the photo paths (a shared
folder); see docs/dask.md. ``distributed`` is imported only when this executor is used.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Iterator, Sequence

from .api import ScanOptions, check_setup, scan_file
from .errors import MissingEngineError, OcrLabelsError
from .records import Record

# At most this many tasks per worker thread are on the cluster at once, so that a batch of
# 100 000 photos does not flood the scheduler; more than one per thread keeps workers busy.
TASKS_PER_THREAD = 4
# At most this many times the in-flight limit may be done but not yet yielded (waiting behind a
# slow photo earlier in the input), so that the buffer kept for input order stays bounded.
BUFFER_FACTOR = 16


class MissingDaskError(MissingEngineError):
    """``--executor dask`` was asked for but ``distributed`` is not installed."""

    exit_code = 2


class DaskClusterError(OcrLabelsError, RuntimeError):
    """The scheduler cannot be reached, has no workers, or a worker is not set up."""

    exit_code = 2


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDaskError("--executor dask needs: pip install 'ocr-labels[dask]'") from None
    return distributed


DEFAULT_PORT = 8786  # what `dask scheduler` listens on


def scheduler_address(address: str) -> str:
    """``HOST``, ``HOST:PORT`` or ``tcp://HOST:PORT`` as a full address (scheme tcp and port 8786
    when left out); a malformed one raises ``DaskClusterError``."""
    from distributed.comm.addressing import parse_address, parse_host_port, unparse_address, unparse_host_port

    address = address.strip()
    if "://" not in address:
        address = f"tcp://{address}"
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            location = unparse_host_port(*parse_host_port(location, DEFAULT_PORT))
        from distributed.comm import registry

        registry.get_backend(scheme)  # an unknown scheme fails here, not deep in Client()
    except ValueError as e:
        raise DaskClusterError(f"bad Dask scheduler address {address!r}: {e}",
                               hint="give it as tcp://HOST:8786") from None
    return unparse_address(scheme, location)


def _total_threads(client) -> int:
    try:
        return sum(client.nthreads().values())
    except Exception:  # the scheduler is asked only to size the window; a hiccup is not fatal
        return 0


def _check_workers(client, options: ScanOptions) -> None:
    """Run ``check_setup`` on every connected worker: a worker without Tesseract (or that cannot
    load the pattern folders) fails the run up front, naming the worker, as it would locally."""
    results = client.run(check_setup, options, on_error="return")
    for worker, result in sorted(results.items()):
        if isinstance(result, BaseException):
            raise DaskClusterError(f"Dask worker {worker} is not set up: {result}",
                                   hint="every worker needs ocr-labels and Tesseract installed") from result


def scan_files_dask(files: Sequence[Path], options: ScanOptions = ScanOptions(), scheduler: str | None = None,
                    *, client=None, connect_timeout: float = 30.0, worker_timeout: float = 60.0) -> Iterator[Record]:
    """Records for ``files`` scanned on a Dask cluster, in input order, each yielded as soon as it
    and every file before it are done. Give the scheduler address (``tcp://host:8786``) or a
    connected ``distributed.Client`` (not closed here). The records equal those of a local
    ``api.scan_files`` run; a task that fails on the cluster (a worker died, ...) gives that file a
    record with ``error`` "dask: ..." and the batch goes on.

    Set-up problems raise before the first record: ``MissingDaskError`` when ``distributed`` is
    not installed, ``DaskClusterError`` when the scheduler cannot be reached within
    ``connect_timeout`` seconds, no worker joins within ``worker_timeout`` seconds, or a worker
    lacks Tesseract.
    """
    distributed = _import_distributed()
    if client is None and not scheduler:
        raise DaskClusterError("--executor dask needs a scheduler address: --scheduler tcp://HOST:8786")
    files = list(files)
    # The date for age_years is fixed here, so that workers in other time zones agree with us.
    if options.as_of is None:
        options = replace(options, as_of=date.today())

    own_client = client is None
    if own_client:
        scheduler = scheduler_address(scheduler)
        try:
            client = distributed.Client(scheduler, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise DaskClusterError(f"cannot reach the Dask scheduler at {scheduler}: {e}",
                                   hint="start one with 'dask scheduler' and check the address and port") from None
    futures: dict = {}  # future -> input index
    try:
        if not files:
            return
        try:
            client.wait_for_workers(1, timeout=worker_timeout)
        except (OSError, TimeoutError) as e:
            raise DaskClusterError(f"no Dask worker joined the scheduler within {worker_timeout:g} s ({e})",
                                   hint="start workers with 'dask worker tcp://HOST:8786'") from None
        _check_workers(client, options)
        yield from _run(client, distributed, files, options, futures)
    finally:
        if futures:  # the caller stopped early, or an error: take our tasks off the cluster
            try:
                client.cancel(list(futures))
            except Exception:
                pass
        if own_client:
            client.close()


def _run(client, distributed, files: list[Path], options: ScanOptions, futures: dict) -> Iterator[Record]:
    run = uuid.uuid4().hex[:12]
    limit = max(1, TASKS_PER_THREAD * _total_threads(client))
    done: dict[int, list[Record]] = {}  # finished, waiting for an earlier file to finish
    next_submit = next_yield = 0
    pending = distributed.as_completed(loop=client.loop)  # our client's loop, not a default client
    completed_since_resize = 0

    def submit_more() -> None:
        nonlocal next_submit
        while (next_submit < len(files) and len(futures) < limit
               and next_submit - next_yield < BUFFER_FACTOR * limit):
            path = str(files[next_submit])
            fut = client.submit(scan_file, path, options, key=f"ocr-labels-scan_file-{run}-{next_submit}")
            futures[fut] = next_submit
            pending.add(fut)
            next_submit += 1

    submit_more()
    while next_yield < len(files):
        fut = next(pending)
        i = futures.pop(fut)
        try:
            done[i] = list(fut.result())
        except (Exception, asyncio.CancelledError) as e:
            message = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            done[i] = [Record.failed(str(files[i]), f"dask: {message}")]
        fut.release()
        completed_since_resize += 1
        if completed_since_resize >= limit:  # workers may have joined or left
            completed_since_resize = 0
            limit = max(1, TASKS_PER_THREAD * _total_threads(client))
        while next_yield in done:
            yield from done.pop(next_yield)
            next_yield += 1
        submit_more()


__all__ = ["scan_files_dask", "scheduler_address", "MissingDaskError", "DaskClusterError"]
