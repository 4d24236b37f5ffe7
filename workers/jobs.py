"""RQ job functions. Each takes an id, re-reads the database, and can run twice safely."""

from __future__ import annotations

import logging

from bot.db.session import session_scope
from bot.services.processing import process_sms_event
from workers import sender
from workers.queues import enqueue_reply

log = logging.getLogger(__name__)


def process_event(event_id: int) -> str:
    with session_scope() as session:
        outcome = process_sms_event(session, event_id)
    for reply_id in outcome.reply_ids:
        try:
            enqueue_reply(reply_id)
        except Exception:
            log.exception("could not enqueue reply %s; the sweeper will", reply_id)
    return outcome.action


def send_reply(reply_id: int) -> str:
    return sender.send_reply(reply_id)
