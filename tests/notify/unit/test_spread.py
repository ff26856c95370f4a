"""Which SMPP bind a message goes on: a bound one with the most free room, rate permitting;
idle binds take turns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from notify.providers.smpp.spread import BindLoad, choose_bind

IDLE = BindLoad(bound=True, in_flight=0, rate_free=True)
DOWN = BindLoad(bound=False, in_flight=0, rate_free=True)


def busy(in_flight: int, rate_free: bool = True) -> BindLoad:
    return BindLoad(bound=True, in_flight=in_flight, rate_free=rate_free)


def test_no_bind_bound_is_none() -> None:
    assert choose_bind([]) is None
    assert choose_bind([DOWN, DOWN]) is None


def test_the_fewest_in_flight_wins() -> None:
    assert choose_bind([busy(3), busy(1), busy(2)]) == 1


def test_a_bind_that_is_down_is_skipped_however_idle() -> None:
    assert choose_bind([DOWN, busy(5)]) == 1


def test_a_bind_with_a_free_rate_token_beats_one_that_must_wait() -> None:
    assert choose_bind([busy(0, rate_free=False), busy(4)]) == 1


def test_when_every_rate_must_wait_the_fewest_in_flight_still_wins() -> None:
    assert choose_bind([busy(2, rate_free=False), busy(1, rate_free=False)]) == 1


def test_ties_go_to_the_first_from_start_so_idle_binds_take_turns() -> None:
    binds = [IDLE, IDLE, IDLE]
    assert [choose_bind(binds, start) for start in range(4)] == [0, 1, 2, 0]
    assert choose_bind([IDLE, DOWN, IDLE], start=1) == 2


def test_sequential_sends_on_idle_binds_cover_every_bind() -> None:
    binds = [IDLE, DOWN, IDLE, IDLE]
    turn, chosen = 0, []
    for _ in range(6):
        index = choose_bind(binds, turn)
        assert index is not None
        chosen.append(index)
        turn = index + 1
    assert chosen == [0, 2, 3, 0, 2, 3]


loads = st.builds(
    BindLoad, bound=st.booleans(), in_flight=st.integers(0, 40), rate_free=st.booleans()
)


@given(st.lists(loads, max_size=8), st.integers(0, 20))
def test_the_choice_is_bound_and_no_bound_bind_has_more_room(
    binds: list[BindLoad], start: int
) -> None:
    index = choose_bind(binds, start)
    bound = [b for b in binds if b.bound]
    if not bound:
        assert index is None
        return
    assert index is not None
    chosen = binds[index]
    assert chosen.bound
    if any(b.rate_free for b in bound):
        assert chosen.rate_free
        assert chosen.in_flight == min(b.in_flight for b in bound if b.rate_free)
    else:
        assert chosen.in_flight == min(b.in_flight for b in bound)
