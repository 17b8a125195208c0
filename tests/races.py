"""Two database writers at once, made certain (PostgreSQL: SQLite takes its write lock at BEGIN)."""

import threading

import pytest
from django.db import connection, connections, transaction


def race(hold, then):
    """Two requests arriving together, made certain: ``hold`` runs in a transaction kept open
    until ``then``, in a second connection, has finished (or a second has passed)."""
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite takes its write lock at BEGIN)")
    held, done = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                hold()
                held.set()
                done.wait(timeout=1)
        finally:
            held.set()
            connections.close_all()

    def second():
        held.wait()
        try:
            then()
        finally:
            done.set()
            connections.close_all()

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
