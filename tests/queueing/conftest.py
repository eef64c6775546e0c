from __future__ import annotations

import pytest

from tests.queueing.factories import QueueHall, make_queue_hall


@pytest.fixture
def qh(db) -> QueueHall:
    return make_queue_hall()
