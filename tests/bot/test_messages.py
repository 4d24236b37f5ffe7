"""Messages that services raise or store in English, shown again in another language."""

from __future__ import annotations

from bot.messages import Translatable, parameters
from bot.services.users import LOCKED_ALERT
from bot.services.view_quota import QUOTA_ALERT


def test_a_translatable_error_reads_in_english_and_keeps_its_parts() -> None:
    error = Translatable("no account for %(email)s", email="ana@example.org")
    assert str(error) == "no account for ana@example.org"
    assert (error.msgid, error.params) == ("no account for %(email)s", {"email": "ana@example.org"})


def test_a_stored_message_gives_back_its_parameters() -> None:
    stored = QUOTA_ALERT % {"email": "ana@example.org", "quota": 200}
    assert parameters(QUOTA_ALERT, stored) == {"email": "ana@example.org", "quota": "200"}
    locked = LOCKED_ALERT % {"email": "a.b@example.org", "minutes": 15}
    assert parameters(LOCKED_ALERT, locked) == {"email": "a.b@example.org", "minutes": "15"}
    assert parameters(QUOTA_ALERT, locked) is None
    assert parameters(QUOTA_ALERT, "something else (.*) entirely") is None
