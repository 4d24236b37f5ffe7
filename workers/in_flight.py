"""Replies in flight to Twilio: a worker's pool of sends, apart from its job loop.

A send job hands its replies to this pool and returns: the job loop goes on with the next intake
batch or send job while Twilio answers, 150-300 ms later. Up to SENDER_CONCURRENCY messages are
in flight at once, all paced by the shared pacer. Replies are claimed (committed as `sending`,
see bot.services.sending) as room opens here, not all at once: a claim is a lease that runs out
(STUCK_SENDING_SECONDS), so a worker holds no more claims than it can send in a few seconds, at
most two seconds of the sender's rate and twice SENDER_CONCURRENCY. A job that brings more
waits for room.

Whatever happens to a send, the database says what to do next, without this process:
- Twilio answered: its SID or its refusal is stored at once (workers/sender.py);
- Twilio turned it away for now (429, 5xx): the reply is `queued` again and gets a job of its
  own after a backoff that grows with its attempts;
- no answer (a timeout, a dropped connection) or the process died: the reply stays `sending`,
  and once its lease has run out (STUCK_SENDING_SECONDS) the sweeper gives it a job, whose claim
  asks Twilio whether the message exists before sending it.

Bench, 2026-12-07, 2 workers of 2 loops on 2 cores, Twilio 250 ms away, 100 a second allowed,
intake and sending at once: 91-93 replies a second (94-96 once the backlog is processed), where
a send job that held its loop until Twilio answered gave 82-88 (bench/README.md).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from bot.queueing.queues import enqueue_reply_in, send_retry_delay
from bot.services import sending
from bot.services.sending import Claim
from bot.settings import get_settings
from workers.sender import ClaimLost, TransientSendError, deliver

log = logging.getLogger(__name__)


class InFlight:
    """Up to `width` sends at once, and at most `room` claims held (in flight or waiting)."""

    def __init__(self, width: int, room: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="send")
        self._room = threading.BoundedSemaphore(room)
        # When the pool is full, claim in chunks of at least this many (one transaction each)
        # rather than one by one as each send ends.
        self._chunk = max(1, room // 4)

    def send(self, reply_ids: Sequence[int]) -> int:
        """Claim these replies as room opens, a few at a time in one transaction each, and send
        them. Returns how many were claimed (the others were sent, refused or are another
        sender's)."""
        claimed = 0
        waiting = list(reply_ids)
        while waiting:
            free = self._take_room(len(waiting))
            chunk, waiting = waiting[:free], waiting[free:]
            try:
                claims = sending.claim_replies(chunk)
            except BaseException:
                self._give_room(free)
                raise
            self._give_room(free - len(claims))
            for claim in claims:
                self._pool.submit(self._send, claim)
            claimed += len(claims)
        return claimed

    def _take_room(self, wanted: int) -> int:
        """Wait for room for a chunk of claims (or `wanted`, if fewer), then take what else is
        free, up to `wanted`."""
        taken = 0
        while taken < min(wanted, self._chunk):
            self._room.acquire()
            taken += 1
        while taken < wanted and self._room.acquire(blocking=False):
            taken += 1
        return taken

    def _give_room(self, count: int) -> None:
        for _ in range(count):
            self._room.release()

    def close(self) -> None:
        """Send what was handed over, then stop (a worker's warm shutdown)."""
        self._pool.shutdown(wait=True)

    def _send(self, claim: Claim) -> None:
        try:
            log.debug("reply %s: %s", claim.reply_id, deliver(claim))
        except TransientSendError as exc:
            _retry_later(claim, send_retry_delay(claim.attempt), str(exc))
        except ClaimLost as exc:
            log.info("%s", exc)
        except Exception as exc:
            # No answer: the message may exist. Retried once the lease has run out, when a new
            # claim may take the reply and asks Twilio first.
            log.warning("reply %s: no answer from Twilio (%r)", claim.reply_id, exc)
            lease = get_settings().stuck_sending_seconds
            _retry_later(claim, lease + send_retry_delay(claim.attempt), exc.__class__.__name__)
        finally:
            self._give_room(1)


def _retry_later(claim: Claim, delay: float, why: str) -> None:
    try:
        enqueue_reply_in(claim.reply_id, delay)
        log.info("reply %s (%s): next attempt in %.0f s", claim.reply_id, why, delay)
    except Exception:
        log.exception("could not schedule reply %s again; the sweeper will", claim.reply_id)


_worker_pool: InFlight | None = None


def _new_pool() -> InFlight:
    settings = get_settings()
    width = settings.sender_concurrency
    return InFlight(
        width, room=min(2 * width, max(1, math.ceil(2 * settings.sender_rate_per_second)))
    )


@contextmanager
def sending_in_background() -> Iterator[InFlight]:
    """For a worker's life: send jobs hand their replies to one pool and return at once. On
    the way out, what was handed over is sent before the worker stops."""
    global _worker_pool
    pool = _new_pool()
    _worker_pool = pool
    try:
        yield pool
    finally:
        _worker_pool = None
        pool.close()


def send(reply_ids: Sequence[int]) -> int:
    """Send these replies: in the worker's pool, or, outside a worker (a job run by hand, a
    test), in a pool of their own that is drained before this returns. Returns how many were
    claimed."""
    if _worker_pool is not None:
        return _worker_pool.send(reply_ids)
    pool = _new_pool()
    try:
        return pool.send(reply_ids)
    finally:
        pool.close()
