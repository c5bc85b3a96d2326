"""The Dask executor gives the same records as a local run, in input order, on a loopback cluster."""
from __future__ import annotations

import sys

import pytest

from ocr_labels.api import ScanOptions, scan_files
from ocr_labels.errors import MissingEngineError
from ocr_labels.executors import DaskClusterError, MissingDaskError, scan_files_dask, scheduler_address
from tests.labels import WHIRLPOOL, draw_label, write_jpeg

GE = ["GE APPLIANCES", "MODEL GTW465ASN0WW", "SERIAL AT123456G"]


@pytest.fixture(scope="module")
def cluster():
    import distributed  # in the test extra: a missing install fails, as a missing Tesseract does
    # loopback only: nothing listens on any other address, and no dashboard
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, worker_dashboard_address=None)
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask-labels")
    paths = []
    write_jpeg(d / "whirlpool.jpg", draw_label(WHIRLPOOL))
    paths.append(d / "whirlpool.jpg")
    (d / "empty.jpg").write_bytes(b"")
    paths.append(d / "empty.jpg")
    write_jpeg(d / "whirlpool-tilted.jpg", draw_label(WHIRLPOOL, angle=4))
    paths.append(d / "whirlpool-tilted.jpg")
    (d / "notes.png").write_text("not an image at all\n")
    paths.append(d / "notes.png")
    write_jpeg(d / "ge.jpg", draw_label(GE))
    paths.append(d / "ge.jpg")
    return paths


def _comparable(records):
    out = []
    for r in records:
        d = r.to_dict()
        del d["seconds"]
        out.append(d)
    return out


def test_dask_records_equal_local_run(tesseract, cluster, files):
    options = ScanOptions()
    local = list(scan_files(files, options))
    remote = list(scan_files_dask(files, options, scheduler=cluster.scheduler_address))
    assert _comparable(remote) == _comparable(local)
    assert [r.file for r in remote] == [str(f) for f in files]
    assert [r.ok for r in remote] == [True, False, True, False, True]
    assert remote[0].model == "WFW4720RW0" and remote[0].serial == "CD3700848"


def test_dask_keeps_input_order_with_small_window(tesseract, cluster, files, monkeypatch):
    """With one task in flight at a time and many more files than workers, order still holds."""
    import distributed

    import ocr_labels.executors as ex

    monkeypatch.setattr(ex, "TASKS_PER_THREAD", 1)
    many = [files[i % len(files)] for i in (1, 3, 1, 3, 0, 1, 3)]
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        records = list(scan_files_dask(many, ScanOptions(), client=client))
        assert client.status == "running"  # a client we gave is not closed
    assert [r.file for r in records] == [str(f) for f in many]


def test_dask_stopping_early_cancels_the_rest(tesseract, cluster, files):
    """The first record comes before the batch is done; closing the generator takes the
    remaining tasks off the cluster and leaves a given client usable."""
    import distributed

    many = [files[0]] + [files[i % 2 * 2 + 1] for i in range(20)]
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        records = scan_files_dask(many, ScanOptions(), client=client)
        first = next(records)
        records.close()
        assert first.file == str(files[0]) and first.serial == "CD3700848"
        assert client.submit(sum, [1, 2]).result() == 3


def test_dask_task_failure_becomes_error_record(tesseract, cluster, files, monkeypatch):
    import distributed

    import ocr_labels.executors as ex

    def boom(path, options):
        if path.endswith("ge.jpg"):
            raise RuntimeError("worker fell over")
        from ocr_labels.api import scan_file

        return scan_file(path, options)

    monkeypatch.setattr(ex, "scan_file", boom)
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        records = list(scan_files_dask(files, ScanOptions(), client=client))
    assert [r.file for r in records] == [str(f) for f in files]
    assert records[-1].error == "dask: RuntimeError: worker fell over"
    assert records[0].ok and records[0].serial == "CD3700848"


def test_worker_not_set_up_stops_the_run_before_any_record(tesseract, cluster, files, tmp_path):
    missing = tmp_path / "no-such-patterns"
    with pytest.raises(DaskClusterError, match=r"Dask worker tcp://127\.0\.0\.1:\d+ is not set up: .*no-such-patterns"):
        list(scan_files_dask(files, ScanOptions(patterns=(str(missing),)), scheduler=cluster.scheduler_address))


def test_missing_distributed_gives_clear_error(monkeypatch, files):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingDaskError) as err:
        list(scan_files_dask(files, ScanOptions(), scheduler="tcp://127.0.0.1:8786"))
    assert isinstance(err.value, MissingEngineError) and err.value.exit_code == 2
    assert "pip install 'ocr-labels[dask]'" in str(err.value)


def test_unreachable_scheduler_is_a_clear_error(files):
    # a loopback port nobody listens on (port 1 is privileged and unused)
    with pytest.raises(DaskClusterError, match="cannot reach the Dask scheduler"):
        list(scan_files_dask(files, ScanOptions(), scheduler="tcp://127.0.0.1:1", connect_timeout=2))


def test_scheduler_required_without_client(files):
    with pytest.raises(DaskClusterError, match="--scheduler"):
        list(scan_files_dask(files, ScanOptions()))


@pytest.mark.parametrize("given, full", [
    ("10.0.0.5", "tcp://10.0.0.5:8786"),
    ("10.0.0.5:9000", "tcp://10.0.0.5:9000"),
    ("tcp://sched.lan:8786", "tcp://sched.lan:8786"),
    ("[::1]", "tcp://[::1]:8786"),
])
def test_scheduler_address_fills_scheme_and_port(given, full):
    assert scheduler_address(given) == full


@pytest.mark.parametrize("bad", ["foo://x:1", "host:notaport"])
def test_bad_scheduler_address_is_a_usage_error(bad):
    with pytest.raises(DaskClusterError, match="bad Dask scheduler address") as err:
        scheduler_address(bad)
    assert err.value.exit_code == 2
