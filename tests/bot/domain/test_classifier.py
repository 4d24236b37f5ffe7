# ruff: noqa: E501  (example messages are kept on one line each, as people send them)
"""Classifier tests on hand-written messages (not corpus sentences), written from the advice
sources: each family in French (with and without accents, SMS style) and English, genuine
messages that must stay `unknown`, and the `acted` flag."""

from __future__ import annotations

import pytest

from bot.domain.classifier import Channel, Classification, classify
from bot.domain.indicators import extract


def run(text: str, channel: Channel = "sms") -> Classification:
    indicators = extract(text)
    reported = indicators.numbers[0] if indicators.numbers else None
    return classify(text, indicators, reported, channel)


SCAMS: list[tuple[str, str, Channel]] = [
    # health_insurance: no request for bank details; Vitale is free and never expires.
    (
        "health_insurance",
        "ASSURANCE MALADIE: votre carte Vitale arrive a expiration, commandez la nouvelle (2,49€ de frais) sur vitale-nouvelle.test",
        "sms",
    ),
    (
        "health_insurance",
        "je viens de recevoir ça : « Ameli - un remboursement de 63,10 € vous attend, confirmez votre RIB ici https://ameli-remboursement.xyz »",
        "sms",
    ),
    (
        "health_insurance",
        "Health insurance (CPAM): your carte vitale expires this week, renew it now at https://cpam-renew.test",
        "sms",
    ),
    (
        "health_insurance",
        "appel du 06 12 34 56 78 qui dit etre de la cpam et me demande mon numero de secu",
        "call",
    ),
    # bank: courier, validate-to-cancel, codes, call a 09 number.
    (
        "bank",
        "Banque: opération suspecte de 1290€ sur votre compte. Si ce n'est pas vous, appelez le service fraude au 09 70 00 11 22",
        "sms",
    ),
    (
        "bank",
        "un faux conseiller de ma banque m'a dit qu'un coursier passerait chercher ma carte bancaire",
        "call",
    ),
    (
        "bank",
        "Your bank card has been suspended after unusual activity. Confirm your card details: https://secure-bank-verify.test",
        "sms",
    ),
    # parcel: small fees by SMS, redelivery.
    (
        "parcel",
        "Colis en attente: frais de livraison impayes 1.99 EUR, reglez avant ce soir sur colis-suivi.test",
        "sms",
    ),
    (
        "parcel",
        "Your parcel could not be delivered. A 2.10 EUR redelivery fee is due: https://parcel-redeliver.test",
        "sms",
    ),
    (
        "parcel",
        "slt c le livreur, ton colis est bloque au depot, paye les frais de port stp bit.ly/xx12",
        "sms",
    ),
    # training_account: CPF rights do not expire; canvassing is banned.
    (
        "training_account",
        "Vos droits CPF de 1 800€ expirent le 31/12 ! Utilisez-les vite : cpf-formation.test",
        "sms",
    ),
    (
        "training_account",
        "Your CPF balance will expire soon, claim your free training now: cpf-claim.test",
        "sms",
    ),
    # fine: ANTAI late-payment SMS are fake.
    (
        "fine",
        "ANTAI : votre amende de 35€ est impayee, evitez la majoration en reglant sur antai-amende.test",
        "sms",
    ),
    (
        "fine",
        "Unpaid parking fine: pay 45 EUR within 24h to avoid a penalty: https://fine-pay.test",
        "sms",
    ),
    # tax: DGFiP never asks for bank data by SMS.
    (
        "tax",
        "Impots.gouv : vous avez droit a un remboursement de 210€. Saisissez vos coordonnees bancaires sur impots-gouv.info",
        "sms",
    ),
    (
        "tax",
        "DGFiP: a tax refund of 180 EUR is waiting for you, confirm your bank details: https://refund-dgfip.test",
        "sms",
    ),
    # benefits: CAF only through caf.fr and 3230, cheque energie needs no activation.
    (
        "benefits",
        "CAF : votre allocation est suspendue, mettez a jour votre dossier sur caf-dossier-maj.test",
        "sms",
    ),
    (
        "benefits",
        "Cheque energie : activez votre cheque de 150€ avant vendredi sur activation-cheque.test",
        "sms",
    ),
    (
        "benefits",
        "France Travail: your allowance payment is on hold, confirm your bank details at francetravail-pay.test",
        "sms",
    ),
    # utility_telecom: no bank details or codes by SMS.
    (
        "utility_telecom",
        "EDF : votre facture d'electricite n'a pas ete reglee, evitez la coupure, regularisez ici edf-facture.test",
        "sms",
    ),
    (
        "utility_telecom",
        "SFR: your phone bill payment failed, update your card within 24h to avoid suspension: sfr-bill.test",
        "sms",
    ),
    # family_impersonation.
    (
        "family_impersonation",
        "Coucou maman c'est moi, j'ai perdu mon telephone, voici mon nouveau numero, ecris moi sur whatsapp",
        "sms",
    ),
    (
        "family_impersonation",
        "Hi Dad it's me, my phone is broken, this is my new number. Can you send me 300 € today?",
        "sms",
    ),
    # callback_premium: 089x or a one-ring foreign call.
    (
        "callback_premium",
        "Un colis vous attend, appelez vite le 08 99 12 34 56 pour fixer la livraison",
        "sms",
    ),
    ("callback_premium", "+223 70 12 34 56 m'a appele une sonnerie puis raccroche", "call"),
    ("callback_premium", "missed call from +216 20 123 456, it rang once", "call"),
    # fake_authority.
    (
        "fake_authority",
        "GENDARMERIE : une plainte a ete deposee contre vous, consultez votre convocation sur convocation-gend.test",
        "sms",
    ),
    (
        "fake_authority",
        "Police: an arrest warrant was issued in your name. Reply within 24h to avoid prosecution: police-case.test",
        "sms",
    ),
    # job_offer.
    (
        "job_offer",
        "Recrutement : emploi a domicile, 200€ par jour pour liker des videos, contactez-nous sur WhatsApp",
        "sms",
    ),
    (
        "job_offer",
        "Hello, we are hiring! Remote job, earn 300 USD daily, 1 hour a day. Reply to join",
        "sms",
    ),
    # investment.
    (
        "investment",
        "Placement crypto garanti +12% par mois, sans risque ! Investissez des 250€ sur crypto-gain.test",
        "sms",
    ),
    (
        "investment",
        "Guaranteed returns: invest 250 EUR in our bitcoin trading platform, 30% monthly: btc-profit.test",
        "sms",
    ),
    # romance.
    (
        "romance",
        "Mon coeur, je suis militaire en mission, j'ai besoin de 900€ pour mon billet d'avion pour venir te voir. Je t'aime",
        "sms",
    ),
    (
        "romance",
        "My love, I met you on a dating site and I need money for my flight ticket, please send 700 EUR",
        "sms",
    ),
]


@pytest.mark.parametrize(
    ("family", "text", "channel"), SCAMS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SCAMS)]
)
def test_scam_family(family: str, text: str, channel: Channel) -> None:
    result = run(text, channel)
    assert result.family == family, result.reasons
    assert result.reasons


GENUINE: list[tuple[str, Channel]] = [
    ("Votre code de verification est 381992. Ne le communiquez a personne.", "sms"),
    (
        "Code de sécurité 447120 pour finaliser votre achat. Ne le partagez jamais, même avec votre banque.",
        "sms",
    ),
    ("Your security code is 902311. Do not share it with anyone.", "sms"),
    (
        "Rappel : rendez-vous le 12/03 a 9h30 chez le dentiste. En cas d'empêchement, merci d'appeler le cabinet.",
        "sms",
    ),
    ("Appointment reminder: Dr Lee, Tuesday 4pm.", "sms"),
    (
        "Assurance Maladie : votre relevé de remboursements est disponible dans votre compte sur ameli.fr",
        "sms",
    ),
    ("de 38455 : votre chèque énergie a été envoyé, utilisez-le sur chequeenergie.gouv.fr", "sms"),
    ("Impots : votre declaration en ligne est ouverte jusqu'au 22/05 sur impots.gouv.fr", "sms"),
    ("Salut c'est Marc, on se retrouve à 19h devant le ciné ?", "sms"),
    ("01 45 67 89 10", "call"),
    (
        "je viens de recevoir ça : Ameli : votre remboursement de 25€ a été versé. Détail sur ameli.fr",
        "sms",
    ),
    ("Your order #4412 has shipped and will be delivered Friday. Track it in the app.", "sms"),
    (
        "BNP Paribas : connexion depuis un nouvel appareil. Si ce n'est pas vous, contactez votre conseiller.",
        "sms",
    ),
    ("Orange: votre facture de mars est disponible dans votre espace client.", "sms"),
]


@pytest.mark.parametrize(("text", "channel"), GENUINE)
def test_genuine_stays_unknown(text: str, channel: Channel) -> None:
    assert run(text, channel).family == "unknown"


def test_official_reported_number_gives_its_reason() -> None:
    result = run("message vocal : rappelez le 3646 pour votre dossier", "call")
    assert result.family == "unknown"
    assert "official_number:3646" in result.reasons


def test_reasons_name_the_signals() -> None:
    result = run(
        "Ameli: remboursement en attente, confirmez vos coordonnees bancaires sur ameli-remboursement.xyz"
    )
    assert "lookalike_domain:ameli" in result.reasons
    assert "asks_bank_details" in result.reasons
    premium = run("Votre colis est bloque, appelez le 0899 11 22 33")
    assert "premium_callback:0899" in premium.reasons


def test_brand_on_a_06_number_is_a_claimed_sender() -> None:
    result = run("de 06 11 22 33 44 : AMELI votre dossier est incomplet")
    assert "mobile_sender_claims:ameli" in result.reasons


def test_brand_with_a_link_off_its_domain() -> None:
    result = run("Assurance Maladie : mettez a jour votre dossier sur https://tinyurl.com/abc123")
    assert result.family == "health_insurance"
    assert "link_off_official:ameli" in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "j'ai cliqué sur le lien et rentré ma carte : Colis en attente, frais 1,99€ sur colis-x.test",
        "jai payé 2€ : votre colis attend, frais de port sur colis-x.test",
        "I clicked and paid: your parcel is on hold, pay 1.99 EUR fee at parcel-x.test",
        "I gave my code to the bank advisor who called",
        "J'AI DONNÉ MA CARTE au livreur pour les frais",
    ],
)
def test_acted(text: str) -> None:
    assert run(text).acted


@pytest.mark.parametrize(
    "text",
    [
        "je n'ai pas cliqué : colis en attente, frais 1,99€ sur colis-x.test",
        "Votre code de verification est 381992. Ne le communiquez a personne.",
    ],
)
def test_not_acted(text: str) -> None:
    assert not run(text).acted


def test_accents_case_and_emoji_do_not_matter() -> None:
    plain = run("CPF : vos droits formation expirent demain, activez-les sur cpf-droits.test")
    fancy = run("⚠️ CPF ⚠️ Vos DROITS formation EXPIRENT demain 😱 activez-les sur cpf-droits.test")
    assert plain.family == fancy.family == "training_account"


def test_typo_still_matches() -> None:
    assert (
        run(
            "Votre remboursment d'impots de 120€ vous attend, saisissez votre carte sur impot-rembourse.test"
        ).family
        == "tax"
    )


@pytest.mark.parametrize(
    ("family", "text", "channel"),
    [
        # A premium callback beats whatever brand the voicemail claims.
        (
            "callback_premium",
            "messagerie : 'ici votre banque, un incident sur votre compte, merci de nous rappeler vite au 08 99 12 45 78'",
            "call",
        ),
        (
            "callback_premium",
            "SMS de La Poste : colis en instance, appelez le 0897 65 43 21 pour choisir un creneau",
            "sms",
        ),
        # Never send money to someone you have never met.
        (
            "romance",
            "ma soeur envoie des mandats western union a un homme qu'elle n'a jamais vu, il dit etre ingenieur en mer",
            "sms",
        ),
        (
            "romance",
            "Sweetheart I am blocked at the airport, the customs want 900 EUR for my luggage, please send it and I will repay you",
            "sms",
        ),
        (
            "romance",
            "rencontre sur un site de rencontre, il m'a convaincue d'investir 8000€ sur son appli de trading",
            "sms",
        ),
    ],
)
def test_callbacks_and_romance_money_from_the_sources(
    family: str, text: str, channel: Channel
) -> None:
    assert run(text, channel).family == family


def test_a_shop_promotion_with_its_opt_out_is_not_canvassing() -> None:
    text = "Sport2000 : -30% sur les chaussures de rando jusqu'a dimanche en magasin. STOP au 36180"
    assert run(text).family == "unknown"
