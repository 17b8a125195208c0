"""The short version of bench/faults.py: concurrent clients on the production server and
PostgreSQL, with no fault, with a worker killed, and with PostgreSQL restarted mid-run."""

import pytest

from bench import faults

pytestmark = pytest.mark.usefixtures("postgres_binaries")


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
