"""SQLite writers of one process take turns on a lock (``_db._WriterTurn``) instead of
polling SQLite's busy handler; the turn is given back however a transaction ends."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from edc_issue.service._db import make_engine

_meta = MetaData()
_rows = Table("rows", _meta, Column("n", Integer, primary_key=True))


def _engines(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    _meta.create_all(engine)
    return engine, make_engine(url, readonly=True)


def test_concurrent_writers_all_commit_quickly(tmp_path: Path) -> None:
    engine, _ = _engines(tmp_path)
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(25):
                with engine.begin() as conn:
                    conn.execute(insert(_rows).values(n=k * 1000 + i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(16)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(_rows)).scalar() == 400
    # no writer left waiting for a turn (the bound is loose: this is not a speed test)
    assert time.perf_counter() - started < 20


def test_the_turn_is_given_back_after_an_error_and_a_rollback(tmp_path: Path) -> None:
    engine, _ = _engines(tmp_path)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(insert(_rows).values(n=1))
        raise RuntimeError("boom")
    with engine.connect() as conn:  # autobegin, then an explicit rollback
        conn.execute(insert(_rows).values(n=2))
        conn.rollback()
    with engine.connect() as conn:  # autobegin, closed without commit
        conn.execute(insert(_rows).values(n=3))
    done = threading.Event()

    def other() -> None:
        with engine.begin() as conn:
            conn.execute(insert(_rows).values(n=4))
        done.set()

    threading.Thread(target=other).start()
    assert done.wait(10), "a writer waited for a turn nobody held"
    with engine.connect() as conn:
        assert [r.n for r in conn.execute(select(_rows.c.n))] == [4]


def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    engine, reader = _engines(tmp_path)
    with engine.begin() as conn:
        conn.execute(insert(_rows).values(n=1))
        with reader.connect() as read:  # WAL: the committed state, at once
            assert read.execute(select(func.count()).select_from(_rows)).scalar() == 0


def _locked_elsewhere(lock_file: Path) -> bool:
    """Whether another open file description (as another process has) holds the flock."""
    fcntl = pytest.importorskip("fcntl")
    with lock_file.open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


def test_the_processes_of_a_host_take_turns_on_a_file_lock(tmp_path: Path) -> None:
    # the writers of other processes (uvicorn --workers) wait on this flock, not in
    # SQLite's busy handler
    engine, readonly = _engines(tmp_path)
    lock_file = tmp_path / "db.sqlite.writer-lock"
    with engine.begin() as conn:
        conn.execute(insert(_rows).values(n=1))
        assert _locked_elsewhere(lock_file)
    assert not _locked_elsewhere(lock_file)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(insert(_rows).values(n=2))
        raise RuntimeError
    assert not _locked_elsewhere(lock_file)  # given back after a rollback too
    with readonly.connect() as conn:
        conn.execute(select(func.count()).select_from(_rows)).scalar_one()
        assert not _locked_elsewhere(lock_file)  # readers never take it


def test_a_writer_waits_for_another_process_then_goes_on(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    engine, _ = _engines(tmp_path)
    lock_file = tmp_path / "db.sqlite.writer-lock"
    done: list[float] = []
    with lock_file.open("a") as other:  # "another process" holds the turn for 0.3 s
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        started = time.perf_counter()

        def write() -> None:
            with engine.begin() as conn:
                conn.execute(insert(_rows).values(n=3))
            done.append(time.perf_counter() - started)

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)
        assert not done  # still waiting for the turn
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        writer.join(timeout=10)
    assert done and done[0] >= 0.3
