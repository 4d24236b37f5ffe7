"""Group commit: many concurrent requests, one transaction and one Redis round trip per batch.

Each webhook used to pay for its own INSERT, COMMIT (a disk flush) and enqueue. Under a burst
they now queue here; a flusher takes everything that is waiting (up to `max_batch`), stores it
in one call, and answers each request with its own result. At low load a batch is a single
request, so latency does not grow; under load batches grow by themselves, because requests
pile up while the previous batch commits.

A request is answered only after its batch committed: an acknowledged report is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Batch `submit()` calls into awaited calls of `flush(items) -> results`.

    `flush` must return one result per item, in order, or raise; its exception then goes to
    every request of that batch. At most `max_flushers` batches are in flight at once, so that
    one batch can commit while the next is being built.
    """

    def __init__(
        self,
        flush: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        *,
        max_batch: int = 200,
        max_flushers: int = 2,
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._max_flushers = max_flushers
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flushers = 0
        # Strong references: the loop keeps only weak ones to running tasks.
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.items = 0

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._flushers < self._max_flushers:
            self._flushers += 1
            self._track(asyncio.create_task(self._run()))
        # Shielded: a client that hangs up does not take its report out of a batch in flight.
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """Wait until every batch submitted so far is stored (a graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._flush_batch(batch)
        finally:
            self._flushers -= 1

    async def _flush_batch(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        items = [item for item, _ in batch]
        try:
            results = await self._flush(items)
            if len(results) != len(items):
                raise RuntimeError(f"flush returned {len(results)} results for {len(items)}")
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self.batches += 1
        self.items += len(items)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
