"""The development SMSC sends a deliver_sm the ESME refused (a NAK: smpp34's inbound queue
was full) again after a pause, as an SMSC does, so a receipt or a reply is never dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from qorgau_local import smsc as dev_smsc
from qorgau_local.smsc import DELIVER_TRIES, DevSmsc


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dev_smsc, "REDELIVER_FIRST_S", 0.0)


@dataclass
class Answer:
    is_success: bool
    command_status: int = 0x58  # ESME_RTHROTTLED


@dataclass
class RefusingEsme:
    refusals: int
    tries: list[tuple[Any, ...]] = field(default_factory=list)

    async def deliver_sm(self, *args: Any, **kwargs: Any) -> Answer:
        self.tries.append(args)
        return Answer(len(self.tries) > self.refusals)


async def test_a_refused_deliver_sm_goes_again_until_it_is_taken() -> None:
    smsc = DevSmsc(port=0)
    esme = RefusingEsme(refusals=2)
    assert await smsc._deliver_sm(esme, "Qorgau", b"1 K7Q2")  # type: ignore[arg-type]
    assert len(esme.tries) == 3
    assert smsc.refused_deliveries == 2


async def test_one_refused_every_time_gives_up_after_the_tries() -> None:
    smsc = DevSmsc(port=0)
    esme = RefusingEsme(refusals=10**6)
    assert not await smsc._deliver_sm(esme, "Qorgau", b"1 K7Q2")  # type: ignore[arg-type]
    assert len(esme.tries) == DELIVER_TRIES
