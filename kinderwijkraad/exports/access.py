"""The answer to an access request ("inzageverzoek") for one child: what the app holds about them,
as JSON (for the school board's records) and as a PDF (for the parents).

Pure renderers over the frozen `AccessExport` assembled by services/access_requests.py; enum
values come in as their stored strings ("given", "chair") and are translated here. The statements — votes are
secret, plans are team work, a first name is all the app keeps — are part of both renderings.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.exports.pdf import INK, MUTED, SANS, STRONG, Flow, KwrPDF
from kinderwijkraad.i18n import current_language, format_date, t


@dataclass(frozen=True)
class AccessExport:
    """What the app holds about one child, for the school board's answer to an access request."""

    first_name: str
    school: str
    class_name: str
    grade: int
    wijk: str
    municipality: str
    school_year: str
    phase: str  # the cycle's phase value: "council", "closed", ...
    signed_up_at: datetime
    consent: str  # "pending", "given" or "refused"
    consent_recorded_at: datetime | None
    council_role: str | None  # "chair", "secretary", "member"; None: not (or not yet) a member
    council_active: bool
    member_since: datetime | None
    meetings_attended: tuple[date, ...]
    meetings_held: int
    mentions: tuple[str, ...]  # where else the first name appears in the cycle's texts, in words
    class_plans: tuple[str, ...]  # titles of the class's plans: team work, not linked to a child
    retention_days: int
    closed_at: datetime | None  # when the cycle was closed; None while it runs
    removal_due: datetime | None  # closed_at + retention_days
    generated_at: datetime
    generated_by: str
    # The child's number in the app ("kind-17"): in the file name and the document instead of the name,
    # so two children of one class get two files that say which is which.
    reference: str = ""


STATEMENTS = ("name_only", "votes", "plans", "consent_slip", "retention", "roles")


def statements(export: AccessExport) -> dict[str, str]:
    """The explanations both renderings carry, in the current language."""
    if export.removal_due is not None:
        retention = t("access.statement.retention_due", count=export.retention_days, date=_day(export.removal_due))
    else:
        retention = t("access.statement.retention", count=export.retention_days)
    return {
        "name_only": t("access.statement.name_only"),
        "votes": t("access.statement.votes", name=export.first_name),
        "plans": t("access.statement.plans"),
        "consent_slip": t("access.statement.consent_slip"),
        "retention": retention,
        "roles": t("access.statement.roles"),
    }


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def _day(moment: datetime) -> str:
    return format_date(_local(moment).date())


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = _local(moment)
    return t("access.when", date=format_date(local.date()), time=local.strftime("%H:%M"))


def file_stem(export: AccessExport) -> str:
    """"inzage-obs-de-regenboog-groep-8-2025-2026-kind-17": school, class, year and the child's
    reference (also in the document), never the name (downloads folders are shared)."""
    words = " ".join((export.school, export.class_name, export.school_year, export.reference))
    safe = "".join(ch if ch.isalnum() else "-" for ch in unicodedata.normalize("NFKD", words.casefold())
                   if not unicodedata.combining(ch))
    return "-".join(part for part in ("inzage", *safe.split("-")) if part)


# -- JSON ------------------------------------------------------------------------------------------


def render_access_json(export: AccessExport) -> bytes:
    """UTF-8 JSON, indented, stable keys in English, explanations in the current language."""
    document = {
        "document": t("access.title", name=export.first_name),
        "language": current_language(),
        "generated_at": _iso(export.generated_at),
        "generated_by": export.generated_by,
        "reference": export.reference,
        "child": {
            "first_name": export.first_name,
            "school": export.school,
            "class": export.class_name,
            "grade": export.grade,
            "wijk": export.wijk,
            "municipality": export.municipality,
            "school_year": export.school_year,
            "cycle_phase": export.phase,
        },
        "sign_up": {
            "signed_up_at": _iso(export.signed_up_at),
            "consent": export.consent,
            "consent_recorded_at": _iso(export.consent_recorded_at),
        },
        "council": {
            "member": export.council_role is not None,
            "role": export.council_role,
            "active": export.council_active,
            "member_since": _iso(export.member_since),
            "meetings_attended": [_iso(day) for day in export.meetings_attended],
            "meetings_held": export.meetings_held,
        },
        "name_mentioned_in": list(export.mentions),
        "class_plans": list(export.class_plans),
        "votes": None,  # secret: see statements.votes
        "retention": {
            "retention_days": export.retention_days,
            "cycle_closed_at": _iso(export.closed_at),
            "removal_due": _iso(export.removal_due),
        },
        "statements": statements(export),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- PDF -------------------------------------------------------------------------------------------

MARGIN = 20.0
TOP = 18.0
BOTTOM = 297.0 - 17.0
WIDTH = 210.0 - 2 * MARGIN
BODY = 10.5
LINE_H = 5.3
LABEL_W = 52.0
CAP = 12  # lines per value: a long list of mentions continues, an absurd one is cut


def render_access_pdf(export: AccessExport) -> bytes:
    """A4 portrait: who the child is (first name, class, school, wijk, school year), the sign-up
    and consent, the council membership and the meetings attended, where else the name appears,
    the class's plans, and the statements (votes are secret, plans are team work, what is not
    kept, how long, who is responsible). Flows over pages; headings never stay alone at the
    bottom."""
    pdf = KwrPDF(title=t("access.title", name=export.first_name),
                 running_header=(t("access.label"), export.school_year), page_numbers=True)
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.running_header = ("", "")  # page 1 has the big header
    pdf.add_page()
    pdf.running_header = (t("access.label"), export.school_year)
    flow = Flow(pdf, x=MARGIN, width=WIDTH, top=TOP, bottom=BOTTOM)
    said = statements(export)

    flow.y = 16
    pdf.set_font(SANS, "B", 10)
    pdf.set_text_color(*STRONG)
    pdf.text_line(MARGIN, flow.y, WIDTH, t("access.label").upper(), h=6)
    flow.y += 7
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", 20)
    flow.print_lines(pdf.lines(t("access.title", name=export.first_name), WIDTH, 2), line_h=9)
    pdf.set_font(SANS, "", 9.5)
    pdf.set_text_color(*MUTED)
    flow.print_lines(pdf.lines(t("access.generated", when=_when(export.generated_at), by=export.generated_by),
                               WIDTH, 2), line_h=4.8)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*STRONG)
    pdf.rect(MARGIN, flow.y + 2, WIDTH, 0.8, style="F")
    flow.y += 6
    _paragraph(flow, said["name_only"])

    _heading(flow, t("access.heading.child"))
    _rows(flow, [
        (t("access.first_name"), export.first_name),
        *([(t("access.reference"), export.reference)] if export.reference else []),
        (t("access.class"), export.class_name),
        (t("access.school"), export.school),
        (t("access.wijk"), t("access.wijk_value", wijk=export.wijk, municipality=export.municipality)),
        (t("access.school_year"), f"{export.school_year} ({t(f'phase.{export.phase}')})"),
    ])

    _heading(flow, t("access.heading.sign_up"))
    _rows(flow, [
        (t("access.signed_up_at"), _when(export.signed_up_at)),
        (t("access.consent"), t(f"consent.{export.consent}")),
        (t("access.consent_recorded_at"), _when(export.consent_recorded_at)),
    ])
    _paragraph(flow, said["consent_slip"], muted=True)

    _heading(flow, t("access.heading.council"))
    if export.council_role is None:
        _paragraph(flow, t("access.not_a_member"))
    else:
        status = t("access.active") if export.council_active else t("access.inactive")
        attended = ", ".join(format_date(day) for day in export.meetings_attended) or t("access.none")
        _rows(flow, [
            (t("access.role"), f"{t(f'council_role.{export.council_role}')} ({status})"),
            (t("access.member_since"), _when(export.member_since)),
            (t("access.meetings"), t("access.meetings_value", attended=len(export.meetings_attended),
                                     count=export.meetings_held)),
            (t("access.meetings_dates"), attended),
        ])

    _heading(flow, t("access.heading.mentions"))
    _paragraph(flow, t("access.mentions_explained"), muted=True)
    _bullets(flow, export.mentions or (t("access.no_mentions"),))

    _heading(flow, t("access.heading.plans"))
    _paragraph(flow, said["plans"])
    _bullets(flow, export.class_plans or (t("access.no_plans"),))

    _heading(flow, t("access.heading.votes"))
    _paragraph(flow, said["votes"])

    _heading(flow, t("access.heading.retention"))
    _paragraph(flow, said["retention"])
    _paragraph(flow, said["roles"], muted=True)
    return pdf.render()


def _heading(flow: Flow, text: str) -> None:
    flow.heading(text, size=12.5, gap=5, keep=8.5 + 2 * LINE_H, text_h=7, rule_at=7.6, advance=9.5)


def _rows(flow: Flow, rows: list[tuple[str, str]]) -> None:
    pdf = flow.pdf
    for label, value in rows:
        pdf.set_font(SANS, "", BODY)
        lines = pdf.lines(value or "—", flow.width - LABEL_W, CAP) or ["—"]
        flow.ensure(len(lines) * LINE_H)
        pdf.set_font(SANS, "", 9.5)
        pdf.set_text_color(*MUTED)
        pdf.text_line(flow.x, flow.y, LABEL_W - 3, label, h=LINE_H)
        pdf.set_text_color(*INK)
        pdf.set_font(SANS, "", BODY)
        flow.print_lines(lines, line_h=LINE_H, indent=LABEL_W)
        flow.y += 0.8


def _paragraph(flow: Flow, text: str, *, muted: bool = False) -> None:
    pdf = flow.pdf
    pdf.set_font(SANS, "", 9.5 if muted else BODY)
    pdf.set_text_color(*(MUTED if muted else INK))
    flow.print_lines(pdf.lines(text, flow.width, CAP), line_h=4.8 if muted else LINE_H)
    pdf.set_text_color(*INK)
    flow.y += 1.5


def _bullets(flow: Flow, items: tuple[str, ...]) -> None:
    pdf = flow.pdf
    pdf.set_font(SANS, "", BODY)
    for item in items:
        lines = pdf.lines(item, flow.width - 6, 3) or ["—"]
        flow.ensure(len(lines) * LINE_H)
        pdf.set_fill_color(*STRONG)
        pdf.circle(flow.x + 1.8, flow.y + LINE_H / 2, 0.8, style="F")
        flow.print_lines(lines, line_h=LINE_H, indent=6)
