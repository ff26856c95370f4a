"""A submit's record is written until the database answers; other errors are not retried."""

from __future__ import annotations

import pytest
from notify.usecases.send_alert import durably


async def test_a_write_the_database_refused_is_tried_again_until_it_answers() -> None:
    tries: list[int] = []

    async def write() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise ConnectionResetError("the database went away")
        return "recorded"

    assert await durably(write) == "recorded"
    assert len(tries) == 3


async def test_a_write_that_answers_is_written_once_and_a_bug_is_not_retried() -> None:
    tries: list[int] = []

    async def write() -> int:
        tries.append(1)
        return len(tries)

    assert await durably(write) == 1

    async def wrong() -> None:
        tries.append(1)
        raise ValueError("not the database's fault")

    with pytest.raises(ValueError, match="not the database"):
        await durably(wrong)
    assert len(tries) == 2
