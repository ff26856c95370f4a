"""The provider's SMPP binds: each a session with its own window and rate limit, and how
many messages it carries now; which one takes the next message (`spread.choose_bind`)."""

from __future__ import annotations

import asyncio
import contextlib

from aiolimiter import AsyncLimiter

from notify.metrics import PROVIDER_HEALTHY, SMPP_BINDS_UP
from notify.providers.ratelimit import rate_limit

from .pdu import Reassembler
from .session import OnReceipt, OnReply, SmppConfig, SmppSession
from .spread import BindLoad, choose_bind


class Bind:
    def __init__(self, session: SmppSession, config: SmppConfig, index: int) -> None:
        self.index = index
        self.session = session
        self.window = asyncio.Semaphore(max(config.window, 1))
        self.rate: AsyncLimiter = rate_limit(config.rate_per_s)
        self.in_flight = 0  # messages on this bind, from choice to their last part's answer

    def load(self) -> BindLoad:
        return BindLoad(self.session.bound, self.in_flight, self.rate.has_capacity())


class Binds:
    """`config.binds` binds to one SMSC with the same credentials, each reconnecting on its
    own; the provider is healthy while any is bound."""

    def __init__(
        self, provider: str, config: SmppConfig, on_receipt: OnReceipt, on_reply: OnReply
    ) -> None:
        self._provider = provider
        self._changed = asyncio.Event()
        reassembler = Reassembler()
        self.all = tuple(
            Bind(
                SmppSession(
                    provider,
                    config,
                    on_receipt,
                    on_reply,
                    index=n,
                    reassembler=reassembler,
                    on_change=self._on_change,
                ),
                config,
                n,
            )
            for n in range(max(config.binds, 1))
        )
        self._turn = 0
        self._publish()

    @property
    def up(self) -> int:
        return sum(b.session.bound for b in self.all)

    def start(self) -> None:
        for bind in self.all:
            bind.session.start()

    async def stop(self) -> None:
        await asyncio.gather(*(b.session.stop() for b in self.all))

    async def wait_up(self, within_s: float, count: int = 1) -> bool:
        """True once at least `count` binds are bound, waiting up to `within_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        while self.up < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    def choose(self) -> Bind | None:
        """The bind the next message goes on, or None when none is bound."""
        index = choose_bind([b.load() for b in self.all], self._turn)
        if index is None:
            return None
        self._turn = index + 1  # idle binds take turns
        return self.all[index]

    def _on_change(self) -> None:
        self._publish()
        self._changed.set()
        self._changed = asyncio.Event()

    def _publish(self) -> None:
        up = self.up
        SMPP_BINDS_UP.set(up)
        PROVIDER_HEALTHY.labels(self._provider).set(int(up > 0))
