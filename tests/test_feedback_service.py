"""Feedback to the classes: each class's sheet shows its plans with the outcome of the vote, what
was asked and every answer (in children's words once the facilitator wrote them); sharing is
recorded; and each plan's lifecycle runs from written to feedback shared. Both engines."""

from __future__ import annotations

import pytest

from kinderwijkraad.errors import InvalidInput, NotAllowed
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Decision, RecipientStatus
from kinderwijkraad.services import answers, audit, feedback, plans, proposals
from tests import proposal_factories as pf


@pytest.fixture
def world(engine):
    return pf.make_cycle_with_proposal(engine)


def _plan(sheet, title):
    return next(plan for plan in sheet.plans if plan.title == title)


def test_a_class_sheet_shows_each_plan_with_its_outcome_and_the_answers(engine, world):
    pf.answer(engine, world, "gemeente", Decision.PARTLY, reasons="Het klimrek wel, de schommels volgend jaar.")
    pf.send(engine, world, "corporatie")
    sheet = feedback.feedback_sheet(engine, actor=world.facilitator, classroom_id=world.classes["b"].id)
    assert sheet.class_label == "Groep 8" and sheet.school == "CBS Het Anker"
    assert [p.title for p in sheet.plans] == ["Speeltuin voor iedereen", "Bankjes bij de speeltuin",
                                              "Meer prullenbakken"]
    playground = _plan(sheet, "Speeltuin voor iedereen")
    assert playground.theme == "Speeltuin"
    assert playground.outcome == t("feedback.outcome.top", place=1)
    assert playground.asked == world.fields["ask"]
    by_organisation = {a.organisation: a for a in playground.answers}
    gemeente = by_organisation["Gemeente Rivierstad"]
    assert gemeente.decision == "partly" and gemeente.decision_label == t("feedback.decision.partly")
    assert gemeente.answer == ""  # never the official's letter: the class hears the facilitator's words only
    assert set(sheet.waiting_for_words) == {"Gemeente Rivierstad: Speeltuin voor iedereen",
                                            "Gemeente Rivierstad: Bankjes bij de speeltuin"}
    assert by_organisation["Woonstichting Thuis"].decision == "waiting"
    litter = _plan(sheet, "Meer prullenbakken")  # Afval came third: in the top-3, but no proposal
    assert litter.outcome == t("feedback.outcome.top", place=3) and litter.asked == "" and litter.answers == []


def test_the_childrens_words_replace_the_official_answer_on_the_sheet(engine, world):
    recipient_id = pf.answer(engine, world, "gemeente", Decision.REJECTED, reasons="Geen budget in 2027.")
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Nee, er is dit jaar geen geld voor.", child_next="Volgend jaar opnieuw!")
    sheet = feedback.feedback_sheet(engine, actor=world.facilitator, classroom_id=world.classes["a"].id)
    answer = _plan(sheet, "Nieuwe schommels").answers[0]
    assert (answer.answer, answer.next_step) == ("Nee, er is dit jaar geen geld voor.", "Volgend jaar opnieuw!")
    assert _plan(sheet, "Een zebrapad").outcome == t("feedback.outcome.top", place=2)


def test_child_words_need_an_answer_first(engine, world):
    recipient_id = pf.send(engine, world, "gemeente")
    with pytest.raises(InvalidInput):
        answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id, child_answer="Ja",
                                 child_next="")


def test_sharing_is_recorded_per_class_and_logged(engine, world):
    recipient_id = pf.answer(engine, world, "gemeente")
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Nee, er is geen geld.", child_next="")
    before = {c.classroom_id: c for c in feedback.class_overview(engine, actor=world.facilitator,
                                                                 cycle_id=world.cycle.id)}
    assert before[world.classes["a"].id].plans == 2 and before[world.classes["a"].id].answered == 1
    assert before[world.classes["b"].id].answered == 2  # playground and bench are in the answered proposal
    assert before[world.classes["a"].id].last_shared_at is None
    feedback.record_shared(engine, actor=world.facilitator, classroom_id=world.classes["a"].id)
    after = {c.classroom_id: c for c in feedback.class_overview(engine, actor=world.facilitator,
                                                                cycle_id=world.cycle.id)}
    assert after[world.classes["a"].id].last_shared_at is not None
    assert after[world.classes["b"].id].last_shared_at is None
    log = audit.audit_log(engine, actor=world.facilitator, cycle_id=world.cycle.id, subject="classroom")
    assert [(row.action, row.subject_id) for row in log] == [("feedback.shared", world.classes["a"].id)]


def test_a_sheet_is_shared_only_with_the_childrens_words_for_the_answer_as_it_stands(engine, world):
    """An official turns a rejection the class already heard into a yes: the class's feedback is
    outdated (overview, Start, the sheet), and cannot be shared until the words are rewritten."""
    from kinderwijkraad.services import home

    class_a = world.classes["a"].id
    recipient_id = pf.answer(engine, world, "gemeente", Decision.REJECTED, reasons="Geen budget.")
    with pytest.raises(InvalidInput) as refused:
        feedback.record_shared(engine, actor=world.facilitator, classroom_id=class_a)
    assert refused.value.key == "feedback.words_needed"
    todos = home.home_overview(engine, actor=world.facilitator).cycles[0].todos
    assert [(todo.key, todo.params) for todo in todos][0] == ("todo.child_words_missing", {"count": 1})

    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Nee, er is geen geld.", child_next="")
    feedback.record_shared(engine, actor=world.facilitator, classroom_id=class_a)

    pf.answer(engine, world, "gemeente", Decision.ACCEPTED, reasons="Toch toegezegd.")  # a later letter
    sheet = feedback.feedback_sheet(engine, actor=world.facilitator, classroom_id=class_a)
    answer = _plan(sheet, "Nieuwe schommels").answers[0]
    assert answer.decision_label == t("feedback.decision.accepted") and answer.answer == ""  # not the old "Nee"
    assert sheet.waiting_for_words == ("Gemeente Rivierstad: Nieuwe schommels",)
    overview = {c.classroom_id: c for c in feedback.class_overview(engine, actor=world.facilitator,
                                                                   cycle_id=world.cycle.id)}
    assert overview[class_a].outdated
    assert pf.recipient(engine, world, "gemeente").words_needed == "outdated"
    todos = home.home_overview(engine, actor=world.facilitator).cycles[0].todos
    assert todos[0].key == "todo.child_words_outdated" and todos[0].params == {"count": 1}
    with pytest.raises(InvalidInput):
        feedback.record_shared(engine, actor=world.facilitator, classroom_id=class_a)

    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Ja! Er komen nieuwe schommels.", child_next="",
                             seen_revision=pf.recipient(engine, world, "gemeente").answer_revision)
    overview = {c.classroom_id: c for c in feedback.class_overview(engine, actor=world.facilitator,
                                                                   cycle_id=world.cycle.id)}
    assert overview[class_a].outdated  # rewritten, but the class has not heard the new answer yet
    feedback.record_shared(engine, actor=world.facilitator, classroom_id=class_a)
    overview = {c.classroom_id: c for c in feedback.class_overview(engine, actor=world.facilitator,
                                                                   cycle_id=world.cycle.id)}
    assert not overview[class_a].outdated


def test_words_written_while_the_answer_changed_are_outdated_at_once(engine, world):
    recipient_id = pf.answer(engine, world, "gemeente", Decision.REJECTED)
    read = pf.recipient(engine, world, "gemeente").answer_revision  # the facilitator opens the letter
    pf.answer(engine, world, "gemeente", Decision.ACCEPTED)  # meanwhile a new one comes in
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Nee, helaas.", child_next="", seen_revision=read)
    assert pf.recipient(engine, world, "gemeente").words_needed == "outdated"


def test_another_wijk_cannot_see_or_share_feedback(engine, world):
    with pytest.raises(NotAllowed):
        feedback.feedback_sheet(engine, actor=world.other_facilitator, classroom_id=world.classes["a"].id)
    with pytest.raises(NotAllowed):
        feedback.record_shared(engine, actor=world.other_facilitator, classroom_id=world.classes["a"].id)
    with pytest.raises(NotAllowed):
        feedback.lifecycles(engine, actor=world.other_facilitator, cycle_id=world.cycle.id)


def test_each_plan_runs_from_written_to_feedback_shared(engine, world):
    def stages():
        return {row.plan_id: row.stages for row in feedback.lifecycles(engine, actor=world.facilitator,
                                                                        cycle_id=world.cycle.id)}

    first = stages()
    swings, crossing = first[world.plans["swings"]], first[world.plans["crossing"]]
    assert swings == {"written": True, "in_theme": True, "top": True, "proposal": True, "answer": None,
                      "feedback": None}
    assert crossing["top"] is True and crossing["proposal"] is None
    recipient_id = pf.answer(engine, world, "gemeente")
    assert stages()[world.plans["swings"]]["answer"] is True
    assert stages()[world.plans["swings"]]["feedback"] is None
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Nee, er is geen geld.", child_next="")
    feedback.record_shared(engine, actor=world.facilitator, classroom_id=world.classes["a"].id)
    shared = stages()
    assert shared[world.plans["swings"]]["feedback"] is True
    assert shared[world.plans["playground"]]["feedback"] is None  # class B has not seen it yet


def test_a_plan_outside_the_top_three_stops_there_and_its_class_hears_why(engine, world):
    plans.move_plans(engine, actor=world.facilitator, cycle_id=world.cycle.id, plan_ids=[world.plans["litter"]],
                     theme_id=world.themes["Groen"])  # Groen came fourth
    rows = {row.plan_id: row for row in feedback.lifecycles(engine, actor=world.facilitator, cycle_id=world.cycle.id)}
    assert rows[world.plans["litter"]].stages["top"] is False
    assert rows[world.plans["litter"]].current == "in_theme"
    sheet = feedback.feedback_sheet(engine, actor=world.facilitator, classroom_id=world.classes["b"].id)
    assert _plan(sheet, "Meer prullenbakken").outcome == t("feedback.outcome.not_top", place=4)


def test_sheets_for_a_class_without_plans_say_so(engine, world):
    from tests import factories

    empty = factories.classroom(engine, world.admin, world.cycle.id, world.schools["a"].id, "Groep 5")
    with pytest.raises(InvalidInput) as refused:
        feedback.feedback_sheet(engine, actor=world.facilitator, classroom_id=empty.id)
    assert refused.value.key == "feedback.no_plans"


def test_the_sheet_renders_as_a_pdf_with_every_answer(engine, world):
    from kinderwijkraad.exports.feedback import render_feedback_sheet_pdf

    recipient_id = pf.answer(engine, world, "gemeente", Decision.ACCEPTED, reasons="")
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                             child_answer="Ja! De schommels komen in de zomer.", child_next="Kom kijken!")
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=recipient_id, to=RecipientStatus.DONE)
    sheet = feedback.feedback_sheet(engine, actor=world.facilitator, classroom_id=world.classes["a"].id)
    assert _plan(sheet, "Nieuwe schommels").answers[0].decision_label == t("feedback.decision.done")
    try:
        data = render_feedback_sheet_pdf(sheet)
    except NotImplementedError:
        pytest.skip("the feedback renderer is not written yet")
    import io

    import pypdf

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Nieuwe schommels" in " ".join(text.split())
    assert "De schommels komen in de zomer" in " ".join(text.split())
