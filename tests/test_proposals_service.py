"""Proposals to partners and their answers (services.proposals and services.answers): writing a
proposal from a theme, each recipient's status, answers by facilitators, officials and reply
links, the overdue list, the dossier and the archive export — on SQLite and PostgreSQL.

The reply-link rules are tested on both engines: a link answers only its own
recipient, not after expiry or revocation (also when the revocation comes between the link check
and the write), and never over an answer it did not show.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import MISSING, fields
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports import proposals as proposal_pdf
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import (
    AnswerSource,
    AuditEntry,
    CostBand,
    Decision,
    Plan,
    Proposal,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    ReplyLink,
    Role,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import answers, audit, lessons, neighbourhoods, plans, proposals, templates
from tests import factories
from tests import proposal_factories as pf

SENT = RecipientStatus.SENT


@pytest.fixture
def world(engine):
    return pf.cycle_with_proposal(engine)


def _recipient(engine, recipient_id: int) -> Recipient:
    with read_session(engine) as session:
        return session.get(Recipient, recipient_id)


def _answer_of(engine, recipient_id: int) -> tuple:
    r = _recipient(engine, recipient_id)
    return (RecipientStatus(r.status), r.decision and Decision(r.decision), r.reasons, r.answered_by,
            r.answer_source and AnswerSource(r.answer_source), r.answer_revision)


def _actions(engine, world, **filters) -> list[str]:
    """The proposal's entries (the vote the world was built with is logged too)."""
    return [row.action for row in audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id,
                                                  **filters) if not row.action.startswith("poll.")]


def _link_id(engine, token: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(ReplyLink.id).where(
            ReplyLink.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()


def _second_proposal(engine, world, theme: str = "Verkeer", keys=("gemeente",)) -> tuple[int, dict[str, int]]:
    """Another proposal of the same cycle; returns its id and its recipients by key."""
    organisations = [(world.organisations[k].id, None) for k in keys]
    proposal_id = proposals.create_proposal(
        engine, actor=world.facilitator, cycle_id=world.cycle.id, theme_id=world.themes[theme],
        plan_ids=[], fields={"title": f"Voorstel {theme}"}, recipients=organisations)
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=proposal_id)
    by_org = {r.organisation_id: r.id for r in view.recipients}
    return proposal_id, {k: by_org[world.organisations[k].id] for k in keys}


def _plan_in_other_cycle(engine, world) -> int:
    """A plan written in the next school year of the same wijk."""
    next_year = factories.cycle(engine, world.admin, world.wijk.id, "2027-2028")
    classroom = factories.classroom(engine, world.admin, next_year.id, world.schools["a"].id)
    run_id = lessons.start_run(engine, actor=world.admin, classroom_id=classroom.id,
                               template_id=templates.latest_template(engine).id, lesson_index=1)
    token, _ = lessons.join_team(engine, run_id=run_id, team_name="De Vossen")
    return plans.save_answers(engine, token=token, answers={"title": "Volgend jaar", "problem": "x",
                                                            "idea": "y"}).id


def _renderer_or_skip() -> None:
    """The PDF renderer is written in parallel; these tests run as soon as it exists."""
    required = {f.name: "" for f in fields(proposal_pdf.Dossier) if f.default is MISSING
                and f.default_factory is MISSING}
    try:
        proposal_pdf.render_proposal_pdf(proposal_pdf.Dossier(**required))
    except NotImplementedError:
        pytest.skip("exports.proposals.render_proposal_pdf is not implemented yet")


# --- writing a proposal from a theme -------------------------------------------------------------


def test_the_themes_to_write_from_come_top_three_first_with_their_plans(engine, world):
    sources = proposals.theme_sources(engine, actor=world.facilitator, cycle_id=world.cycle.id)
    assert [(s.name, s.place, s.score, s.in_top) for s in sources] == [
        ("Speeltuin", 1, 9, True), ("Verkeer", 2, 6, True), ("Afval", 3, 3, True), ("Groen", 4, 1, False)]
    assert [p.id for p in sources[0].plans] == [world.plans[k] for k in pf.TOP_PLANS]
    assert sources[0].plans[0].class_label == "Groep 7, OBS De Regenboog"
    with pytest.raises(NotAllowed):
        proposals.theme_sources(engine, actor=world.other_facilitator, cycle_id=world.cycle.id)


def test_a_draft_from_a_theme_uses_the_childrens_words_and_the_facilitator_as_contact(engine, world):
    draft = proposals.draft_from_theme(engine, actor=world.facilitator, theme_id=world.top_theme_id)
    assert draft["title"] == "Speeltuin"
    assert draft["problem"] == ("De schommels in het Merelpark zijn kapot.\n\nEr is geen speeltuin voor kleine "
                                "kinderen.\n\nOuders kunnen nergens zitten.")
    assert draft["idea"].split("\n\n") == ["Nieuwe schommels en een klimrek.", "Een speeltuin met een zandbak.",
                                           "Twee bankjes."]
    assert draft["place"] == "Merelpark; Pleintje achter de Lindelaan"  # a plan without a place adds nothing
    assert draft["beneficiaries"] == "Alle kinderen; Kleine kinderen"  # the same words only once
    assert draft["children_contribution"] == "Wij houden de speeltuin schoon.\n\nWij helpen met het ontwerp."
    # Two plans say "veel", one "een beetje": the band most plans chose.
    assert draft["cost_band"] == CostBand.HIGH.value
    assert (draft["contact_name"], draft["contact_email"]) == (pf.FACILITATOR_NAME, pf.FACILITATOR_EMAIL)
    assert draft["contact_role"] == t("proposal.default_contact_role")
    assert draft["ask"] == draft["place_owner"] == draft["contact_phone"] == ""

    # A theme whose plans say nothing about cost, or a theme without plans.
    assert proposals.draft_from_theme(engine, actor=world.facilitator,
                                      theme_id=world.themes["Afval"])["cost_band"] == CostBand.LOW.value
    empty = proposals.draft_from_theme(engine, actor=world.facilitator, theme_id=world.themes["Groen"])
    assert (empty["title"], empty["problem"], empty["cost_band"]) == ("Groen", "", CostBand.UNKNOWN.value)
    with pytest.raises(NotAllowed):
        proposals.draft_from_theme(engine, actor=world.other_facilitator, theme_id=world.top_theme_id)
    with pytest.raises(NotFound):
        proposals.draft_from_theme(engine, actor=world.facilitator, theme_id=999_999)


def test_a_proposal_to_two_partners_is_a_concept_for_each_and_is_audited(engine, world):
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    assert (view.title, view.theme, view.revision) == ("Speeltuin", "Speeltuin", 0)
    assert view.fields["place_owner"] == "Gemeente Rivierstad"
    assert [p.id for p in view.plans] == [world.plans[k] for k in pf.TOP_PLANS]
    rows = {r.organisation: r for r in view.recipients}
    assert set(rows) == {"Gemeente Rivierstad", "Woonstichting Thuis"}
    assert {r.status for r in rows.values()} == {RecipientStatus.CONCEPT}
    assert rows["Gemeente Rivierstad"].contact == "Sanne de Wit"
    assert all(r.reply_by is None and r.sent_at is None and r.decision is None for r in rows.values())
    with read_session(engine) as session:  # the vote the support comes from is kept with the proposal
        assert session.get(Proposal, world.proposal_id).poll_id == world.poll_id
    assert [p.id for p in proposals.list_proposals(engine, actor=world.facilitator, cycle_id=world.cycle.id)] == \
        [world.proposal_id]

    [entry] = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id, subject="proposal")
    assert (entry.actor, entry.action, entry.subject_id) == (pf.FACILITATOR_NAME, "proposal.created",
                                                             world.proposal_id)
    assert entry.detail == {"theme_id": world.top_theme_id, "plans": sorted(world.plans[k] for k in pf.TOP_PLANS),
                            "organisations": [world.gemeente.id, world.corporatie.id]}


def _create(engine, world, *, actor=None, recipients=None, plan_ids=(), theme_id=None, cycle_id=None):
    return proposals.create_proposal(
        engine, actor=actor or world.facilitator, cycle_id=cycle_id or world.cycle.id, theme_id=theme_id,
        plan_ids=plan_ids, fields={"title": "Nog een voorstel"},
        recipients=recipients if recipients is not None else [(world.gemeente.id, None)])


def _proposal_count(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Proposal)).one()


def test_recipients_must_be_partners_of_the_cycle_with_their_own_contacts(engine, world):
    refusals = {
        "proposal.not_a_partner": [(world.outsider.id, None)],
        "proposal.recipient_twice": [(world.gemeente.id, None), (world.gemeente.id, None)],
        "proposal.contact_not_of_organisation": [(world.gemeente.id, world.contacts["corporatie"].id)],
        "proposal.needs_recipient": [],
    }
    for key, recipients in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            _create(engine, world, recipients=recipients)
        assert refused.value.key == key
    neighbourhoods.archive_contact(engine, actor=world.admin, contact_id=world.contacts["gemeente"].id)
    with pytest.raises(InvalidInput) as archived:
        _create(engine, world, recipients=[(world.gemeente.id, world.contacts["gemeente"].id)])
    assert archived.value.key == "proposal.contact_not_of_organisation"
    with pytest.raises(InvalidInput) as added:
        proposals.add_recipient(engine, actor=world.facilitator, proposal_id=world.proposal_id,
                                organisation_id=world.outsider.id, contact_id=None)
    assert added.value.key == "proposal.not_a_partner"
    with pytest.raises(Conflict) as twice:  # already a recipient: the database refuses the second row
        proposals.add_recipient(engine, actor=world.facilitator, proposal_id=world.proposal_id,
                                organisation_id=world.gemeente.id, contact_id=None)
    assert twice.value.key == "proposal.recipient_twice"
    assert _proposal_count(engine) == 1
    assert _actions(engine, world) == ["proposal.created"]

    neighbourhoods.add_partner(engine, actor=world.facilitator, cycle_id=world.cycle.id,
                               organisation_id=world.outsider.id)
    added_id = proposals.add_recipient(engine, actor=world.facilitator, proposal_id=world.proposal_id,
                                       organisation_id=world.outsider.id, contact_id=None)
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    assert {r.id: r.status for r in view.recipients}[added_id] == RecipientStatus.CONCEPT
    assert len(view.recipients) == 3
    assert _actions(engine, world)[0] == "recipient.added"


def test_plans_and_theme_must_belong_to_the_proposals_cycle(engine, world):
    other_plan = _plan_in_other_cycle(engine, world)
    with pytest.raises(InvalidInput) as refused:
        _create(engine, world, plan_ids=[world.plans["swings"], other_plan])
    assert refused.value.key == "proposal.plan_not_in_cycle"
    with pytest.raises(InvalidInput):
        proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=0,
                                  fields=world.fields, plan_ids=[other_plan])
    with pytest.raises(InvalidInput):
        _create(engine, world, plan_ids=[999_999])
    other_theme = plans.create_theme(engine, actor=world.other_facilitator, cycle_id=world.other_cycle.id,
                                     name="Speeltuin")
    with pytest.raises(NotFound):
        _create(engine, world, theme_id=other_theme)
    assert _proposal_count(engine) == 1
    with read_session(engine) as session:
        linked = session.exec(select(ProposalPlan.plan_id).where(ProposalPlan.proposal_id == world.proposal_id))
        assert sorted(linked.all()) == sorted(world.plans[k] for k in pf.TOP_PLANS)


def test_the_facilitator_of_another_wijk_can_neither_write_nor_read_the_proposals(engine, world):
    outsider, rid, pid = world.other_facilitator, world.recipients["gemeente"], world.proposal_id
    pf.send(engine, world, "gemeente")
    attempts = [
        lambda actor: _create(engine, world, actor=actor),
        lambda actor: proposals.get_proposal(engine, actor=actor, proposal_id=pid),
        lambda actor: proposals.list_proposals(engine, actor=actor, cycle_id=world.cycle.id),
        lambda actor: proposals.update_proposal(engine, actor=actor, proposal_id=pid, seen_revision=0,
                                                fields={**world.fields, "title": "Gekaapt"}),
        lambda actor: proposals.delete_proposal(engine, actor=actor, proposal_id=pid),
        lambda actor: proposals.move_recipient(engine, actor=actor, recipient_id=rid, to=RecipientStatus.IN_PROGRESS),
        lambda actor: proposals.dossier(engine, actor=actor, recipient_id=rid, photos_dir=Path("/nonexistent")),
        lambda actor: answers.enter_answer(engine, actor=actor, recipient_id=rid, seen_revision=0,
                                           answer=pf.an_answer(), answered_by="Iemand"),
        lambda actor: answers.create_reply_link(engine, actor=actor, recipient_id=rid),
        lambda actor: answers.reply_links(engine, actor=actor, recipient_id=rid),
        lambda actor: audit.audit_log(engine, actor=actor, cycle_id=world.cycle.id),
    ]
    for attempt in attempts:
        for actor in (outsider, world.teacher):
            with pytest.raises(NotAllowed):
                attempt(actor)
    assert world.official.role == Role.OFFICIAL
    for attempt in attempts[:5]:  # an official answers; writing and managing is the council's
        with pytest.raises(NotAllowed):
            attempt(world.official)
    assert _proposal_count(engine) == 1
    assert _answer_of(engine, rid)[0] == SENT
    assert proposals.get_proposal(engine, actor=world.facilitator, proposal_id=pid).revision == 0


# --- editing -------------------------------------------------------------------------------------


def test_an_edit_over_a_stale_revision_is_a_conflict_and_changes_nothing(engine, world):
    first = {**world.fields, "ask": "Graag nieuwe schommels.", "place": "Merelpark"}
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=0,
                              fields=first)
    stale = {**world.fields, "title": "Een andere titel", "cost_band": "medium"}
    with pytest.raises(Conflict) as refused:
        proposals.update_proposal(engine, actor=world.admin, proposal_id=world.proposal_id, seen_revision=0,
                                  fields=stale, plan_ids=[world.plans["swings"]])
    assert refused.value.key == "proposal.changed_meanwhile"
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    assert view.revision == 1
    assert (view.title, view.fields["ask"], view.fields["place"], view.fields["cost_band"]) == \
        ("Speeltuin", "Graag nieuwe schommels.", "Merelpark", "high")
    assert len(view.plans) == 3  # the refused edit's plans did not replace them either

    # The audit detail names the changed fields, never their values.
    [edit] = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id, subject="proposal",
                             subject_id=world.proposal_id)[:1]
    assert (edit.action, edit.detail) == ("proposal.edited", {"fields": ["ask", "place"]})
    assert "schommels" not in repr(edit.detail) and "Merelpark" not in repr(edit.detail)
    assert _actions(engine, world) == ["proposal.edited", "proposal.created"]

    # Over the current revision: fields and plans change, the revision goes up once.
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=1,
                              fields={**first, "cost_band": "medium"}, plan_ids=[world.plans["swings"]])
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    assert (view.revision, view.fields["cost_band"], [p.id for p in view.plans]) == \
        (2, "medium", [world.plans["swings"]])
    assert audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id)[0].detail == \
        {"fields": ["cost_band", "plans"]}
    # Saving without a change writes nothing, not even an audit entry.
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=2,
                              fields={**first, "cost_band": "medium"}, plan_ids=[world.plans["swings"]])
    assert proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id).revision == 2
    assert len(_actions(engine, world)) == 3
    with pytest.raises(InvalidInput) as invalid:
        proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=2,
                                  fields={**first, "contact_email": "geen e-mail"})
    assert (invalid.value.key, invalid.value.params["problem_key"]) == ("validation.mail_address",
                                                                         "mail.problem.space")


def test_only_a_proposal_nobody_received_can_be_deleted(engine, world):
    proposal_id, recipients = _second_proposal(engine, world, keys=("gemeente", "corporatie"))
    proposals.remove_recipient(engine, actor=world.facilitator, recipient_id=recipients["corporatie"])
    proposals.delete_proposal(engine, actor=world.facilitator, proposal_id=proposal_id)
    with pytest.raises(NotFound):
        proposals.get_proposal(engine, actor=world.facilitator, proposal_id=proposal_id)
    pf.send(engine, world, "gemeente")
    for attempt in (lambda: proposals.delete_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id),
                    lambda: proposals.remove_recipient(engine, actor=world.facilitator,
                                                       recipient_id=world.recipients["gemeente"])):
        with pytest.raises(NotAllowed) as kept:
            attempt()
        assert kept.value.key == "proposal.sent_cannot_delete"
    assert len(proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id).recipients) == 2


def test_the_view_says_what_can_be_deleted_as_the_service_decides(engine, world):
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    assert view.deletable and all(r.removable for r in view.recipients)
    pf.send(engine, world, "gemeente")
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    assert not view.deletable
    assert {r.id: r.removable for r in view.recipients} == {world.recipients["gemeente"]: False,
                                                            world.recipients["corporatie"]: True}
    with pytest.raises(NotAllowed):
        proposals.delete_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    proposals.remove_recipient(engine, actor=world.facilitator, recipient_id=world.recipients["corporatie"])
    assert proposals.may_delete([]) and not proposals.may_delete([RecipientStatus.CONCEPT, "sent"])


# --- the recipient's status ----------------------------------------------------------------------


def test_sending_starts_the_reply_by_date_from_the_partners_promise(engine, world):
    before = utcnow()
    pf.send(engine, world, "gemeente")
    pf.send(engine, world, "corporatie")
    gemeente, corporatie = pf.recipient(engine, world, "gemeente"), pf.recipient(engine, world, "corporatie")
    assert gemeente.status == corporatie.status == SENT
    assert before - timedelta(seconds=1) <= gemeente.sent_at <= utcnow()
    assert gemeente.reply_by == proposals.today() + timedelta(days=pf.GEMEENTE_REPLY_DAYS)
    assert corporatie.reply_by == proposals.today() + timedelta(days=pf.CORPORATIE_REPLY_DAYS)
    assert not gemeente.overdue and gemeente.days_waiting == 0

    with pytest.raises(Conflict) as twice:  # a second click, or a stale screen
        pf.send(engine, world, "gemeente")
    assert twice.value.key == "proposal.status_changed_meanwhile"
    assert pf.recipient(engine, world, "gemeente").sent_at == gemeente.sent_at
    entries = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id, subject="recipient",
                              subject_id=world.recipients["gemeente"])
    assert [(e.action, e.detail) for e in entries] == [("recipient.status", {"from": "concept", "to": "sent"})]


def test_a_partner_that_was_addressed_stays_a_partner(engine, world):
    """Its promise (the reply-by days) is what the proposal's date rests on."""
    with pytest.raises(Conflict) as refused:
        neighbourhoods.remove_partner(engine, actor=world.facilitator,
                                      partnership_id=world.partnerships["corporatie"].id)
    assert refused.value.key == "error.partner_has_proposals"
    pf.send(engine, world, "corporatie")
    assert pf.recipient(engine, world, "corporatie").reply_by == \
        proposals.today() + timedelta(days=pf.CORPORATIE_REPLY_DAYS)


def test_only_the_forward_moves_are_possible(engine, world):
    rid = world.recipients["gemeente"]

    def move(to):
        proposals.move_recipient(engine, actor=world.facilitator, recipient_id=rid, to=to)

    for to in (RecipientStatus.ANSWERED, RecipientStatus.CONCEPT):
        with pytest.raises(InvalidInput) as by_hand:
            move(to)
        assert by_hand.value.key == "proposal.move_not_possible"
    with pytest.raises(ValueError):
        move("withdrawn")
    for to in (RecipientStatus.IN_PROGRESS, RecipientStatus.DONE):  # not from concept
        with pytest.raises(Conflict):
            move(to)
    move(SENT)
    with pytest.raises(Conflict):
        move(RecipientStatus.DONE)  # only an answered proposal can be carried out
    move(RecipientStatus.IN_PROGRESS)
    with pytest.raises(Conflict):
        move(RecipientStatus.IN_PROGRESS)
    row = pf.recipient(engine, world, "gemeente")
    assert row.status == RecipientStatus.IN_PROGRESS and row.in_progress_at is not None and row.done_at is None
    with pytest.raises(InvalidInput) as answered:
        move(RecipientStatus.ANSWERED)  # "answered" comes with an answer, never by hand
    assert answered.value.key == "proposal.move_not_possible"


FACILITATOR_MOVES = {RecipientStatus.CONCEPT: RecipientStatus.SENT, RecipientStatus.SENT: RecipientStatus.IN_PROGRESS,
                     RecipientStatus.ANSWERED: RecipientStatus.DONE}


@pytest.mark.parametrize("decision", [None, *Decision])
@pytest.mark.parametrize("status", list(RecipientStatus))
def test_the_move_offered_is_the_one_move_from_a_status_and_never_carries_out_a_rejection(status, decision):
    expected = None if decision == Decision.REJECTED and status == RecipientStatus.ANSWERED \
        else FACILITATOR_MOVES.get(status)
    assert proposals.possible_move(status, decision) == expected
    official = proposals.possible_move(status.value, decision and decision.value, official=True)
    assert official == (None if status == RecipientStatus.CONCEPT else expected)


@pytest.mark.parametrize("decision", [Decision.ACCEPTED, Decision.REJECTED])
def test_every_move_the_view_offers_is_one_the_service_makes(engine, world, decision):
    def row():
        return pf.recipient(engine, world, "gemeente")

    walked = []
    while (move := row().next_move) is not None:
        proposals.move_recipient(engine, actor=world.facilitator, recipient_id=row().id, to=move)
        walked.append(move)
    assert walked == [RecipientStatus.SENT, RecipientStatus.IN_PROGRESS]
    pf.answer(engine, world, "gemeente", decision)
    while (move := proposals.possible_move(row().status, row().decision, official=True)) is not None:
        proposals.move_recipient(engine, actor=world.official, recipient_id=row().id, to=move)
        walked.append(move)
    carried_out = decision != Decision.REJECTED
    assert walked[2:] == ([RecipientStatus.DONE] if carried_out else [])
    assert row().status == (RecipientStatus.DONE if carried_out else RecipientStatus.ANSWERED)
    assert row().next_move is None


def test_an_official_sets_in_progress_for_their_own_organisation_only(engine, world):
    gemeente, corporatie = world.recipients["gemeente"], world.recipients["corporatie"]
    with pytest.raises(NotAllowed):  # sending is the council's step
        proposals.move_recipient(engine, actor=world.official, recipient_id=gemeente, to=SENT)
    pf.send(engine, world, "gemeente")
    pf.send(engine, world, "corporatie")
    with pytest.raises(NotAllowed):
        proposals.move_recipient(engine, actor=world.official, recipient_id=corporatie,
                                 to=RecipientStatus.IN_PROGRESS)
    proposals.move_recipient(engine, actor=world.official, recipient_id=gemeente, to=RecipientStatus.IN_PROGRESS)
    assert pf.recipient(engine, world, "gemeente").status == RecipientStatus.IN_PROGRESS
    assert pf.recipient(engine, world, "corporatie").status == SENT
    [entry] = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id, subject="recipient",
                              subject_id=gemeente)[:1]
    assert (entry.actor, entry.detail) == ("Sanne de Wit", {"from": "sent", "to": "in_progress"})
    assert entry.action == "recipient.status"


# --- answers -------------------------------------------------------------------------------------


def test_the_facilitator_enters_an_answer_received_by_letter(engine, world):
    rid = world.recipients["gemeente"]

    def enter(answer, seen=0, by="Wethouder Jansen"):
        answers.enter_answer(engine, actor=world.facilitator, recipient_id=rid, seen_revision=seen, answer=answer,
                             answered_by=by)

    with pytest.raises(InvalidInput) as concept:
        enter(pf.an_answer())
    assert concept.value.key == "answer.not_sent"
    pf.send(engine, world, "gemeente")
    for decision in (Decision.PARTLY, Decision.REJECTED):
        for reasons in ("", "  \n "):
            with pytest.raises(InvalidInput) as why:
                enter(pf.an_answer(decision, reasons))
            assert why.value.key == "answer.reasons_required"
    with pytest.raises(InvalidInput) as nobody:
        enter(pf.an_answer(), by="   ")
    assert nobody.value.key == "validation.required"
    with pytest.raises(InvalidInput) as long:
        enter(pf.an_answer(Decision.REJECTED, "te lang " * 600))
    assert (long.value.key, long.value.params["field"]) == ("validation.too_long_by", "reasons")
    assert _answer_of(engine, rid) == (SENT, None, "", "", None, 0)

    before = utcnow()
    enter(pf.an_answer(Decision.PARTLY, "Het klimrek past niet.", "Schommels in het voorjaar", "Sanne de Wit"),
          by="  Wethouder   Jansen ")
    row = pf.recipient(engine, world, "gemeente")
    assert (row.status, row.decision, row.reasons, row.next_step, row.answer_contact) == \
        (RecipientStatus.ANSWERED, Decision.PARTLY, "Het klimrek past niet.", "Schommels in het voorjaar",
         "Sanne de Wit")
    assert (row.answered_by, row.answer_source, row.answer_revision) == ("Wethouder Jansen", AnswerSource.ENTERED, 1)
    assert row.answered_at >= before - timedelta(seconds=1)
    [entry] = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id, subject="recipient",
                              subject_id=rid)[:1]
    assert (entry.actor, entry.action) == (pf.FACILITATOR_NAME, "recipient.answered")
    assert entry.detail == {"decision": "partly", "source": "entered", "replaced_revision": 0}

    # A correction over the answer shown replaces it; accepted needs no reasons.
    enter(pf.an_answer(Decision.ACCEPTED), seen=1)
    assert _answer_of(engine, rid)[:2] == (RecipientStatus.ANSWERED, Decision.ACCEPTED)
    assert _answer_of(engine, rid)[-1] == 2
    assert pf.recipient(engine, world, "corporatie").status == RecipientStatus.CONCEPT

    # The child-language version comes after the answer.
    with pytest.raises(InvalidInput):
        answers.set_child_answer(engine, actor=world.facilitator, recipient_id=world.recipients["corporatie"],
                                 child_answer="Ja!", child_next="")
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=rid, child_answer=" Het mag! ",
                             child_next="In de lente")
    assert (pf.recipient(engine, world, "gemeente").child_answer, _answer_of(engine, rid)[-1]) == ("Het mag!", 2)


def test_an_official_answers_for_their_own_organisation_only(engine, world):
    gemeente, corporatie = world.recipients["gemeente"], world.recipients["corporatie"]

    def official_answers(rid, seen=0, actor=None):
        answers.answer_as_official(engine, actor=actor or world.official, recipient_id=rid, seen_revision=seen,
                                   answer=pf.an_answer(Decision.REJECTED, "Geen ruimte in de begroting."))

    with pytest.raises(NotAllowed):  # a concept is not theirs yet
        official_answers(gemeente)
    pf.send(engine, world, "gemeente")
    pf.send(engine, world, "corporatie")
    with pytest.raises(NotAllowed):
        official_answers(corporatie)
    with pytest.raises(NotAllowed):  # the facilitator enters answers, they do not give them
        official_answers(gemeente, actor=world.facilitator)
    official_answers(gemeente)
    assert _answer_of(engine, gemeente) == (RecipientStatus.ANSWERED, Decision.REJECTED,
                                            "Geen ruimte in de begroting.", "Sanne de Wit", AnswerSource.ACCOUNT, 1)
    assert _answer_of(engine, corporatie) == (SENT, None, "", "", None, 0)
    with pytest.raises(Conflict):  # again over the revision before their own answer
        official_answers(gemeente)
    official_answers(gemeente, seen=1)
    assert _answer_of(engine, gemeente)[-1] == 2


def test_after_done_the_answer_no_longer_changes(engine, world):
    rid = pf.answer(engine, world, "gemeente", Decision.ACCEPTED)
    token = pf.reply_link(engine, world, "gemeente")
    proposals.move_recipient(engine, actor=world.official, recipient_id=rid, to=RecipientStatus.DONE)
    row = pf.recipient(engine, world, "gemeente")
    assert row.status == RecipientStatus.DONE and row.done_at is not None
    answered = _answer_of(engine, rid)
    with pytest.raises(NotAllowed) as done:
        answers.enter_answer(engine, actor=world.facilitator, recipient_id=rid, seen_revision=1,
                             answer=pf.an_answer(Decision.REJECTED, "Toch niet."), answered_by="Wethouder")
    assert done.value.key == "answer.already_done"
    with pytest.raises(NotAllowed):
        answers.answer_as_official(engine, actor=world.official, recipient_id=rid, seen_revision=1,
                                   answer=pf.an_answer(Decision.REJECTED, "Toch niet."))
    with pytest.raises(NotAllowed):
        answers.answer_by_link(engine, token=token, seen_revision=1, answer=pf.an_answer(), answered_by="Iemand")
    with pytest.raises(Conflict):
        proposals.move_recipient(engine, actor=world.facilitator, recipient_id=rid, to=RecipientStatus.DONE)
    assert _answer_of(engine, rid) == answered
    assert answered[0] == RecipientStatus.DONE


# --- reply links ---------------------------------------------------------------------------------


def test_a_reply_link_needs_a_sent_proposal_and_is_stored_only_as_a_hash(engine, world):
    with pytest.raises(InvalidInput) as concept:
        pf.reply_link(engine, world, "gemeente")
    assert concept.value.key == "link.send_first"
    pf.send(engine, world, "gemeente")
    for days in (0, answers.MAX_LINK_DAYS + 1):
        with pytest.raises(InvalidInput) as out_of_range:
            pf.reply_link(engine, world, "gemeente", valid_days=days)
        assert out_of_range.value.key == "validation.out_of_range"
    token = pf.reply_link(engine, world, "gemeente", valid_days=7)
    assert len(token) >= 43  # 32 random bytes
    with read_session(engine) as session:
        [link] = session.exec(select(ReplyLink)).all()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    [row] = answers.reply_links(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"])
    assert row.usable and timedelta(days=6, hours=23) < row.expires_at - utcnow() <= timedelta(days=7)


def test_a_reply_link_shows_and_answers_only_its_own_recipient(engine, world):
    other_proposal, other = _second_proposal(engine, world)
    pf.send(engine, world, "gemeente")
    pf.send(engine, world, "corporatie")
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=other["gemeente"], to=SENT)
    token = pf.reply_link(engine, world, "gemeente")

    page = answers.open_reply_link(engine, token=token)
    assert (page.organisation, page.recipient.id, page.proposal.id) == \
        ("Gemeente Rivierstad", world.recipients["gemeente"], world.proposal_id)
    assert [r.id for r in page.proposal.recipients] == [world.recipients["gemeente"]]  # not the corporatie's
    assert page.expires_at > utcnow()

    answers.answer_by_link(engine, token=token, seen_revision=page.recipient.answer_revision,
                           answer=pf.an_answer(Decision.ACCEPTED, next_step="Na de zomer"),
                           answered_by="Wethouder Jansen")
    assert _answer_of(engine, world.recipients["gemeente"]) == \
        (RecipientStatus.ANSWERED, Decision.ACCEPTED, "", "Wethouder Jansen", AnswerSource.LINK, 1)
    # The other recipient of this proposal, and the same organisation's recipient of another
    # proposal, stay without an answer.
    assert _answer_of(engine, world.recipients["corporatie"]) == (SENT, None, "", "", None, 0)
    assert _answer_of(engine, other["gemeente"]) == (SENT, None, "", "", None, 0)
    assert other_proposal != world.proposal_id

    [link] = answers.reply_links(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"])
    assert link.last_used_at is not None
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "recipient.answered")).one()
    assert entry.user_id is None and entry.subject_id == world.recipients["gemeente"]
    assert entry.actor == t("audit.via_link", name="Wethouder Jansen", organisation="Gemeente Rivierstad")
    assert entry.detail == {"decision": "accepted", "source": "link", "replaced_revision": 0}


def _expire(engine, token: str) -> None:
    with write_session(engine) as session:
        session.execute(update(ReplyLink).where(ReplyLink.id == _link_id(engine, token))
                        .values(expires_at=utcnow() - timedelta(minutes=1)))


def _refused_like_an_unknown_link(engine, token: str, seen_revision: int = 0) -> None:
    with pytest.raises(NotAllowed) as opened:
        answers.open_reply_link(engine, token=token)
    with pytest.raises(NotAllowed) as answered:
        answers.answer_by_link(engine, token=token, seen_revision=seen_revision, answer=pf.an_answer(),
                               answered_by="Iemand")
    with pytest.raises(NotAllowed) as pdf:
        answers.link_dossier_pdf(engine, token=token, photos_dir=Path("/nonexistent"))
    assert opened.value.key == answered.value.key == pdf.value.key == "link.not_valid"


def test_an_expired_link_is_refused_with_the_same_message_as_an_unknown_one(engine, world):
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    answers.open_reply_link(engine, token=token)  # valid until now
    _expire(engine, token)
    _refused_like_an_unknown_link(engine, token)
    for unknown in ("", "x" * 43, token[:-1]):
        _refused_like_an_unknown_link(engine, unknown)
    assert _answer_of(engine, world.recipients["gemeente"]) == (SENT, None, "", "", None, 0)
    [row] = answers.reply_links(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"])
    assert not row.usable and row.last_used_at is None


def test_a_revoked_link_no_longer_opens_or_answers(engine, world):
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    spare = pf.reply_link(engine, world, "gemeente")
    page = answers.open_reply_link(engine, token=token)
    link_id = _link_id(engine, token)
    with pytest.raises(NotAllowed):
        answers.revoke_reply_link(engine, actor=world.other_facilitator, link_id=link_id)
    answers.revoke_reply_link(engine, actor=world.facilitator, link_id=link_id)  # after the page was opened
    _refused_like_an_unknown_link(engine, token, page.recipient.answer_revision)
    assert _answer_of(engine, world.recipients["gemeente"]) == (SENT, None, "", "", None, 0)
    rows = {r.id: r for r in answers.reply_links(engine, actor=world.facilitator,
                                                 recipient_id=world.recipients["gemeente"])}
    assert not rows[link_id].usable and rows[link_id].revoked_at is not None
    answers.open_reply_link(engine, token=spare)  # only that one link was revoked
    assert "link.revoked" in _actions(engine, world)
    with pytest.raises(NotFound):
        answers.revoke_reply_link(engine, actor=world.facilitator, link_id=999_999)


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_a_link_ending_between_the_check_and_the_write_refuses_the_answer(engine, world, monkeypatch, ending):
    """The link is checked once more inside the UPDATE that writes the answer: a link that ends
    right after `_valid_link` passed (made here in the answering transaction itself) answers
    nothing."""
    rid = world.recipients["gemeente"]
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    page = answers.open_reply_link(engine, token=token)
    link_id = _link_id(engine, token)
    checked = answers._valid_link
    change = update(ReplyLink).where(ReplyLink.id == link_id).values(
        **({"revoked_at": utcnow()} if ending == "revoked" else {"expires_at": utcnow() - timedelta(seconds=1)}))

    def valid_then_ended(session, token, **kwargs):
        link = checked(session, token, **kwargs)  # the check passes ...
        session.execute(change)  # ... and the link ends right then
        return link

    monkeypatch.setattr(answers, "_valid_link", valid_then_ended)
    with pytest.raises(NotAllowed) as refused:
        answers.answer_by_link(engine, token=token, seen_revision=page.recipient.answer_revision,
                               answer=pf.an_answer(Decision.ACCEPTED), answered_by="Wethouder Jansen")
    assert refused.value.key == "link.not_valid"
    assert _answer_of(engine, rid) == (SENT, None, "", "", None, 0)


@pytest.mark.postgres
def test_a_revocation_waits_for_an_answer_already_being_written(engine, world, monkeypatch):
    """On PostgreSQL the answering transaction holds the link's row: a revocation from another
    connection comes after the answer (which stands) and then works; it can never slip between
    the check and the write."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite writes one at a time)")
    rid = world.recipients["gemeente"]
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    page = answers.open_reply_link(engine, token=token)
    link_id = _link_id(engine, token)
    checked = answers._valid_link
    revoker: list[threading.Thread] = []

    def valid_then_revoke_elsewhere(session, token, **kwargs):
        link = checked(session, token, **kwargs)
        thread = threading.Thread(target=answers.revoke_reply_link, kwargs={
            "engine": engine, "actor": world.facilitator, "link_id": link_id})
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the revocation must wait for the answer's transaction"
        revoker.append(thread)
        return link

    monkeypatch.setattr(answers, "_valid_link", valid_then_revoke_elsewhere)
    answers.answer_by_link(engine, token=token, seen_revision=page.recipient.answer_revision,
                           answer=pf.an_answer(Decision.ACCEPTED), answered_by="Wethouder Jansen")
    revoker[0].join(10)
    assert not revoker[0].is_alive()
    monkeypatch.undo()
    assert _answer_of(engine, rid)[1] == Decision.ACCEPTED
    _refused_like_an_unknown_link(engine, token)


def test_a_link_never_overwrites_an_answer_it_did_not_show(engine, world):
    rid = world.recipients["gemeente"]
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    shown = answers.open_reply_link(engine, token=token).recipient.answer_revision
    answers.answer_by_link(engine, token=token, seen_revision=shown,
                           answer=pf.an_answer(Decision.PARTLY, "Alleen de schommels."), answered_by="Wethouder")
    first = _answer_of(engine, rid)

    # The same link again, from the page opened before the first answer: refused.
    with pytest.raises(Conflict) as stale:
        answers.answer_by_link(engine, token=token, seen_revision=shown,
                               answer=pf.an_answer(Decision.REJECTED, "Toch niet."), answered_by="Collega")
    assert stale.value.key == "answer.changed_meanwhile"
    assert _answer_of(engine, rid) == first == (RecipientStatus.ANSWERED, Decision.PARTLY, "Alleen de schommels.",
                                                "Wethouder", AnswerSource.LINK, 1)

    # Opened again, the page shows the first answer and its revision; over that it may change.
    page = answers.open_reply_link(engine, token=token)
    assert (page.recipient.decision, page.recipient.reasons, page.recipient.answer_revision) == \
        (Decision.PARTLY, "Alleen de schommels.", 1)
    answers.answer_by_link(engine, token=token, seen_revision=page.recipient.answer_revision,
                           answer=pf.an_answer(Decision.ACCEPTED), answered_by="Collega")
    assert _answer_of(engine, rid) == (RecipientStatus.ANSWERED, Decision.ACCEPTED, "", "Collega",
                                       AnswerSource.LINK, 2)

    # An answer the facilitator entered meanwhile is not overwritten by the link either.
    answers.enter_answer(engine, actor=world.facilitator, recipient_id=rid, seen_revision=2,
                         answer=pf.an_answer(Decision.REJECTED, "Per brief."), answered_by="Wethouder")
    with pytest.raises(Conflict):
        answers.answer_by_link(engine, token=token, seen_revision=2, answer=pf.an_answer(), answered_by="Collega")
    assert _answer_of(engine, rid)[1:] == (Decision.REJECTED, "Per brief.", "Wethouder", AnswerSource.ENTERED, 3)


def test_two_answers_over_the_same_revision_at_once_exactly_one_wins(engine, world):
    rid = world.recipients["gemeente"]
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def by_official() -> None:
        start.wait()
        answers.answer_as_official(engine, actor=world.official, recipient_id=rid, seen_revision=0,
                                   answer=pf.an_answer(Decision.ACCEPTED))

    def by_link() -> None:
        start.wait()
        answers.answer_by_link(engine, token=token, seen_revision=0,
                               answer=pf.an_answer(Decision.REJECTED, "Te duur."), answered_by="Collega")

    def run(name, job) -> None:
        try:
            job()
            outcomes[name] = "won"
        except Exception as error:  # noqa: BLE001 - the loser's error is the point
            outcomes[name] = error

    threads = [threading.Thread(target=run, args=(name, job)) for name, job in
               (("official", by_official), ("link", by_link))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1, outcomes
    assert [type(e) for e in losers] == [Conflict] and losers[0].key == "answer.changed_meanwhile"
    status, decision, *_rest, revision = _answer_of(engine, rid)
    assert (status, revision) == (RecipientStatus.ANSWERED, 1)
    assert decision == (Decision.ACCEPTED if winners == ["official"] else Decision.REJECTED)
    assert _actions(engine, world, subject="recipient", subject_id=rid).count("recipient.answered") == 1


# --- overviews -----------------------------------------------------------------------------------


def test_overdue_lists_waiting_recipients_past_their_date_in_the_facilitators_wijken(engine, world):
    gemeente, corporatie = pf.send(engine, world, "gemeente"), pf.send(engine, world, "corporatie")
    assert proposals.overdue(engine, actor=world.facilitator) == []
    today = proposals.today()
    proposals.move_recipient(engine, actor=world.official, recipient_id=gemeente, to=RecipientStatus.IN_PROGRESS)
    pf.set_reply_by(engine, gemeente, today - timedelta(days=5))
    pf.set_reply_by(engine, corporatie, today - timedelta(days=1))
    late = proposals.overdue(engine, actor=world.facilitator)
    assert [r.id for r in late] == [gemeente, corporatie]  # most late first
    assert all(r.overdue for r in late)
    assert [r.id for r in proposals.overdue(engine, actor=world.admin)] == [gemeente, corporatie]
    for outsider in (world.other_facilitator, world.official, world.teacher):
        assert proposals.overdue(engine, actor=outsider) == []

    pf.answer(engine, world, "corporatie", Decision.ACCEPTED)  # answered: no longer overdue
    pf.set_reply_by(engine, gemeente, today)  # due today is not late yet
    assert proposals.overdue(engine, actor=world.facilitator) == []
    pf.set_reply_by(engine, gemeente, today - timedelta(days=1))
    assert [r.id for r in proposals.overdue(engine, actor=world.facilitator)] == [gemeente]


def test_an_official_sees_only_what_was_sent_to_their_organisation(engine, world):
    assert answers.proposals_for_official(engine, actor=world.official) == []  # concepts are not theirs yet
    second, other = _second_proposal(engine, world, keys=("gemeente", "corporatie"))
    pf.send(engine, world, "corporatie")
    assert answers.proposals_for_official(engine, actor=world.official) == []
    pf.send(engine, world, "gemeente")
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=other["gemeente"], to=SENT)
    pf.answer(engine, world, "gemeente", Decision.ACCEPTED)
    listed = answers.proposals_for_official(engine, actor=world.official)
    assert [(view.id, row.id) for view, row in listed] == [(second, other["gemeente"]),  # still waiting first
                                                          (world.proposal_id, world.recipients["gemeente"])]
    for view, row in listed:
        assert [r.organisation_id for r in view.recipients] == [world.gemeente.id] == [row.organisation_id]
    for actor in (world.facilitator, world.admin):
        with pytest.raises(NotAllowed):
            answers.proposals_for_official(engine, actor=actor)


def test_an_official_sees_this_school_year_first_with_the_year_named(engine, world):
    """Last year's proposal still waiting (a late answer stays possible) comes after this year's."""
    from sqlalchemy import update

    from kinderwijkraad.db import write_session
    from kinderwijkraad.models import Proposal
    from tests import factories

    last_year = factories.cycle(engine, world.admin, world.cycle.neighbourhood_id, school_year="2025-2026")
    second, other = _second_proposal(engine, world, keys=("gemeente",))
    with write_session(engine) as session:  # written last year (the cycle it belongs to)
        session.execute(update(Proposal).where(Proposal.id == world.proposal_id).values(cycle_id=last_year.id))
    pf.send(engine, world, "gemeente")  # last year's: waiting, the earliest reply-by date
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=other["gemeente"], to=SENT)
    listed = answers.proposals_for_official(engine, actor=world.official)
    assert [(view.id, view.school_year) for view, _ in listed] == [
        (second, world.cycle.school_year), (world.proposal_id, "2025-2026")]


# --- the dossier and the archive -----------------------------------------------------------------


def test_the_dossier_carries_support_quotes_and_photos(engine, tmp_path):
    photos_dir = tmp_path / "photos"
    world = pf.make_cycle_with_proposal(engine, photos_dir=photos_dir)
    rid = pf.send(engine, world, "gemeente")
    with read_session(engine) as session:
        names = {key: session.get(Plan, world.plans[key]).photo_name for key in ("swings", "playground")}
    (photos_dir / names["playground"]).unlink()  # a missing file is left out, not a crash

    dossier = proposals.dossier(engine, actor=world.facilitator, recipient_id=rid, photos_dir=photos_dir)
    row = pf.recipient(engine, world, "gemeente")
    assert dossier.reference == f"KWR-{world.proposal_id}-{rid}"
    assert (dossier.recipient_organisation, dossier.recipient_contact, dossier.recipient_job_title) == \
        ("Gemeente Rivierstad", "Sanne de Wit", "Beleidsmedewerker jeugd")
    assert (dossier.neighbourhood, dossier.municipality, dossier.school_year) == \
        ("Vogelbuurt", "Rivierstad", "2026-2027")
    assert (dossier.title, dossier.theme, dossier.place_owner) == ("Speeltuin", "Speeltuin", "Gemeente Rivierstad")
    assert dossier.cost_band == t("cost_band.high")
    assert dossier.reply_by == format_date(row.reply_by) and dossier.letter_date == format_date(proposals.today())
    assert (dossier.contact_name, dossier.contact_email) == (pf.FACILITATOR_NAME, pf.FACILITATOR_EMAIL)

    support = dossier.support
    assert (support.score, support.ballots, support.classes, support.schools, support.rank) == (9, 11, 2, 2, 1)
    assert support.poll_title == "Wijkstemming"
    assert {bar.label: (bar.value, bar.strong) for bar in support.bars} == {
        "Speeltuin": (9, True), "Verkeer": (6, False), "Afval": (3, False), "Groen": (1, False)}

    assert [(q.title, q.class_label) for q in dossier.quotes] == [
        ("Nieuwe schommels", "Groep 7, OBS De Regenboog"), ("Speeltuin voor iedereen", "Groep 8, CBS Het Anker"),
        ("Bankjes bij de speeltuin", "Groep 8, CBS Het Anker")]
    assert dossier.quotes[0].problem == "De schommels in het Merelpark zijn kapot."
    [photo] = dossier.photos
    assert photo.data == (photos_dir / names["swings"]).read_bytes()
    assert "Nieuwe schommels" in photo.caption and "Groep 7, OBS De Regenboog" in photo.caption
    assert "Merelpark" in photo.alt_text

    # The official reads the dossier of their own organisation once it was sent, nothing else.
    assert proposals.dossier(engine, actor=world.official, recipient_id=rid, photos_dir=photos_dir).reference == \
        dossier.reference
    for recipient_id in (world.recipients["corporatie"],):
        with pytest.raises(NotAllowed):
            proposals.dossier(engine, actor=world.official, recipient_id=recipient_id, photos_dir=photos_dir)
    with pytest.raises(NotFound):
        proposals.dossier(engine, actor=world.facilitator, recipient_id=999_999, photos_dir=photos_dir)


def test_a_dossier_outside_the_top_three_or_without_a_theme(engine, world, tmp_path):
    groen_id, groen = _second_proposal(engine, world, theme="Groen")
    dossier = proposals.dossier(engine, actor=world.facilitator, recipient_id=groen["gemeente"], photos_dir=tmp_path)
    assert (dossier.support.score, dossier.support.rank) == (1, None)  # fourth place: no rank printed
    assert [bar.label for bar in dossier.support.bars if bar.strong] == ["Groen"]
    assert (dossier.quotes, dossier.photos, dossier.reply_by) == ([], [], "")
    untethered = proposals.create_proposal(engine, actor=world.facilitator, cycle_id=world.cycle.id, theme_id=None,
                                           plan_ids=[], fields={"title": "Los voorstel"},
                                           recipients=[(world.corporatie.id, None)])
    [row] = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=untethered).recipients
    loose = proposals.dossier(engine, actor=world.facilitator, recipient_id=row.id, photos_dir=tmp_path)
    assert (loose.theme, loose.support, loose.recipient_contact) == ("", None, "")
    assert loose.cost_band == t("cost_band.unknown")
    with pytest.raises(NotAllowed):  # the official's own organisation, but still a concept
        proposals.dossier(engine, actor=world.official, recipient_id=groen["gemeente"], photos_dir=tmp_path)
    assert [p.id for p in proposals.list_proposals(engine, actor=world.facilitator, cycle_id=world.cycle.id)] == \
        [untethered, groen_id, world.proposal_id]  # newest first


def test_the_dossier_pdf_for_the_facilitator_the_official_and_the_link(engine, world, tmp_path):
    _renderer_or_skip()
    rid = pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    for pdf in (proposals.dossier_pdf(engine, actor=world.facilitator, recipient_id=rid, photos_dir=tmp_path),
                proposals.dossier_pdf(engine, actor=world.official, recipient_id=rid, photos_dir=tmp_path),
                answers.link_dossier_pdf(engine, token=token, photos_dir=tmp_path)):
        assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    with pytest.raises(NotAllowed):
        proposals.dossier_pdf(engine, actor=world.official, recipient_id=world.recipients["corporatie"],
                              photos_dir=tmp_path)


def test_the_archive_export_writes_one_pdf_per_recipient(engine, world, tmp_path):
    with pytest.raises(NotFound):
        proposals.export_proposals(engine, directory=tmp_path / "none", photos_dir=tmp_path, cycle_id=999_999)
    _renderer_or_skip()
    neighbourhoods.add_partner(engine, actor=world.admin, cycle_id=world.other_cycle.id,
                               organisation_id=world.gemeente.id)
    elsewhere = proposals.create_proposal(engine, actor=world.other_facilitator, cycle_id=world.other_cycle.id,
                                          theme_id=None, plan_ids=[], fields={"title": "Ander voorstel"},
                                          recipients=[(world.gemeente.id, None)])
    ours = tmp_path / "ours"
    written = proposals.export_proposals(engine, directory=ours, photos_dir=tmp_path, cycle_id=world.cycle.id)
    gemeente, corporatie = world.recipients["gemeente"], world.recipients["corporatie"]
    assert sorted(p.name for p in written) == sorted(p.name for p in ours.iterdir()) == sorted([
        f"voorstel-{world.proposal_id}-{gemeente}-gemeente-rivierstad.pdf",
        f"voorstel-{world.proposal_id}-{corporatie}-woonstichting-thuis.pdf"])
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written)

    everything = proposals.export_proposals(engine, directory=tmp_path / "all", photos_dir=tmp_path)
    assert len(everything) == 3 and not list((tmp_path / "all").glob("*.part"))
    assert any(re.fullmatch(rf"voorstel-{elsewhere}-\d+-gemeente-rivierstad\.pdf", p.name) for p in everything)


# --- the audit log -------------------------------------------------------------------------------


def test_the_audit_log_follows_a_proposal_without_the_childrens_words(engine, world):
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=0,
                              fields={**world.fields, "problem": "Kapotte schommels in het Merelpark."})
    rid = pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    answers.answer_by_link(engine, token=token, seen_revision=0,
                           answer=pf.an_answer(Decision.REJECTED, "Geen budget."), answered_by="Wethouder")
    answers.revoke_reply_link(engine, actor=world.facilitator, link_id=_link_id(engine, token))
    # The answer by link queued the facilitator's e-mail in its own transaction (services/mail.py).
    assert _actions(engine, world) == ["link.revoked", "mail.queued", "recipient.answered", "link.created",
                                       "recipient.status", "proposal.edited", "proposal.created"]
    assert _actions(engine, world, subject="recipient", subject_id=rid)[-1] == "recipient.status"
    entries = audit.audit_log(engine, actor=world.admin, cycle_id=world.cycle.id)
    words = ("Merelpark", "schommels", "Geen budget", "Speeltuin")
    assert not [e for e in entries if any(w in repr(e.detail) for w in words)]
    assert all(as_utc(e.at) <= utcnow() for e in entries)
    with pytest.raises(NotAllowed):
        audit.audit_log(engine, actor=world.official, cycle_id=world.cycle.id)
    with pytest.raises(NotFound):
        audit.audit_log(engine, actor=world.facilitator, cycle_id=999_999)



def test_a_proposals_history_is_its_own_and_its_recipients_entries_only(engine, world):
    other_id, other = _second_proposal(engine, world)
    pf.send(engine, world, "gemeente")
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=other["gemeente"], to=SENT)
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id, seen_revision=0,
                              fields={**world.fields, "ask": "Nieuwe schommels"})
    pf.answer(engine, world, "corporatie")
    mine = {"proposal": [world.proposal_id], "recipient": list(world.recipients.values())}

    def history(**kwargs):
        return audit.subject_history(engine, actor=world.facilitator, cycle_id=world.cycle.id, subjects=mine,
                                     **kwargs)

    everything = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id)
    expected = [row for row in everything if row.subject_id in mine.get(row.subject, ())]
    assert history() == expected
    assert [(row.action, row.subject) for row in history()] == [
        ("recipient.answered", "recipient"), ("recipient.status", "recipient"), ("proposal.edited", "proposal"),
        ("recipient.status", "recipient"), ("proposal.created", "proposal")]
    # The limit counts this proposal's entries: the other proposal's newer ones do not push them out.
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=other_id, seen_revision=0,
                              fields={**world.fields, "title": "Ander voorstel"})
    assert history(limit=2) == expected[:2]
    assert audit.subject_history(engine, actor=world.facilitator, cycle_id=world.cycle.id,
                                 subjects={"proposal": [], "recipient": []}) == []
    for outsider in (world.official, world.other_facilitator):
        with pytest.raises(NotAllowed):
            audit.subject_history(engine, actor=outsider, cycle_id=world.cycle.id, subjects=mine)


def test_a_rejected_proposal_is_never_marked_carried_out(engine, world):
    rid = pf.answer(engine, world, "gemeente", Decision.REJECTED, reasons="Geen plek.")
    with pytest.raises(InvalidInput) as refused:
        proposals.move_recipient(engine, actor=world.facilitator, recipient_id=rid, to=RecipientStatus.DONE)
    assert refused.value.key == "proposal.rejected_not_done"
    assert pf.recipient(engine, world, "gemeente").status == RecipientStatus.ANSWERED
