"""What an SMS is, from its text and whether a report waits for its sender."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot.domain.conversation as conversation
from bot.domain.conversation import (
    KeywordSms,
    NewReportSms,
    SenderAnswer,
    clean_body,
    read_sms,
)
from bot.domain.keywords import AnyKeyword, Keyword, LanguageKeyword

FORWARDED = "Votre colis est en attente, frais de port 1,99e : colis-frais.test"
LIMIT = 4000


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", Keyword.STOP),
        ("arrêt !", Keyword.STOP),
        ("aide", Keyword.HELP),
        ("EN", LanguageKeyword("en")),
    ],
)
@pytest.mark.parametrize("awaited", [None, 7])
def test_a_keyword_is_a_keyword_whether_or_not_a_sender_is_awaited(
    text: str, keyword: AnyKeyword, awaited: int | None
) -> None:
    assert read_sms(text, awaited, LIMIT) == KeywordSms(keyword)


@pytest.mark.parametrize(
    ("answer", "canonical"),
    [("06 39 98 12 34", "+33639981234"), ("38455", "38455"), ("ameli-info", "AMELI-INFO")],
)
def test_a_sender_answers_the_waiting_report(answer: str, canonical: str) -> None:
    sms = read_sms(answer, 7, LIMIT)
    assert isinstance(sms, SenderAnswer)
    assert (sms.report_id, sms.sender.canonical, sms.body) == (7, canonical, answer)


def test_a_sender_with_no_report_waiting_is_a_new_report() -> None:
    assert read_sms("06 39 98 12 34", None, LIMIT) == NewReportSms("06 39 98 12 34")


@pytest.mark.parametrize("awaited", [None, 7])
def test_a_forwarded_text_is_a_new_report(awaited: int | None) -> None:
    assert read_sms(FORWARDED, awaited, LIMIT) == NewReportSms(FORWARDED)


@pytest.mark.parametrize("text", ["OUI", "Merci !", "idk"])
def test_a_reply_that_names_nobody_is_no_answer(text: str) -> None:
    assert isinstance(read_sms(text, 7, LIMIT), NewReportSms)


def test_every_kind_gets_the_cleaned_text() -> None:
    padded = "06 39 98 12 34" + " " * 5000 + "\x00"
    answer = read_sms(padded, 7, LIMIT)
    assert isinstance(answer, SenderAnswer)
    assert answer.body == clean_body(padded, LIMIT) and len(answer.body) == LIMIT
    report = read_sms("a\x00b" + "x" * 10_000, None, LIMIT)
    assert isinstance(report, NewReportSms)
    assert report.body == "ab" + "x" * (LIMIT - 2)
    # The keyword is read on the cleaned text too: a NUL does not hide it.
    assert read_sms("ST\x00OP", None, LIMIT) == KeywordSms(Keyword.STOP)


def test_clean_body_drops_nuls_then_cuts() -> None:
    assert clean_body("a\x00b\x00c", 2) == "ab"
    assert clean_body("", 5) == ""


def test_the_module_imports_no_framework() -> None:
    tree = ast.parse(Path(conversation.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= {"__future__", "dataclasses", "bot"}, imported
    assert not any(
        (node.module or "").startswith(("bot.services", "bot.db", "bot.web"))
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    )
