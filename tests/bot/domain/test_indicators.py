"""Extraction that a scammer cannot fool, and senders read in the reporter's own phrasing."""

from __future__ import annotations

import pytest

from bot.domain.indicators import extract, url_host


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Votre dossier : https://www.ameli.fr@evil.example/x", "evil.example"),
        ("voir http://ameli.fr:secure@colis-frais.test:8443/pay", "colis-frais.test"),
        ("hxxps://impots.gouv.fr@remb-dgfip.test/login", "remb-dgfip.test"),
    ],
)
def test_the_host_of_a_link_is_the_one_after_its_user_info(text: str, domain: str) -> None:
    assert extract(text).domains == [domain]


def test_url_host_reads_past_user_info_and_port() -> None:
    assert url_host("https://www.ameli.fr@evil.example:8080/x?y=1") == "evil.example"


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Renouvelez sur https://\u0430meli.fr/carte", "xn--meli-43d.fr"),  # Cyrillic а
        ("Connectez-vous : \u0456mpots-gouv.test/remb", "xn--mpots-gouv-w2i.test"),  # Cyrillic і
        ("suivi : http://xn--meli-43d.fr/x", "xn--meli-43d.fr"),
    ],
)
def test_hosts_in_look_alike_letters_are_stored_as_the_dns_sees_them(
    text: str, domain: str
) -> None:
    assert extract(text).domains == [domain]


@pytest.mark.parametrize(
    ("text", "sender"),
    [
        ("De : AMELI-INFO Votre carte Vitale expire", "AMELI-INFO"),
        ("Expéditeur : DOCTOLIB. Je ne me souvenais pas de ce rdv", "DOCTOLIB"),
        ("expéditeur affiché : LAPOSTE. Aucun frais demandé", "LAPOSTE"),
        ("c'est écrit ameli en expéditeur, avec un lien bit.ly/x", "AMELI"),
        ("c'est marqué INFO-COLIS comme expéditeur", "INFO-COLIS"),
        ("l'expéditeur c'est CHRONOPOST : votre colis", "CHRONOPOST"),
        ("envoyé par 38455 : vous avez gagné", "38455"),
        ("envoyé par le 38200 ce matin", "38200"),
        ("reçu de COLISSIMO, c'est fiable ?", "COLISSIMO"),
        ("reçu du 38455, ça a l'air bizarre", "38455"),
        ("appelé du 3646 pour ma carte Vitale", "3646"),
        ("le 3646 m'a appelé pour ma carte Vitale, c'est vraiment ameli ?", "3646"),
        ("J'ai eu un appel du 3949, c'était France Travail ?", "3949"),
        ("Le 3230 m'a rappelée suite à ma demande", "3230"),
        ("un appel en absence du 3639", "3639"),
        ("contactez le service client au 3900.", "3900"),
        ("it shows AMELI as sender", "AMELI"),
        ("Prenez rendez-vous sur ameli.fr ou au 3646.", "3646"),
        ("est-ce que le 3949 c'est bien France Travail ?", "3949"),
        ("La Caf m'a rappelé pour mon dossier. Numéro affiché : 3230", "3230"),
        ("Un conseiller m'a appelée. Numéro affiché 3960.", "3960"),
        ("3646 m'a appelé pour ma carte Vitale", "3646"),
        ("Le numero 3949 ma appeler ce matin", "3949"),
        ("Number shown: 3646, they asked for my card", "3646"),
    ],
)
def test_a_sender_is_read_in_any_phrasing(text: str, sender: str) -> None:
    assert [n.canonical for n in extract(text).numbers] == [sender]


@pytest.mark.parametrize(
    "text",
    [
        "l'expéditeur est inconnu",
        "Frais de DOSSIER, payez avant demain",
        "rappelez avant le 2025",
        "réglez 1500 € avant 12h",
        "payez le 1234 avant demain",  # a short number, but no official one
        "De : mon frère, il dit qu'il a changé de numéro",
        "AMELI : votre carte Vitale expire",  # a label of the forwarded text is not a sender
        "numéro de dossier 48213, merci",
        "numéro 1234 de commande",  # a short number after "numéro", but no official one
    ],
)
def test_words_that_only_look_like_a_sender_are_not_one(text: str) -> None:
    assert extract(text).numbers == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Écris-moi ici wa.me/33639981234 stp", "+33639981234"),
        ("https://api.whatsapp.com/send?phone=447700900123&text=hi", "+447700900123"),
        ("contact: https://wa.me/message/ABCDEF", None),
    ],
)
def test_the_number_a_chat_link_opens_is_extracted(text: str, number: str | None) -> None:
    found = extract(text)
    assert [n.canonical for n in found.numbers] == ([number] if number else [])
    assert found.domains in (["wa.me"], ["whatsapp.com"])
