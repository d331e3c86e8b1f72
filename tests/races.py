"""Requests at the same instant: an app whose pool gives every thread a connection of its own, and threads that a
barrier releases together."""
from __future__ import annotations

import threading
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Callable, Iterator, Sequence

from flask import Flask

from outreach.app import create_app
from outreach.extensions import db
from tests.conftest import TEST_CONFIG


@contextmanager
def racing_app(database_url: str, connections: int) -> Iterator[Flask]:
    """A second app on the test database with `connections` connections in its pool (and a few more)."""
    racing = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                         "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": connections, "max_overflow": 5,
                                                       "pool_timeout": 60}})
    try:
        yield racing
    finally:
        with racing.app_context():
            db.engine.dispose()


def together(jobs: Sequence[Callable[[], object]],
             around: Callable[[], AbstractContextManager] = nullcontext) -> list[str]:
    """Run each job in a thread of its own, inside `around()` (entered before the start), all released at the same
    moment by a barrier; returns the errors raised (the test asserts there are none, or which)."""
    barrier = threading.Barrier(len(jobs))
    errors: list[str] = []

    def run(job: Callable[[], object]) -> None:
        try:
            with around():
                barrier.wait(timeout=60)
                job()
        except Exception as error:  # reported by the test
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return errors
