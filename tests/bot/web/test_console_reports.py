"""A report's page: the classifier's decision and reasons, and the analyst's correction."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry, Report
from bot.db.session import session_scope
from tests.console_fixtures import HOSTILE, csrf_of, seed_report, signed_in

BODY = "Ameli : remboursement de 54,20 € en attente, confirmez votre RIB sur ameli-remb.test"


def test_the_report_page_shows_the_decision_escaped_and_is_audited() -> None:
    report_id = seed_report("0639981234", HOSTILE, family="parcel")
    page = signed_in().get(f"/console/reports/{report_id}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "colis-frais[.]test" in page.text
    assert "Corriger la famille" in page.text and "Confiance" in page.text
    with session_scope() as db:
        actions = db.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == str(report_id))
        )
        assert "view_report" in list(actions)


def test_an_analyst_corrects_the_family_and_it_is_audited() -> None:
    report_id = seed_report(None, BODY, family="unknown")
    client = signed_in()
    page = client.get(f"/console/reports/{report_id}")
    response = client.post(
        f"/console/reports/{report_id}/family",
        data={"csrf_token": csrf_of(page.text), "family": "health_insurance"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Famille corrigée." in client.get(f"/console/reports/{report_id}").text
    with session_scope() as db:
        report = db.get(Report, report_id)
        assert report is not None
        assert report.family == "health_insurance" and report.predicted_family == "unknown"
        assert report.family_corrected_by == "ana@example.org"
        audit = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "report_family_corrected")
        ).one()
        assert audit.detail == {"from": "unknown", "to": "health_insurance"}


def test_a_family_that_does_not_exist_is_refused_and_nothing_changes() -> None:
    report_id = seed_report(None, BODY, family="bank")
    client = signed_in()
    page = client.get(f"/console/reports/{report_id}")
    client.post(
        f"/console/reports/{report_id}/family",
        data={"csrf_token": csrf_of(page.text), "family": "<script>"},
    )
    with session_scope() as db:
        report = db.get(Report, report_id)
        assert report is not None and report.family == "bank"
        assert report.family_corrected_at is None


def test_a_correction_needs_the_csrf_token() -> None:
    report_id = seed_report(None, BODY, family="bank")
    response = signed_in().post(
        f"/console/reports/{report_id}/family", data={"family": "tax"}, follow_redirects=False
    )
    assert response.status_code in (400, 403)
