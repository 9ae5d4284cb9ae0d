"""One deployment (demo database, 40 households) for every fault test in a test process: the
tests share the ``faults`` xdist group, so they run one after the other on one worker."""

from __future__ import annotations

import pytest

from fault_support import Deployment, deploy


@pytest.fixture(scope="session")
def deployment(tmp_path_factory) -> Deployment:
    yield from deploy(tmp_path_factory.mktemp("faults"))
