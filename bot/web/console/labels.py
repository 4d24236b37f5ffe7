"""Words for the codes the console shows: scam families, statuses, number types, channels,
trends, and the classifier's reasons, in the analyst's language.

The codes stay what the data and the API say (`confirmed_scam`, `lookalike_domain:ameli`); only
what a page shows is a label. A reason keeps its detail after the colon ("Look-alike domain:
ameli"). A code with no label here is shown as it is, underscores read as spaces, so a new code
is never hidden (tests check that every family, status, flag, signal and sign has one). The
families' labels are in the rules file, beside each family.
"""

from __future__ import annotations

from bot.domain.families import UNKNOWN
from bot.domain.rules import load_rules
from bot.web.console.i18n import N_, Texts

# A scam family's label is in its table of the rules file (`label_fr`, `label_en`), so that
# adding a family changes no Python file; only `unknown`, which has no table, is here.
UNKNOWN_FAMILY = N_("Unknown")

STATUSES = {
    "new": N_("New"),
    "investigating": N_("Investigating"),
    "confirmed_scam": N_("Confirmed scam"),
    "legitimate": N_("Legitimate"),
    "dismissed": N_("Dismissed"),
}

NUMBER_TYPES = {
    "mobile": N_("Mobile (06/07)"),
    "geographic": N_("Landline (01-05)"),
    "automated": N_("Automated calls (ARCEP ranges)"),
    "voip": N_("Non-geographic (09)"),
    "freephone": N_("Freephone (0800-0805)"),
    "premium": N_("Premium rate (089x)"),
    "special": N_("Special rate (08)"),
    "short_code": N_("Short code"),
    "sender_name": N_("Sender name"),
    "foreign": N_("Foreign"),
    "other": N_("Other"),
    "invalid": N_("Invalid number, kept as received"),
    "none": N_("No number"),
}

CHANNELS = {"sms": N_("SMS"), "call": N_("Call")}

TRENDS = {
    "new": N_("new"),
    "rising": N_("rising"),
    "steady": N_("steady"),
    "falling": N_("falling"),
}

# The classifier's verdict on a report (bot.domain.classifier.Verdict).
VERDICTS = {
    "scam": N_("Scam"),
    "uncertain": N_("Uncertain"),
    "genuine_signs": N_("Signs of a genuine message"),
}

ROLES = {"analyst": N_("analyst"), "admin": N_("admin")}

# The classifier's reasons: structural flags (bot.domain.rule_scores.FLAGS), generic signals
# and each family's scam signs (config/classifier.toml).
REASONS = {
    # flags
    "official_links_only": N_("Only official links"),
    "unofficial_link": N_("Link to an unofficial site"),
    "url_shortener": N_("Shortened link"),
    "messaging_link": N_("Link to a messaging app"),
    "lookalike_domain": N_("Look-alike domain"),
    "homoglyph_domain": N_("Domain with look-alike letters"),
    "link_off_official": N_("Names a brand, links elsewhere"),
    "mobile_sender_claims": N_("An organisation writing from a mobile"),
    "premium_callback": N_("Premium-rate number to call"),
    "foreign_call": N_("Call from abroad"),
    "foreign_callback": N_("Foreign number to call back"),
    "callback_number": N_("Number to call back"),
    "callback_voip": N_("09 number to call back"),
    "official_number": N_("Official number"),
    # signals
    "asks_bank_details": N_("Asks for bank details"),
    "asks_code": N_("Asks for a code"),
    "asks_credentials": N_("Asks for credentials or ID"),
    "asks_payment": N_("Asks for a payment"),
    "safe_account": N_("Money to a “safe account”"),
    "money_promised": N_("Promises money"),
    "urgency": N_("Urgency"),
    "call_to_action": N_("Pushes to act"),
    "claimed_identity": N_("Claims to be someone"),
    "remote_access": N_("Remote access software"),
    "messaging_app": N_("Moves to a messaging app"),
    "genuine_otp": N_("Reads like a genuine one-time code"),
    "genuine_reminder": N_("Reads like a genuine reminder"),
    # scam signs, by family
    "vitale_renewal": N_("Carte Vitale renewal"),
    "rights_suspended": N_("Rights suspended"),
    "courier_card": N_("Courier to collect the card"),
    "validate_to_cancel": N_("Validate to cancel"),
    "card_blocked": N_("Card blocked"),
    "parcel_fee": N_("Parcel fee"),
    "delivery_failed": N_("Failed delivery"),
    "rights_expire": N_("Rights about to expire"),
    "canvassing": N_("Cold canvassing"),
    "late_payment": N_("Late payment"),
    "critair_sale": N_("Crit'Air sticker sale"),
    "phone_payment": N_("Payment by phone"),
    "tax_refund": N_("Tax refund"),
    "activation_lure": N_("Energy voucher to activate"),
    "payment_blocked": N_("Payments blocked"),
    "service_cut": N_("Service about to be cut"),
    "unpaid_bill": N_("Unpaid bill"),
    "technician_code": N_("Technician asking for a code"),
    "loyalty_points": N_("Loyalty points expiring"),
    "new_number": N_("New number"),
    "broken_phone": N_("Broken or lost phone"),
    "relative_needs_money": N_("Relative needs money"),
    "cannot_use_own_account": N_("Cannot use their own account"),
    "summons": N_("Summons or legal threat"),
    "pay_to_earn": N_("Pay to unlock earnings"),
    "easy_money": N_("Easy money per task or day"),
    "cv_lure": N_("CV accepted out of the blue"),
    "guaranteed_returns": N_("Guaranteed returns"),
    "recovery": N_("Recovery of lost funds"),
    "hype": N_("Hype and celebrities"),
    "withdrawal_fee": N_("Fee to withdraw funds"),
    "money_from_an_online_love": N_("Online love asking for money"),
    "stranger_affection": N_("A stranger's affection"),
    "sextortion": N_("Sextortion"),
}


def _plain(code: str) -> str:
    return code.replace("_", " ")


def label(texts: Texts, table: dict[str, str], code: str | None) -> str:
    if code is None:
        return "—"
    known = table.get(code)
    return texts.gettext(known) if known is not None else _plain(code)


def family_label(texts: Texts, code: str | None) -> str:
    """A family's label in the analyst's language, from the rules file, else its code."""
    if code is None:
        return "—"
    if code == UNKNOWN:
        return texts.gettext(UNKNOWN_FAMILY)
    for family in load_rules().families:
        if family.name == code:
            return family.labels.get(texts.lang) or _plain(code)
    return _plain(code)


def reason_label(texts: Texts, reason: str) -> str:
    """`lookalike_domain:ameli` -> "Look-alike domain: ameli"; unknown text shown as it is."""
    name, colon, detail = reason.partition(":")
    known = REASONS.get(name)
    if known is None:
        return reason if colon else _plain(reason)
    text = texts.gettext(known)
    return texts.gettext("%(label)s: %(detail)s", label=text, detail=detail) if colon else text


def feature_label(texts: Texts, feature: str) -> str:
    """A feature of the learned model (bot.domain.model.feature_names), for "main reasons"."""
    prefix, colon, value = feature.partition(":")
    if not colon:
        fixed = {
            "risk": N_("Overall risk score"),
            "has_link": N_("Contains a link"),
            "has_phone": N_("Contains a phone number"),
            "acted": N_("The reporter may have acted"),
        }
        return texts.gettext(fixed[prefix]) if prefix in fixed else _plain(prefix)
    if prefix == "word":
        return texts.gettext("word “%(word)s”", word=value)
    if prefix == "chars":
        return texts.gettext("letters “%(chars)s”", chars=value)
    if prefix == "rule":
        return texts.gettext("words of the “%(family)s” family", family=family_label(texts, value))
    if prefix == "sign":
        return texts.gettext(
            "scam signs of the “%(family)s” family", family=family_label(texts, value)
        )
    if prefix in ("flag", "signal"):
        return reason_label(texts, value)
    if prefix == "reported":
        return texts.gettext("reported number: %(type)s", type=label(texts, NUMBER_TYPES, value))
    if prefix == "channel" and value == "call":
        return texts.gettext("reported as a call")
    return feature
