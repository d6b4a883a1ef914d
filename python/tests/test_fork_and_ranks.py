"""fork in a measured process (DataLoader workers) and several ranks on one node."""
import multiprocessing
import os

import greenrun
from conftest import runs_json


def _worker(n):
    # A forked worker: it may even touch the tracker it inherited.
    return sum(i * i for i in range(n))


def test_forked_children_neither_record_nor_deadlock(scratch, cli):
    with greenrun.track(project="fork", zone="DE", interval=0.01) as run:
        # Fork while the sampling thread is running, many times over.
        for _ in range(20):
            pid = os.fork()
            if pid == 0:
                try:
                    run.mark("in the child")
                    with run.phase("child"):
                        pass
                    run.epoch_end()
                    _ = run.energy
                    run.stop()
                finally:
                    os._exit(0)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(2) as pool:
            assert len(pool.map(_worker, [30000] * 8)) == 8
    rows = runs_json(cli)
    assert len(rows) == 1 and rows[0]["id"] == run.record.id
    assert [m["name"] for m in run.record.tracker["marks"]] == []
    assert run.record.tracker["process"] == os.getpid()


def test_each_rank_records_its_share_and_only_local_rank_0_the_node(scratch, cli, monkeypatch):
    records = {}
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        monkeypatch.setenv("LOCAL_RANK", str(rank))
        monkeypatch.setenv("WORLD_SIZE", "2")
        with greenrun.track(project="ddp", zone="DE", interval=0.02) as run:
            sum(i * i for i in range(100000))
        records[rank] = run.record
    r0, r1 = records[0].data, records[1].data
    assert r0["tracker"]["rank"]["local_rank"] == 0 and r1["tracker"]["rank"]["rank"] == 1
    assert r0["machine_energy_j"] > 0
    assert r1["machine_energy_j"] == 0
    assert "LOCAL_RANK 0" in r1["tracker"]["rank"]["node_energy"]
    assert r1["job_energy_j"] >= 0
    assert len(runs_json(cli)) == 2


def test_a_bad_rank_variable_is_a_value_error(scratch, monkeypatch):
    import pytest
    monkeypatch.setenv("RANK", "one")
    with pytest.raises(ValueError, match='RANK: expected a non-negative integer, got "one"'):
        greenrun.track(zone="DE").start()
