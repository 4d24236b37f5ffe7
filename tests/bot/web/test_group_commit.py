"""GroupCommit: concurrent submits share flushes, keep their own results, share a failure."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.web.group_commit import GroupCommit


def _run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def echo(items: list[int]) -> list[int]:
    return items


def test_each_caller_gets_its_own_result_and_load_makes_batches() -> None:
    sizes: list[int] = []

    async def flush(items: list[int]) -> list[int]:
        sizes.append(len(items))
        await asyncio.sleep(0.01)  # a commit: others pile up meanwhile
        return [i * 10 for i in items]

    async def main() -> list[int]:
        writer: GroupCommit[int, int] = GroupCommit(flush, max_batch=50, max_flushers=2)
        return list(await asyncio.gather(*(writer.submit(i) for i in range(120))))

    results = _run(main())
    assert results == [i * 10 for i in range(120)]
    assert sum(sizes) == 120
    assert max(sizes) == 50  # capped
    assert len(sizes) < 10  # batched, not one flush per item


def test_a_lone_request_is_flushed_at_once() -> None:
    async def main() -> float:
        writer: GroupCommit[int, int] = GroupCommit(echo)
        started = time.perf_counter()
        await writer.submit(1)
        return time.perf_counter() - started

    assert _run(main()) < 0.5  # no timer waits for company


def test_a_failed_flush_fails_every_request_of_its_batch_only() -> None:
    calls = 0

    async def flush(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if 13 in items:
            raise RuntimeError("database down")
        return items

    async def main() -> list[object]:
        writer: GroupCommit[int, int] = GroupCommit(flush, max_batch=1, max_flushers=1)
        return list(
            await asyncio.gather(*(writer.submit(i) for i in (12, 13, 14)), return_exceptions=True)
        )

    results = _run(main())
    assert results[0] == 12 and results[2] == 14
    assert isinstance(results[1], RuntimeError)
    assert calls == 3


def test_at_most_max_flushers_run_at_once() -> None:
    running = peak = 0

    async def flush(items: list[int]) -> list[int]:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.005)
        running -= 1
        return items

    async def main() -> None:
        writer: GroupCommit[int, int] = GroupCommit(flush, max_batch=3, max_flushers=2)
        await asyncio.gather(*(writer.submit(i) for i in range(40)))

    _run(main())
    assert peak == 2


def test_a_flush_returning_the_wrong_count_is_an_error_not_a_wrong_answer() -> None:
    async def main() -> None:
        async def short(items: list[int]) -> list[int]:
            return items[:-1]

        writer: GroupCommit[int, int] = GroupCommit(short)
        await writer.submit(1)

    with pytest.raises(RuntimeError, match="0 results for 1"):
        _run(main())


def test_a_caller_that_goes_away_does_not_take_its_item_out_of_the_batch() -> None:
    flushed: list[int] = []

    async def flush(items: list[int]) -> list[int]:
        await asyncio.sleep(0.05)
        flushed.extend(items)
        return items

    async def main() -> None:
        writer: GroupCommit[int, int] = GroupCommit(flush)
        task = asyncio.create_task(writer.submit(7))
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0.2)

    _run(main())
    assert flushed == [7]


def test_drain_waits_for_the_batches_in_flight() -> None:
    stored: list[int] = []

    async def flush(items: list[int]) -> list[int]:
        await asyncio.sleep(0.05)
        stored.extend(items)
        return items

    async def main() -> None:
        writer: GroupCommit[int, int] = GroupCommit(flush)
        task = asyncio.ensure_future(writer.submit(1))
        await asyncio.sleep(0)  # the flush has started
        task.cancel()  # the client hung up
        await writer.drain()  # a graceful shutdown still stores it

    _run(main())
    assert stored == [1]
