"""The demo's completed previous school year (2025-2026) of De Vogelbuurt: plans, themes, a closed
vote, the council with its installation and meetings, proposals to the gemeente and the
woningcorporatie with their answers (accepted, partly, rejected with reasons), and feedback shared
with both classes — so every screen and export has something real to show on first start.

Everything goes through the services a facilitator, a teacher, a tablet and an official use. The
one exception is the clock: a demo is made in a second, so `_backdate` moves the dates of the
year's steps to when they would have happened.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import Engine, case, update
from sqlmodel import col, select

from kinderwijkraad.config import AMSTERDAM, MailSettings
from kinderwijkraad.db import write_session
from kinderwijkraad.models import (
    Candidate,
    Classroom,
    Consent,
    CouncilMember,
    CouncilRole,
    Cycle,
    Decision,
    FeedbackShare,
    Installation,
    LessonRun,
    MailMessage,
    MailStatus,
    Meeting,
    Phase,
    Plan,
    Poll,
    Proposal,
    Recipient,
    RecipientStatus,
    Team,
    Theme,
    WorkStatus,
)
from kinderwijkraad.services import (
    answers,
    ballots,
    candidates,
    council,
    feedback,
    lessons,
    mail,
    neighbourhoods,
    plans,
    polls,
    proposals,
    self_check,
    templates,
)
from kinderwijkraad.services.common import Actor

YEAR = "2025-2026"
# (team, title, problem, place, idea, for whom, what we do ourselves, cost, drawing)
PLANS_REGENBOOG = (
    ("De Tijgers", "Veilig naar school", "Op de Spechtstraat rijden auto's heel hard. Als we oversteken "
     "moeten we rennen. Mijn broertje is bijna aangereden.", "Spechtstraat bij OBS De Regenboog",
     "Een zebrapad met een drempel en een bord 'Let op, kinderen'.", "Alle kinderen die naar school lopen",
     "Wij maken posters voor de ramen en houden een verkeersles voor groep 3.",
     "Een beetje (zoals een bankje)", "crossing"),
    ("De Leeuwen", "Oversteken zonder angst", "Bij het kruispunt Vogelweg-Spechtstraat staat geen "
     "verkeerslicht. Auto's stoppen niet voor ons.", "Kruispunt Vogelweg en Spechtstraat",
     "Een verkeerslicht of een klaar-over bij het kruispunt.", "Kinderen en ouderen",
     "Wij willen klaar-over worden met een hesje.", "Veel (zoals een speeltuin)", None),
    ("De Panters", "Een plek voor ons", "Na school hebben we geen plek om te hangen. Op het plein "
     "worden we weggestuurd.", "Grasveld achter het buurthuis", "Een overkapping met bankjes en een "
     "basketbalpaal.", "Kinderen van 10 tot 14 jaar", "Wij helpen met het ontwerp en houden het schoon.",
     "Veel (zoals een speeltuin)", None),
    ("De Wolven", "Groen in de Merelhof", "De binnentuin van de Merelhof is alleen stenen. Er is "
     "niks om te spelen.", "Binnentuin Merelhof", "Bomen, een moestuin en een klimboom.",
     "De kinderen en de bewoners van de Merelhof", "Wij planten zelf de moestuin en geven hem water.",
     "Een beetje (zoals een bankje)", "garden"),
)
PLANS_VLINDER = (
    ("De Egels", "Veilige schoolroute", "Er staan auto's op de stoep, dus we moeten op de weg lopen.",
     "Spechtstraat en Merelplein", "Paaltjes op de stoep en een looproute met voetjes op de grond.",
     "Alle kinderen van de twee scholen", "Wij schilderen de voetjes samen met de gemeente.",
     "Een beetje (zoals een bankje)", None),
    ("De Dassen", "Een schoon portiek", "In de portieken van de flats aan de Zwaluwlaan ligt afval en "
     "het stinkt. Het licht is vaak kapot.", "Portieken Zwaluwlaan 2-40", "Vaker schoonmaken, nieuwe "
     "lampen en een prikbord voor de bewoners.", "Iedereen die in de flats woont",
     "Wij maken een schoonmaakrooster met de bewoners.", "Bijna niets", "porch"),
    ("De Bevers", "Hangplek voor de jeugd", "De oudere kinderen hebben niks te doen en hangen bij de "
     "winkels.", "Winkelplein", "Een hangplek met wifi en een voetbalkooi.", "Jongeren",
     "Wij vragen de jongeren wat zij willen.", "Veel (zoals een speeltuin)", None),
    ("De Otters", "Speeltuin in de binnentuin", "Bij de Merelhof kunnen kleine kinderen nergens spelen.",
     "Binnentuin Merelhof", "Een zandbak en een schommel.", "Kleine kinderen",
     "Wij helpen met planten en opruimen.", "Een beetje (zoals een bankje)", None),
)
THEMES = {
    "Een veilige schoolroute": ("Veilig naar school", "Oversteken zonder angst", "Veilige schoolroute"),
    "Groen en spelen in de Merelhof": ("Groen in de Merelhof", "Speeltuin in de binnentuin"),
    "Een schoon portiek": ("Een schoon portiek",),
    "Een hangplek voor de jeugd": ("Een plek voor ons", "Hangplek voor de jeugd"),
}
# Pictures beside the theme names; the hangplek has none (the words alone are fine too).
THEME_PICTURES = {"Een veilige schoolroute": "crossing", "Groen en spelen in de Merelhof": "tree",
                  "Een schoon portiek": "flats"}
# (times, themes ticked) per class: approval vote, at most three themes each.
BALLOTS = {
    0: ((9, ("Een veilige schoolroute", "Een hangplek voor de jeugd")),
        (6, ("Een veilige schoolroute", "Groen en spelen in de Merelhof", "Een schoon portiek")),
        (5, ("Een hangplek voor de jeugd", "Een schoon portiek")),
        (3, ("Groen en spelen in de Merelhof",))),
    1: ((8, ("Een veilige schoolroute", "Een schoon portiek")),
        (7, ("Een schoon portiek", "Groen en spelen in de Merelhof")),
        (4, ("Een hangplek voor de jeugd", "Een veilige schoolroute")),
        (3, ("Groen en spelen in de Merelhof", "Een hangplek voor de jeugd"))),
}
SIGN_UPS = (("Noor", "Daan", "Yara"), ("Milan", "Lotte", "Sem"))
CONSENT = {"Noor": Consent.GIVEN, "Daan": Consent.GIVEN, "Yara": Consent.REFUSED, "Milan": Consent.GIVEN,
           "Lotte": Consent.GIVEN, "Sem": Consent.PENDING}
ROLES = {"Noor": CouncilRole.CHAIR, "Milan": CouncilRole.SECRETARY}
PROGRAMME = """14:00 Welkom door de burgemeester
14:10 De kinderen vertellen over hun plannen
14:30 Installatie: de wethouder reikt de certificaten uit
14:45 Foto en limonade
15:00 Einde"""


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _drawing(kind: str) -> bytes:
    """A child's drawing of the place, made with Pillow (a photo upload stores the same way)."""
    image = Image.new("RGB", (1200, 900), (250, 248, 240))
    pen = ImageDraw.Draw(image)
    pen.ellipse((1000, 60, 1120, 180), fill=(255, 205, 60))  # the sun every child draws
    if kind == "crossing":
        pen.rectangle((0, 480, 1200, 760), fill=(90, 90, 96))
        for x in range(380, 820, 80):
            pen.rectangle((x, 490, x + 44, 750), fill=(245, 245, 245))
        pen.rectangle((120, 200, 420, 470), fill=(200, 70, 60))
        pen.polygon([(100, 200), (270, 90), (440, 200)], fill=(120, 40, 40))
        pen.rectangle((240, 360, 300, 470), fill=(90, 60, 40))
        pen.rectangle((880, 380, 1080, 470), fill=(40, 110, 200))  # a car that drives too fast
        pen.ellipse((900, 450, 950, 500), fill=(20, 20, 20))
        pen.ellipse((1010, 450, 1060, 500), fill=(20, 20, 20))
    elif kind == "garden":
        pen.rectangle((0, 620, 1200, 900), fill=(150, 150, 150))
        for x in range(60, 1150, 140):
            pen.rectangle((x, 640, x + 120, 700), outline=(110, 110, 110), width=4)
        for x in (250, 650, 950):
            pen.rectangle((x, 380, x + 30, 620), fill=(110, 70, 30))
            pen.ellipse((x - 90, 220, x + 120, 420), fill=(70, 160, 70))
    else:  # porch
        pen.rectangle((200, 120, 1000, 880), fill=(180, 160, 130))
        pen.rectangle((480, 520, 720, 880), fill=(80, 60, 50))
        pen.ellipse((570, 440, 630, 500), fill=(60, 60, 60))  # the broken lamp
        for x, y in ((300, 820), (380, 850), (820, 830), (900, 800)):
            pen.ellipse((x, y, x + 50, y + 30), fill=(60, 120, 60))  # rubbish bags
    return _jpeg(image)


def _lesson(engine: Engine, admin: Actor, classroom_id: int, written: tuple, photos_dir: Path | None) -> None:
    """Les 2 in one class: each team writes its plan on a tablet, the teacher approves it."""
    template = templates.latest_template(engine)
    run_id = lessons.start_run(engine, actor=admin, classroom_id=classroom_id, template_id=template.id,
                               lesson_index=1)
    for team, title, problem, place, idea, for_whom, ourselves, cost, drawing in written:
        token, _ = lessons.join_team(engine, run_id=run_id, team_name=team)
        plans.save_answers(engine, token=token, answers={
            "title": title, "problem": problem, "place": place, "idea": idea, "for_whom": for_whom,
            "ourselves": ourselves, "cost": cost, "helpers": "De gemeente",
        })
        if drawing and photos_dir is not None:
            plans.save_photo(engine, token=token, data=_drawing(drawing), directory=photos_dir)
        plan = plans.team_plan(engine, token=token)
        plans.approve_plan(engine, actor=admin, plan_id=plan.id, seen_revision=plan.revision)
    lessons.end_run(engine, actor=admin, run_id=run_id)


def _sign_ups(engine: Engine, admin: Actor, classroom_id: int, names: tuple[str, ...]) -> None:
    """Les 3's last step: children who want to join the council leave their first name."""
    template = templates.latest_template(engine)
    run_id = lessons.start_run(engine, actor=admin, classroom_id=classroom_id, template_id=template.id,
                               lesson_index=2)
    lessons.go_to_step(engine, actor=admin, run_id=run_id, step_index=2)
    token, _ = lessons.join_team(engine, run_id=run_id, team_name="Aanmelden")
    for name in names:
        candidates.sign_up(engine, token=token, first_name=name)
    lessons.end_run(engine, actor=admin, run_id=run_id)


def _vote(engine: Engine, admin: Actor, cycle_id: int, classroom_ids: list[int]) -> int:
    poll_id = polls.create_poll(engine, actor=admin, cycle_id=cycle_id, title="Wijkstemming Vogelbuurt 2025",
                                question="Welke drie onderwerpen moet de Kinderwijkraad oppakken?")
    polls.open_poll(engine, actor=admin, poll_id=poll_id)
    for index, classroom_id in enumerate(classroom_ids):
        vote_with_cards(engine, admin, poll_id, classroom_id, BALLOTS[index])
    polls.close_poll(engine, actor=admin, poll_id=poll_id)
    return poll_id


def vote_with_cards(engine: Engine, admin: Actor, poll_id: int, classroom_id: int, groups: tuple) -> None:
    """A class votes with printed cards: `groups` is (times, option labels) per kind of ballot."""
    option = {o.label: o.id for o in polls.poll_view(engine, actor=admin, poll_id=poll_id).options}
    sheet = ballots.issue_cards(engine, actor=admin, poll_id=poll_id, classroom_id=classroom_id,
                                count=sum(times for times, _ in groups), base_url="http://localhost:8501")
    cards = iter(sheet.cards)
    for times, choices in groups:
        for _ in range(times):
            ballots.cast_with_card(engine, code=next(cards).code, choices=[option[name] for name in choices])


def _council(engine: Engine, facilitator: Actor, cycle_id: int) -> None:
    view = council.council_of_cycle(engine, actor=facilitator, cycle_id=cycle_id)
    for row in view.candidates:
        council.record_consent(engine, actor=facilitator, candidate_id=row.candidate_id,
                               consent=CONSENT[row.first_name])
    members = {m.first_name: m.id for m in council.council_of_cycle(engine, actor=facilitator,
                                                                     cycle_id=cycle_id).members}
    for name, role in ROLES.items():
        council.set_member_role(engine, actor=facilitator, member_id=members[name], role=role)
    council.save_installation(engine, actor=facilitator, cycle_id=cycle_id, alderman_name="Marieke Jansen",
                              alderman_title="wethouder Jeugd en Wijken", installed_on=date(2025, 11, 12),
                              venue="Raadzaal, stadhuis Rivierstad", programme=PROGRAMME)
    council.create_meeting(
        engine, actor=facilitator, cycle_id=cycle_id, held_on=date(2025, 12, 3),
        agenda="1. Kennismaken\n2. De top-3 van de wijkstemming\n3. Wie schrijft welk voorstel?",
        minutes="Noor heeft de vergadering geopend. We hebben de uitslag bekeken. Milan schrijft de notulen.",
        decisions="We schrijven drie voorstellen: schoolroute en hangplek aan de gemeente, het portiek aan "
                  "de woonstichting.", member_ids=list(members.values()))
    council.create_meeting(
        engine, actor=facilitator, cycle_id=cycle_id, held_on=date(2026, 3, 18),
        agenda="1. Reacties van de gemeente en de woonstichting\n2. Wat vertellen we de klassen?",
        minutes="De wethouder komt het zebrapad samen met ons openen.",
        decisions="Daan en Lotte vertellen het in de klassen.",
        member_ids=[members["Noor"], members["Milan"], members["Daan"]])


def _work_list(engine: Engine, facilitator: Actor, cycle_id: int, organisation_of: dict[str, int]) -> None:
    for row in council.work_list(engine, actor=facilitator, cycle_id=cycle_id).rows:
        partner, action, status = WORK.get(row.theme, ("gemeente", "Voorstel schrijven", WorkStatus.TODO))
        council.update_work_item(engine, actor=facilitator, cycle_id=cycle_id, theme_id=row.theme_id,
                                 organisation_id=organisation_of[partner], next_action=action, status=status)


WORK = {
    "Een veilige schoolroute": ("gemeente", "Zebrapad openen met de wethouder (juni)", WorkStatus.DONE),
    "Een schoon portiek": ("corporatie", "Schoonmaakrooster maken met de bewoners", WorkStatus.DOING),
    "Een hangplek voor de jeugd": ("gemeente", "Jongerenwerk uitnodigen in de raad", WorkStatus.DOING),
    "Groen en spelen in de Merelhof": ("corporatie", "Idee meenemen naar volgend jaar", WorkStatus.TODO),
}
# theme -> (organisation, the ask, answer: decision, reasons, next step, how it came, child words)
PROPOSALS = {
    "Een veilige schoolroute": (
        "gemeente", "Wilt u een zebrapad met een drempel aanleggen op de Spechtstraat bij OBS De Regenboog, "
        "en een verkeerslicht op het kruispunt met de Vogelweg onderzoeken?",
        Decision.ACCEPTED, "Het zebrapad en de drempel komen er in het voorjaar. De verkeerstelling liet zien "
        "dat er op de Spechtstraat te hard wordt gereden. Het verkeerslicht onderzoeken we in 2026.",
        "Aanleg in april; de kinderwijkraad opent het zebrapad samen met de wethouder.", "account",
        "Er komt een zebrapad met een drempel bij De Regenboog. De gemeente heeft geteld hoe hard de auto's "
        "rijden: te hard. Over het verkeerslicht denken ze nog na.",
        "In april wordt het zebrapad gemaakt. De kinderwijkraad mag het openen met de wethouder."),
    "Een schoon portiek": (
        "corporatie", "Wilt u de portieken aan de Zwaluwlaan vaker laten schoonmaken, de kapotte lampen "
        "vervangen en een prikbord ophangen?",
        Decision.PARTLY, "De lampen vervangen we deze maand. Vaker schoonmaken kan niet: dat betalen alle "
        "huurders samen en daar moeten zij eerst over stemmen. Een prikbord hangen we op als de bewoners dat willen.",
        "Wijkconsulent Karim El Amrani praat met de bewonerscommissie.", "link",
        "De kapotte lampen worden gemaakt. Vaker schoonmaken kost geld van alle "
        "bewoners; die mogen eerst zelf kiezen.",
        "De woonstichting praat met de bewoners. Jullie schoonmaakrooster helpt daarbij!"),
    "Een hangplek voor de jeugd": (
        "gemeente", "Wilt u samen met de kinderen en jongeren een hangplek met een overkapping en een "
        "voetbalkooi maken op het grasveld achter het buurthuis?",
        Decision.REJECTED, "Het grasveld achter het buurthuis wordt in 2027 gebruikt voor nieuwe woningen. "
        "Een voetbalkooi op een andere plek past niet in het budget van dit jaar. Wel nodigen we het "
        "jongerenwerk uit om met de kinderwijkraad naar een andere plek te zoeken.",
        "Het jongerenwerk neemt contact op met de begeleider.", "entered",
        "Op het grasveld komen later nieuwe huizen, en een voetbalkooi ergens "
        "anders is te duur voor dit jaar.",
        "Het jongerenwerk komt naar de kinderwijkraad om samen een andere plek te zoeken."),
}


def seed_previous_year(engine: Engine, *, admin: Actor, facilitator: Actor, official: Actor, neighbourhood_id: int,
                       schools: tuple[int, int], partners: tuple[tuple[int, int], tuple[int, int]],
                       photos_dir: Path | None, mail_settings: MailSettings | None = None) -> int:
    """The whole of 2025-2026, closed; returns the cycle's id. With `mail_settings`, the notices of
    its answers went to the facilitator (into the outbox folder)."""
    cycle = neighbourhoods.create_cycle(engine, actor=admin, neighbourhood_id=neighbourhood_id, school_year=YEAR,
                                        listener="Wethouder Jeugd en Wijken", reply_by_days=42, budget_eur=4000)
    (gemeente, gemeente_contact), (corporatie, corporatie_contact) = partners
    neighbourhoods.add_partner(engine, actor=admin, cycle_id=cycle.id, organisation_id=gemeente,
                               listener="Wethouder Jeugd en Wijken", reply_by_days=42, budget_eur=4000)
    neighbourhoods.add_partner(engine, actor=admin, cycle_id=cycle.id, organisation_id=corporatie,
                               listener="Wijkconsulent Vogelbuurt", reply_by_days=56)
    classrooms = [
        neighbourhoods.create_classroom(engine, actor=admin, cycle_id=cycle.id, school_id=school_id, name=name,
                                        grade=grade, pupil_count=pupils, teacher_ids=[]).id
        for school_id, name, grade, pupils in ((schools[0], "Groep 8", 8, 26), (schools[1], "Groep 7", 7, 24))
    ]
    for classroom_id, written in zip(classrooms, (PLANS_REGENBOOG, PLANS_VLINDER), strict=True):
        _lesson(engine, admin, classroom_id, written, photos_dir)
    plan_ids = {plan.title: plan.id for plan in plans.cycle_plans(engine, actor=admin, cycle_id=cycle.id)}
    for name, titles in THEMES.items():
        theme_id = plans.create_theme(engine, actor=admin, cycle_id=cycle.id, name=name)
        plans.set_pictogram(engine, actor=admin, theme_id=theme_id, pictogram=THEME_PICTURES.get(name))
        plans.move_plans(engine, actor=admin, cycle_id=cycle.id, plan_ids=[plan_ids[t] for t in titles],
                         theme_id=theme_id)
    poll_id = _vote(engine, admin, cycle.id, classrooms)
    for classroom_id, names in zip(classrooms, SIGN_UPS, strict=True):
        _sign_ups(engine, admin, classroom_id, names)
    _council(engine, facilitator, cycle.id)
    organisation_of = {"gemeente": gemeente, "corporatie": corporatie}
    _work_list(engine, facilitator, cycle.id, organisation_of)
    contacts = {gemeente: gemeente_contact, corporatie: corporatie_contact}
    sources = {source.name: source for source in proposals.theme_sources(engine, actor=facilitator, cycle_id=cycle.id)}
    for theme, (partner, ask, decision, reasons, next_step, how, child, child_next) in PROPOSALS.items():
        source = sources[theme]
        organisation = organisation_of[partner]
        fields = proposals.draft_from_theme(engine, actor=facilitator, theme_id=source.theme_id)
        owner = "Gemeente Rivierstad" if partner == "gemeente" else "Woonstichting Rivierthuis"
        fields.update(ask=ask, place_owner=owner, contact_phone="06-12345678")
        proposal_id = proposals.create_proposal(
            engine, actor=facilitator, cycle_id=cycle.id, theme_id=source.theme_id,
            plan_ids=[p.id for p in source.plans], fields=fields, recipients=[(organisation, contacts[organisation])])
        recipient_id = proposals.get_proposal(engine, actor=facilitator, proposal_id=proposal_id).recipients[0].id
        proposals.move_recipient(engine, actor=facilitator, recipient_id=recipient_id, to=RecipientStatus.SENT)
        answer = answers.AnswerInput(decision, reasons, next_step, "Sanne de Wit, 14 0123" if partner == "gemeente"
                                     else "Karim El Amrani, wijkconsulent")
        if how == "account":
            proposals.move_recipient(engine, actor=official, recipient_id=recipient_id, to=RecipientStatus.IN_PROGRESS)
            answers.answer_as_official(engine, actor=official, recipient_id=recipient_id, seen_revision=0,
                                       answer=answer)
        elif how == "link":
            token = answers.create_reply_link(engine, actor=facilitator, recipient_id=recipient_id)
            answers.answer_by_link(engine, token=token, seen_revision=0, answer=answer,
                                   answered_by="Karim El Amrani")
        else:
            answers.enter_answer(engine, actor=facilitator, recipient_id=recipient_id, seen_revision=0,
                                 answer=answer, answered_by="Marieke Jansen, wethouder (brief)")
        answers.set_child_answer(engine, actor=facilitator, recipient_id=recipient_id, child_answer=child,
                                 child_next=child_next)
        if decision == Decision.ACCEPTED:
            proposals.move_recipient(engine, actor=official, recipient_id=recipient_id, to=RecipientStatus.DONE)
    if mail_settings is not None:  # the facilitator heard of each answer (dated with it in _backdate)
        mail.deliver_due(engine, replace(mail_settings, smtp_url=None))
    for classroom_id in classrooms:
        feedback.record_shared(engine, actor=facilitator, classroom_id=classroom_id)
    # The facilitator's participation self-check: two points still to improve.
    self_check.save_self_check(engine, actor=facilitator, cycle_id=cycle.id, answers={
        question: question not in ("space.inclusive", "influence.changed") for question in self_check.QUESTIONS})
    phase = Phase.PREPARATION
    while phase != Phase.CLOSED:
        phase = neighbourhoods.advance_cycle_phase(engine, actor=admin, cycle_id=cycle.id, from_phase=phase)
    _backdate(engine, cycle.id, poll_id)
    return cycle.id


# The year's calendar: Les 2 (plans), themes, Les 3 (the vote and the sign-ups), the parents' consent
# (which makes a child a member), the installation; the meetings come after (see _council).
LES_2, THEMES_MADE, LES_3, CONSENT_IN = date(2025, 10, 7), date(2025, 10, 9), date(2025, 10, 16), date(2025, 10, 30)


def _backdate(engine: Engine, cycle_id: int, poll_id: int) -> None:
    """Move the year's steps to their dates: plans and the vote with the sign-ups in October, consent
    and installation before the first meeting, answers in winter, feedback in spring."""
    def at(day: date, hour: int = 10) -> datetime:
        return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)

    with write_session(engine) as session:
        classes = select(Classroom.id).where(Classroom.cycle_id == cycle_id)
        runs = select(LessonRun.id).where(col(LessonRun.classroom_id).in_(classes))
        les_2 = select(LessonRun.id).where(col(LessonRun.classroom_id).in_(classes), LessonRun.lesson_index == 1)
        session.execute(update(LessonRun).where(col(LessonRun.id).in_(les_2)).values(
            started_at=at(LES_2, 9), ended_at=at(LES_2, 11), code_expires_at=at(LES_2, 12)))
        session.execute(update(LessonRun).where(col(LessonRun.id).in_(runs), LessonRun.lesson_index == 2).values(
            started_at=at(LES_3, 9), ended_at=at(LES_3, 11), code_expires_at=at(LES_3, 12)))
        session.execute(update(Team).where(col(Team.run_id).in_(les_2)).values(created_at=at(LES_2, 9)))
        session.execute(update(Team).where(col(Team.run_id).in_(runs), col(Team.run_id).not_in(les_2))
                        .values(created_at=at(LES_3, 9)))
        session.execute(update(Plan).where(col(Plan.run_id).in_(runs)).values(
            updated_at=at(LES_2, 11), approved_at=at(LES_2, 11)))
        session.execute(update(Theme).where(Theme.cycle_id == cycle_id).values(created_at=at(THEMES_MADE)))
        session.execute(update(Poll).where(Poll.id == poll_id).values(created_at=at(THEMES_MADE)))
        session.execute(update(Candidate).where(col(Candidate.classroom_id).in_(classes)).values(
            created_at=at(LES_3, 11)))
        session.execute(update(Candidate).where(col(Candidate.classroom_id).in_(classes),
                                                col(Candidate.consent_recorded_at).is_not(None))
                        .values(consent_recorded_at=at(CONSENT_IN)))
        session.execute(update(CouncilMember).where(CouncilMember.cycle_id == cycle_id).values(
            created_at=at(CONSENT_IN)))
        session.execute(update(Installation).where(Installation.cycle_id == cycle_id).values(
            updated_at=at(CONSENT_IN, 14)))
        for meeting in session.exec(select(Meeting).where(Meeting.cycle_id == cycle_id)).all():
            session.execute(update(Meeting).where(Meeting.id == meeting.id).values(
                created_at=at(meeting.held_on, 17), updated_at=at(meeting.held_on, 17)))
        session.execute(update(Poll).where(Poll.id == poll_id).values(
            opened_at=at(date(2025, 10, 14)), closed_at=at(date(2025, 10, 16))))
        recipients = session.exec(select(Recipient).join(Proposal, col(Proposal.id) == Recipient.proposal_id)
                                  .where(Proposal.cycle_id == cycle_id)).all()
        for number, recipient in enumerate(recipients):
            sent = date(2025, 12, 10) + timedelta(days=number)
            session.execute(update(Recipient).where(Recipient.id == recipient.id).values(
                sent_at=at(sent), reply_by=sent + timedelta(days=42),
                in_progress_at=at(sent + timedelta(days=7)) if recipient.in_progress_at else None,
                answered_at=at(sent + timedelta(days=30 + 4 * number)),
                done_at=at(date(2026, 4, 20)) if recipient.done_at else None))
            answered = at(sent + timedelta(days=30 + 4 * number))
            session.execute(update(MailMessage).where(MailMessage.recipient_id == recipient.id).values(
                created_at=answered, next_try_at=answered,
                sent_at=case((MailMessage.status == MailStatus.SENT, answered + timedelta(minutes=2)), else_=None)))
        session.execute(update(FeedbackShare).where(FeedbackShare.cycle_id == cycle_id)
                        .values(shared_at=at(date(2026, 3, 25))))
        # Closed at the end of the school year: its children's data is due for removal now.
        session.execute(update(Cycle).where(Cycle.id == cycle_id).values(phase_changed_at=at(date(2026, 7, 10))))


def seed_late_proposal(engine: Engine, *, facilitator: Actor, cycle_id: int, partner: tuple[int, int],
                       mail_settings: MailSettings | None = None) -> None:
    """This year's first proposal, sent to the woonstichting eight weeks ago and still unanswered:
    what the facilitator's home page flags. With `mail_settings` it went by e-mail: its dossier
    message and the two reminders since are in the outbox folder (never to a mail server: the
    demo's addresses are made up), dated when they would have gone."""
    sources = proposals.theme_sources(engine, actor=facilitator, cycle_id=cycle_id)
    source = next(s for s in sources if s.in_top)
    fields = proposals.draft_from_theme(engine, actor=facilitator, theme_id=source.theme_id)
    fields.update(ask="Wilt u samen met de gemeente de speeltuin aan het Merelplein opknappen?",
                  place_owner="Woonstichting Rivierthuis")
    organisation_id, contact_id = partner
    proposal_id = proposals.create_proposal(engine, actor=facilitator, cycle_id=cycle_id, theme_id=source.theme_id,
                                            plan_ids=[p.id for p in source.plans], fields=fields,
                                            recipients=[(organisation_id, contact_id)])
    recipient_id = proposals.get_proposal(engine, actor=facilitator, proposal_id=proposal_id).recipients[0].id
    if mail_settings is None:
        proposals.move_recipient(engine, actor=facilitator, recipient_id=recipient_id, to=RecipientStatus.SENT)
    else:
        mail_settings = replace(mail_settings, smtp_url=None)
        mail.send_proposal(engine, actor=facilitator, recipient_id=recipient_id, mail=mail_settings)
    sent = proposals.today() - timedelta(days=60)
    sent_at = datetime(sent.year, sent.month, sent.day, 10, 0, tzinfo=UTC)
    reply_by = sent + timedelta(days=56)
    with write_session(engine) as session:
        session.execute(update(Recipient).where(Recipient.id == recipient_id).values(
            sent_at=sent_at, reply_by=reply_by))
        session.execute(update(MailMessage).where(MailMessage.recipient_id == recipient_id).values(
            created_at=sent_at, next_try_at=sent_at))
    if mail_settings is not None:
        # The mail runs of the weeks since: the dossier that day, a reminder a week before the
        # reply-by date and one on it (the woonstichting has not answered).
        mail.deliver_due(engine, mail_settings, now=sent_at + timedelta(minutes=2))
        for day in (reply_by - timedelta(days=7), reply_by):
            mail.send_due(engine, mail_settings, now=datetime(day.year, day.month, day.day, 9, 0, tzinfo=AMSTERDAM))
