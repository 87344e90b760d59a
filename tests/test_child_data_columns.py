"""Every column of the schema is classified: child data, staff data, or other (structure, ids,
times, aggregates, anonymous ballots). A new table or column fails here until someone decides what
it is — and, for child data, what retention does with it (services/classification.CHILD_DATA) — so child
data cannot slip in unnoticed. Tables with children's rows are also held to the privacy rule:
first names only — no birth dates, addresses, contact details, surnames or faces."""

from __future__ import annotations

import re

import pytest
from sqlmodel import SQLModel

import kinderwijkraad.models  # noqa: F401 - registers the tables
from kinderwijkraad.services import classification

CHILD, STAFF, OTHER = "child", "staff", "other"


def _all(table: str, kind: str, *columns: str) -> dict[str, str]:
    return {f"{table}.{column}": kind for column in columns}


CLASSIFICATION: dict[str, str] = {
    # --- children: the sign-up is the only place a child's name is written down -------------------
    **_all("candidate", CHILD, "id", "classroom_id", "run_id", "first_name", "created_at", "consent",
           "consent_recorded_at"),
    **_all("councilmember", CHILD, "id", "cycle_id", "candidate_id", "role", "active", "created_at"),
    **_all("attendance", CHILD, "meeting_id", "member_id"),
    # a team's tablet, a pupil's voting card and receipt, the booth tablet's token
    **_all("device", CHILD, "token_hash", "run_id", "team_id", "joined_at"),
    **_all("displaypreference", CHILD, "token_hash", "large_text", "high_contrast", "updated_at"),
    **_all("votingcard", CHILD, "code_hash", "poll_id", "classroom_id", "used", "void"),
    **_all("receipt", CHILD, "poll_id", "code"),
    "booth.token_hash": CHILD,
    **_all("booth", OTHER, "id", "poll_id", "classroom_id", "pair_code", "unlocked", "voters", "present"),
    # children's own words: brainstorm notes, the name a team chose, plans (and photos of places)
    **_all("brainstormnote", CHILD, "id", "run_id", "team_id", "mood", "text", "created_at"),
    "team.name": CHILD,
    **_all("team", OTHER, "id", "run_id", "created_at"),
    "plan.answers": CHILD,
    "plan.photo_name": CHILD,
    **_all("plan", OTHER, "id", "run_id", "team_id", "status", "revision", "theme_id", "updated_at", "approved_at"),
    "plan.approved_by": STAFF,
    "polloption.label": CHILD,  # a plan's title, when children vote on plans
    **_all("polloption", OTHER, "id", "poll_id", "position", "theme_id", "plan_id"),
    # free texts staff and the council write, which can name a child
    **_all("meeting", CHILD, "agenda", "minutes", "decisions"),
    **_all("meeting", OTHER, "id", "cycle_id", "held_on", "created_at", "updated_at"),
    "installation.programme": CHILD,
    **_all("installation", STAFF, "alderman_name", "alderman_title"),
    **_all("installation", OTHER, "cycle_id", "installed_on", "venue", "updated_at"),
    "workitem.next_action": CHILD,
    **_all("workitem", OTHER, "id", "cycle_id", "theme_id", "organisation_id", "status", "updated_at"),
    **_all("proposal", CHILD, "title", "problem", "place", "idea", "beneficiaries", "children_contribution", "ask"),
    **_all("proposal", STAFF, "contact_name", "contact_role", "contact_email", "contact_phone", "created_by"),
    **_all("proposal", OTHER, "place_owner", "cost_band", "id", "cycle_id", "theme_id", "poll_id", "revision",
           "created_at", "updated_at"),
    **_all("recipient", CHILD, "reasons", "next_step", "child_answer", "child_next"),
    **_all("recipient", STAFF, "answer_contact", "answered_by"),
    **_all("recipient", OTHER, "id", "proposal_id", "organisation_id", "contact_id", "status", "reply_by", "sent_at",
           "in_progress_at", "answered_at", "done_at", "decision", "answer_source", "answer_revision",
           "child_answer_revision", "reminders_paused"),
    # --- anonymous and aggregate: a ballot is a poll, a class and choices, nothing else ---------------
    **_all("ballot", OTHER, "id", "poll_id", "classroom_id", "choices"),
    **_all("papertally", OTHER, "id", "poll_id", "classroom_id", "papers", "counts", "entered_at"),
    "papertally.entered_by": STAFF,
    **_all("poll", OTHER, "id", "cycle_id", "classroom_id", "title", "question", "subject", "ballot_kind", "method",
           "max_choices", "dots_total", "dots_per_option", "allow_blank", "block_own_plan", "runoff_of",
           "created_at", "opened_at", "closed_at", "sealed"),
    "poll.created_by": STAFF,
    **_all("theme", OTHER, "id", "cycle_id", "name", "pictogram", "created_at"),
    **_all("proposalplan", OTHER, "proposal_id", "plan_id"),
    # --- the structure: wijken, cycles, schools, classes (a class's name and size, no pupils) ---------
    **_all("neighbourhood", OTHER, "name", "municipality", "id", "created_at", "archived_at",
           "reminder_days_before", "reminders_after"),
    **_all("cycle", OTHER, "school_year", "reply_by_days", "budget_eur", "id", "neighbourhood_id", "phase",
           "phase_changed_at", "created_at", "archived_at", "child_data_removed_at"),
    "cycle.listener": STAFF,
    **_all("school", OTHER, "name", "id", "neighbourhood_id", "created_at", "archived_at"),
    **_all("classroom", OTHER, "name", "grade", "pupil_count", "id", "school_id", "cycle_id", "created_at",
           "archived_at"),
    **_all("lessontemplate", OTHER, "id", "slug", "version", "content", "created_at"),
    "lessontemplate.created_by": STAFF,
    **_all("lessonrun", OTHER, "id", "classroom_id", "template_id", "lesson_index", "step_index", "timer_started_at",
           "timer_elapsed_seconds", "presented_plan_id", "join_code", "code_expires_at", "started_at", "ended_at"),
    "lessonrun.started_by": STAFF,
    **_all("feedbackshare", OTHER, "id", "cycle_id", "classroom_id", "shared_at"),
    "feedbackshare.shared_by": STAFF,
    # --- adults: staff, partners' contacts, and the audit log (ids, never a child's data) ------------
    **_all("user", STAFF, "display_name", "email", "id", "username", "role", "active", "password_hash",
           "must_change_password", "organisation_id", "created_at", "last_login_at", "cookies_valid_after"),
    **_all("facilitatorneighbourhood", STAFF, "user_id", "neighbourhood_id"),
    **_all("classroomteacher", STAFF, "user_id", "classroom_id"),
    **_all("loginthrottle", STAFF, "key", "failures", "last_failure_at"),
    **_all("organisation", OTHER, "name", "kind", "id", "created_at", "archived_at"),
    **_all("contact", STAFF, "name", "job_title", "email", "phone"),
    **_all("contact", OTHER, "id", "organisation_id", "neighbourhood_id", "created_at", "archived_at"),
    **_all("partnership", OTHER, "reply_by_days", "budget_eur", "id", "cycle_id", "organisation_id", "created_at"),
    "partnership.listener": STAFF,
    **_all("replylink", OTHER, "id", "recipient_id", "token_hash", "expires_at", "revoked_at", "last_used_at",
           "created_at"),
    "replylink.created_by": STAFF,
    # The outbox: officials' and facilitators' addresses are adults' personal data.
    **_all("mailmessage", STAFF, "to_address", "to_name", "user_id", "created_by"),
    **_all("mailmessage", OTHER, "id", "key", "kind", "status", "recipient_id", "cycle_id", "reply_link_id",
           "created_at", "next_try_at", "claimed_until", "tries", "sent_at", "delivered_to", "subject", "last_error"),
    **_all("auditentry", OTHER, "id", "at", "action", "subject", "subject_id", "cycle_id", "detail", "prev_hash",
           "entry_hash"),
    **_all("auditentry", STAFF, "user_id", "actor"),
    # --- privacy itself ---------------------------------------------------------------------------------
    **_all("privacysettings", OTHER, "id", "retention_days", "updated_at"),
    "privacysettings.updated_by": STAFF,
    **_all("retentionrun", OTHER, "id", "at", "cycle_ids", "counts"),
    "retentionrun.by": STAFF,
    **_all("selfcheck", OTHER, "cycle_id", "answers", "updated_at"),
    "selfcheck.updated_by": STAFF,
}

# Tables whose rows are made by or about children (or their tablets and cards).
CHILD_TABLES = frozenset({"candidate", "councilmember", "attendance", "device", "displaypreference", "votingcard",
                          "receipt", "booth", "brainstormnote", "team", "plan", "ballot", "papertally", "polloption"})
# Parts of a column name that would mean more than a first name is kept about a child.
FORBIDDEN = re.compile(
    r"(birth|born|dob|geboorte|age|address|adres|street|straat|house|huis|postcode|postal|zip|city|woonplaats|"
    r"e?mail|phone|tel|telefoon|mobile|gsm|face|faces|gezicht|portrait|selfie|avatar|surname|last|lastname|"
    r"family|achternaam|initials|bsn|ssn|gender|geslacht|parent|ouder|ip)$"
)
PICTURE = re.compile(r"(photo|image|picture|foto|img)")
# Pictures allowed in child tables, and why.
PICTURES_ALLOWED = {"plan.photo_name": "a photo or drawing of a place in the wijk, never of a child"}


def schema_columns() -> dict[str, object]:
    return {f"{table.name}.{column.name}": column for table in SQLModel.metadata.sorted_tables
            for column in table.columns}


def test_every_column_of_the_schema_is_classified():
    columns = set(schema_columns())
    unclassified = sorted(columns - set(CLASSIFICATION))
    assert unclassified == [], \
        "classify these as child, staff or other (and add child ones to classification.CHILD_DATA)"
    assert sorted(set(CLASSIFICATION) - columns) == [], "these are classified but no longer in the schema"
    assert set(CLASSIFICATION.values()) == {CHILD, STAFF, OTHER}


def test_every_child_column_has_a_retention_decision_and_only_those():
    child = {name for name, kind in CLASSIFICATION.items() if kind == CHILD}
    assert child == set(classification.CHILD_DATA)


def test_the_child_data_named_in_the_issue_is_classified_as_child():
    for name in ("candidate.first_name", "team.name", "plan.answers", "plan.photo_name", "brainstormnote.text",
                 "device.token_hash", "votingcard.code_hash", "votingcard.used", "receipt.code", "booth.token_hash",
                 "councilmember.candidate_id", "attendance.member_id", "meeting.minutes"):
        assert CLASSIFICATION[name] == CHILD, name


def test_ballots_hold_nothing_that_points_at_a_child():
    ballot = {name.split(".")[1] for name in schema_columns() if name.startswith("ballot.")}
    assert ballot == {"id", "poll_id", "classroom_id", "choices"}


def test_rows_about_children_are_removed_whole_and_the_rest_is_neutralised_or_kept():
    removed_tables = {name.split(".")[0] for name, handling in classification.CHILD_DATA.items()
                      if handling == classification.Handling.REMOVED}
    for table in removed_tables:
        columns = {name for name in schema_columns() if name.startswith(f"{table}.")}
        assert {classification.CHILD_DATA.get(name) for name in columns} == {classification.Handling.REMOVED}, table


def test_tables_with_child_rows_are_all_held_to_the_naming_rule():
    with_child_rows = {name.split(".")[0] for name, handling in classification.CHILD_DATA.items()
                       if handling in (classification.Handling.REMOVED, classification.Handling.NEUTRALISED)}
    assert with_child_rows <= CHILD_TABLES


@pytest.mark.parametrize("name", sorted(n for n in CLASSIFICATION if n.split(".")[0] in CHILD_TABLES))
def test_no_column_of_a_child_table_suggests_more_than_a_first_name(name):
    column = name.split(".")[1]
    assert not any(FORBIDDEN.fullmatch(part) for part in column.split("_")), name
    assert not PICTURE.search(column) or name in PICTURES_ALLOWED, name


def test_the_naming_rule_catches_what_it_should():
    bad = ("birth_date", "date_of_birth", "dob", "home_address", "street", "postcode", "email", "e_mail",
           "phone_number", "face_photo", "last_name", "surname", "parent_email", "ip")
    for column in bad:
        parts = column.split("_")
        assert any(FORBIDDEN.fullmatch(part) for part in parts) or PICTURE.search(column), column
    for column in ("first_name", "consent", "code_hash", "token_hash", "created_at", "classroom_id", "used"):
        assert not any(FORBIDDEN.fullmatch(part) for part in column.split("_")), column
