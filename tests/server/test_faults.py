"""The short version of bench/faults.py: concurrent clients on the production server and
PostgreSQL, with no fault, with a worker killed, and with PostgreSQL restarted mid-run."""

import os
from pathlib import Path

import pytest

from bench import faults


@pytest.fixture(autouse=True)
def postgres_binaries():
    if not (Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")) / "pg_ctl").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's server binaries are missing; .ci/run installs them")
        pytest.skip("PostgreSQL's server binaries are not installed")


@pytest.mark.parametrize("mode", faults.MODES)
def test_load_with_faults_loses_and_duplicates_nothing(mode):
    figures, problems = faults.run(mode, clients=16, duration=6)
    assert problems == []
    assert figures["comments ok"] > 0
    assert figures["views ok"] > 50
    if mode == "none":
        assert figures["503"] == figures["other 5xx"] == figures["no answer"] == 0
    if mode == "restart-db":
        assert figures["other 5xx"] == 0  # while it is down: the 503 page, nothing else
