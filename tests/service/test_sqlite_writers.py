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
