"""The crowd's signal in replies: distinct reporters of a number or a link, analysts' verdicts."""

from __future__ import annotations

import pytest

from bot.db.session import session_scope
from bot.services.domains import find_domain, set_domain_status
from tests.bot.services.test_processing import send
from tests.factories import number_id, set_status

pytestmark = pytest.mark.storage

CALL = "appel du 01 99 00 58 43, un conseiller qui veut mes codes pour annuler un virement"
COUNT_LINE = "a déjà été signalé par"


def test_the_sixth_distinct_reporter_hears_how_many_reported_the_number() -> None:
    replies = [send(CALL, sender=f"+3361111110{i}") for i in range(6)]
    bodies = [reply.body for reply in replies if reply is not None]
    assert len(bodies) == 6
    assert COUNT_LINE not in bodies[0] and COUNT_LINE not in bodies[1]
    assert "Ce numéro a déjà été signalé par 3 personnes." in bodies[2]
    assert "Ce numéro a déjà été signalé par 6 personnes." in bodies[5]


def test_one_person_reporting_ten_times_counts_once() -> None:
    for _ in range(10):
        reply = send(CALL, sender="+33611111100")
    assert reply is not None and COUNT_LINE not in reply.body


def test_a_number_judged_legitimate_never_gets_the_line_and_a_confirmed_one_says_so() -> None:
    for i in range(3):
        send(CALL, sender=f"+3361111120{i}")
    set_status(number_id("+33199005843"), "legitimate", note="the bank's own number")
    reply = send(CALL, sender="+33611111299")
    assert reply is not None and COUNT_LINE not in reply.body and "confirmée" not in reply.body
    set_status(number_id("+33199005843"), "investigating")
    set_status(number_id("+33199005843"), "confirmed_scam", note="spoofed bank")
    reply = send(CALL, sender="+33611111298")
    assert reply is not None and "Ce numéro est une arnaque confirmée." in reply.body


def test_a_link_reported_by_several_people_or_confirmed_is_named() -> None:
    text = "Votre colis attend, frais de 1,99€ sur colis-relais-frais.test/p"
    replies = [send(text, sender=f"+3361111130{i}") for i in range(3)]
    assert (
        replies[2] is not None and "Ce lien a déjà été signalé par 3 personnes." in replies[2].body
    )
    with session_scope() as session:
        domain = find_domain(session, "colis-relais-frais.test")
        assert domain is not None
        set_domain_status(session, domain, "confirmed_scam", "ana@example.org", "fake carrier")
    reply = send(text, sender="+33611111399")
    assert reply is not None and "Ce lien est une arnaque confirmée." in reply.body
    # The question "who sent it?" still fits after the line and the advice.
    assert reply.body.endswith("Répondez avec son numéro ou son nom d'expéditeur.")


def test_is_it_really_them_is_answered_without_the_sender_question() -> None:
    reply = send("le 3646 m'a appelé pour ma carte Vitale, c'est vraiment ameli ?")
    assert reply is not None
    assert "Le 3646 est bien un numéro officiel (Assurance Maladie)" in reply.body
    assert "Qui vous l'a envoyé" not in reply.body
