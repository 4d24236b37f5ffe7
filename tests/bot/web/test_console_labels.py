"""Every code the console shows has words in both languages, and a reason keeps its detail."""

from __future__ import annotations

import pytest

from bot.domain.families import FAMILIES
from bot.domain.numbers import NumberType
from bot.domain.rule_scores import FLAGS, REPORTED_TYPES
from bot.domain.rules import load_rules
from bot.services.number_status import STATUSES
from bot.web.console import labels
from bot.web.console.i18n import LANGUAGES, Texts

FR, EN = Texts("fr"), Texts("en")


def test_every_family_has_a_label_in_each_language_of_the_console() -> None:
    """From its table of the rules file: adding a family changes no Python file."""
    for family in load_rules().families:
        assert set(family.labels) == set(LANGUAGES), family.name
        assert all(family.labels.values()), family.name
    assert [labels.family_label(FR, f) for f in FAMILIES][-1] == "Non classé"  # unknown


@pytest.mark.parametrize(
    ("code", "french", "english"),
    [
        ("parcel", "Colis", "Parcel"),
        ("job_offer", "Offre d’emploi", "Job offer"),
        ("unknown", "Non classé", "Unknown"),
        ("a_family_from_later", "a family from later", "a family from later"),
        (None, "—", "—"),
    ],
)
def test_a_family_reads_in_the_analysts_language(
    code: str | None, french: str, english: str
) -> None:
    assert (labels.family_label(FR, code), labels.family_label(EN, code)) == (french, english)


def test_every_status_and_number_type_has_a_label() -> None:
    assert set(STATUSES) == set(labels.STATUSES)
    assert {t.value for t in NumberType} | set(REPORTED_TYPES) <= set(labels.NUMBER_TYPES)


def test_every_reason_the_classifier_gives_has_a_label() -> None:
    rules = load_rules()
    codes = set(FLAGS) | {signal.name for signal in rules.signals}
    codes |= {sign.name for family in rules.families for sign in family.signs}
    assert codes - set(labels.REASONS) == set()


@pytest.mark.parametrize(
    ("reason", "french", "english"),
    [
        ("asks_bank_details", "Demande des coordonnées bancaires", "Asks for bank details"),
        (
            "lookalike_domain:ameli",
            "Domaine qui imite une marque\u00a0: ameli",
            "Look-alike domain: ameli",
        ),
        ("official_number:3646", "Numéro officiel\u00a0: 3646", "Official number: 3646"),
        ("money_promised", "Promet de l’argent", "Promises money"),
        ("parcel_fee", "Frais de colis", "Parcel fee"),
        ("a_code_from_later", "a code from later", "a code from later"),  # shown, never hidden
        ("asks to pay a fee", "asks to pay a fee", "asks to pay a fee"),
    ],
)
def test_a_reason_reads_in_words_and_keeps_its_detail(
    reason: str, french: str, english: str
) -> None:
    assert labels.reason_label(FR, reason) == french
    assert labels.reason_label(EN, reason) == english


@pytest.mark.parametrize(
    ("feature", "french"),
    [
        ("word:colis", "mot «\u00a0colis\u00a0»"),
        ("rule:bank", "mots de la famille «\u00a0Banque\u00a0»"),
        ("sign:parcel", "signes d’arnaque de la famille «\u00a0Colis\u00a0»"),
        ("flag:url_shortener", "Lien raccourci"),
        ("signal:urgency", "Urgence"),
        ("reported:premium", "numéro signalé\u00a0: Surtaxé (089x)"),
        ("channel:call", "signalé comme appel"),
        ("has_link", "Contient un lien"),
        ("risk", "Score de risque global"),
    ],
)
def test_the_models_features_read_in_words(feature: str, french: str) -> None:
    assert labels.feature_label(FR, feature) == french


def test_statuses_and_families_in_both_languages() -> None:
    assert labels.label(FR, labels.STATUSES, "confirmed_scam") == "Arnaque confirmée"
    assert labels.label(EN, labels.STATUSES, "confirmed_scam") == "Confirmed scam"
    assert labels.label(FR, labels.STATUSES, "investigating") == "En cours d’examen"
    assert labels.family_label(FR, "health_insurance") == "Assurance maladie"
    assert labels.family_label(EN, "utility_telecom") == "Energy and telecoms"
    assert labels.label(FR, labels.STATUSES, None) == "—"
