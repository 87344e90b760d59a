"""What is data of or about children, and what retention does with it: every such column of the
schema in `CHILD_DATA` (a test holds every column against it, so a new column cannot slip in
unclassified), and the processing summary for the school board in `PROCESSING`.

The school board is the controller, the app (Kies&Co) the processor. Children have no accounts: a
child's first name is written down in one place only, the sign-up for the council (`Candidate`),
and everything else a child leaves is team work (a team's plan, its tablet) or anonymous (a
ballot). Retention (`services/retention.py`) and the access request
(`services/access_requests.py`) act on what is listed here.
"""

from __future__ import annotations

from enum import StrEnum


class Handling(StrEnum):
    REMOVED = "removed"  # the row is deleted
    NEUTRALISED = "neutralised"  # the value is replaced by a neutral one ("Groepje 1", NULL)
    NAMES_REPLACED = "names_replaced"  # signed-up children's first names become "[naam]"
    KEPT = "kept"  # stays: the council's work, anonymous or aggregate


# Every column that holds (or can hold) data of or about children, and what retention does with
# it. tests/test_child_data_columns.py classifies every column of the schema and checks that its
# child columns are exactly these.
CHILD_DATA: dict[str, Handling] = {
    # the sign-up: the only place a child's name is written down
    "candidate.id": Handling.REMOVED,
    "candidate.classroom_id": Handling.REMOVED,
    "candidate.run_id": Handling.REMOVED,
    "candidate.first_name": Handling.REMOVED,
    "candidate.created_at": Handling.REMOVED,
    "candidate.consent": Handling.REMOVED,
    "candidate.consent_recorded_at": Handling.REMOVED,
    # the council: a member is a candidate with consent
    "councilmember.id": Handling.REMOVED,
    "councilmember.cycle_id": Handling.REMOVED,
    "councilmember.candidate_id": Handling.REMOVED,
    "councilmember.role": Handling.REMOVED,
    "councilmember.active": Handling.REMOVED,
    "councilmember.created_at": Handling.REMOVED,
    "attendance.meeting_id": Handling.REMOVED,
    "attendance.member_id": Handling.REMOVED,
    # tablets, cards, receipts: tokens that belong to a child or a team for a while
    "device.token_hash": Handling.REMOVED,
    "device.run_id": Handling.REMOVED,
    "device.team_id": Handling.REMOVED,
    "device.joined_at": Handling.REMOVED,
    # a tablet's display mode (bigger text, high contrast), keyed by its token: it may hint at a
    # child's need, so it goes with the token (services/display.py)
    "displaypreference.token_hash": Handling.REMOVED,
    "displaypreference.large_text": Handling.REMOVED,
    "displaypreference.high_contrast": Handling.REMOVED,
    "displaypreference.updated_at": Handling.REMOVED,
    "votingcard.code_hash": Handling.REMOVED,
    "votingcard.poll_id": Handling.REMOVED,
    "votingcard.classroom_id": Handling.REMOVED,
    "votingcard.used": Handling.REMOVED,
    "votingcard.void": Handling.REMOVED,
    "receipt.poll_id": Handling.REMOVED,
    "receipt.code": Handling.REMOVED,
    "booth.token_hash": Handling.NEUTRALISED,
    # children's own words during a lesson
    "brainstormnote.id": Handling.REMOVED,
    "brainstormnote.run_id": Handling.REMOVED,
    "brainstormnote.team_id": Handling.REMOVED,
    "brainstormnote.mood": Handling.REMOVED,
    "brainstormnote.text": Handling.REMOVED,
    "brainstormnote.created_at": Handling.REMOVED,
    "team.name": Handling.NEUTRALISED,
    # free texts that can hold a child's name
    "meeting.agenda": Handling.NAMES_REPLACED,
    "meeting.minutes": Handling.NAMES_REPLACED,
    "meeting.decisions": Handling.NAMES_REPLACED,
    "installation.programme": Handling.NAMES_REPLACED,
    "workitem.next_action": Handling.NAMES_REPLACED,
    "plan.answers": Handling.NAMES_REPLACED,
    "proposal.title": Handling.NAMES_REPLACED,
    "proposal.problem": Handling.NAMES_REPLACED,
    "proposal.place": Handling.NAMES_REPLACED,
    "proposal.idea": Handling.NAMES_REPLACED,
    "proposal.beneficiaries": Handling.NAMES_REPLACED,
    "proposal.children_contribution": Handling.NAMES_REPLACED,
    "proposal.ask": Handling.NAMES_REPLACED,
    "recipient.reasons": Handling.NAMES_REPLACED,
    "recipient.next_step": Handling.NAMES_REPLACED,
    "recipient.child_answer": Handling.NAMES_REPLACED,
    "recipient.child_next": Handling.NAMES_REPLACED,
    "polloption.label": Handling.NAMES_REPLACED,  # a plan's title as the children voted on it
    # kept: a photo or drawing of a place in the wijk — never of a child (the upload screen says
    # so, metadata is stripped on upload, and a facilitator looks before anything is published)
    "plan.photo_name": Handling.KEPT,
}
# Not child data: ballots (secret — a poll, a class and choices, nothing that points at a child),
# paper tallies and booth counts are aggregates; see tests/test_child_data_columns.py.

# The processing summary for the school board: one row per kind of data (texts under
# privacy.processing.<row>.{data,purpose,retention}), and how retention treats it.
PROCESSING: tuple[tuple[str, Handling], ...] = (
    ("sign_ups", Handling.REMOVED),
    ("council", Handling.REMOVED),
    ("tablets", Handling.REMOVED),
    ("cards", Handling.REMOVED),
    ("brainstorm", Handling.REMOVED),
    ("teams", Handling.NEUTRALISED),
    ("texts", Handling.NAMES_REPLACED),
    ("plans", Handling.KEPT),
    ("votes", Handling.KEPT),
    ("proposals", Handling.KEPT),
    ("staff", Handling.KEPT),
    ("mail", Handling.NEUTRALISED),
)
