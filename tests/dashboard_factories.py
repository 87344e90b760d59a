"""Years of history for many wijken, written straight into the tables with bulk inserts: what the
national dashboard and its benchmark run on.

`make_history(engine, wijken=200, years=5)` gives every wijk one cycle per school year (the
newest is this school year), each with 2-4 classes, ended lesson runs, teams and their plans
(a few left empty, as tablets leave them), themes, a wijk-wide vote on themes (closed from the
council phase on: cards in some classes, paper in the others), proposals from the top themes
with recipients in every status, feedback shared with classes, and self-checks. Older years are
mostly closed; this year's cycles are spread over all phases.

Rows go in with SQLAlchemy Core (one executemany per table, explicit ids after the highest
present), never through the services: 200 x 5 cycles take seconds, not minutes. The generator
counts what it wrote (`History.expected`), so a test can hold the dashboard's SQL against it.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from kinderwijkraad.models import (
    Ballot,
    BallotKind,
    Classroom,
    CostBand,
    CountMethod,
    Cycle,
    Decision,
    FacilitatorNeighbourhood,
    FeedbackShare,
    LessonRun,
    LessonTemplate,
    Neighbourhood,
    OptionSubject,
    Organisation,
    OrganisationKind,
    PaperTally,
    Phase,
    Plan,
    PlanStatus,
    Poll,
    PollOption,
    Proposal,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    Role,
    School,
    SelfCheck,
    Team,
    Theme,
    User,
)
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import templates
from kinderwijkraad.services.proposals import WAITING
from kinderwijkraad.services.self_check import QUESTIONS

SEED = 20261127
THEME_NAMES = ("Speeltuin", "Verkeer", "Afval", "Groen", "Veiligheid", "Sport", "Hangplek")
ORDER = list(Phase)


def school_year_of(day: date) -> str:
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


@dataclass
class History:
    admin_id: int
    facilitator_id: int  # a facilitator of the first three wijken made here
    neighbourhood_ids: list[int]
    cycle_ids: list[int]
    school_years: list[str]  # oldest first
    expected: Counter = field(default_factory=Counter)  # totals as written: plans, ballots, sent, ...
    rows: int = 0


class _Ids:
    """The next free id per table, after the highest present."""

    def __init__(self, connection) -> None:  # SQLAlchemy connection
        self._next: dict[str, int] = {}
        self._connection = connection

    def __call__(self, model: type[SQLModel]) -> int:
        table = model.__table__
        if table.name not in self._next:
            highest = self._connection.execute(select(func.max(table.c.id))).scalar()
            self._next[table.name] = (highest or 0) + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value


def _when(year_start: int, month: int, day: int, now: datetime, back_days: int) -> datetime:
    """A moment of a school year's calendar; this year's steps, not yet due, are put in the recent
    past instead (in order), so every stored moment has happened."""
    planned = datetime(year_start + (month < 8), month, day, 10, 0, tzinfo=UTC)
    return planned if planned < now - timedelta(days=back_days) else now - timedelta(days=back_days)


# One generator, read top to bottom.
def make_history(engine: Engine, *, wijken: int = 200, years: int = 5, seed: int = SEED) -> History:
    rng = random.Random(seed)
    now = utcnow()
    this_year = school_year_of(now.date())
    first = int(this_year[:4]) - years + 1
    school_years = [f"{y}-{y + 1}" for y in range(first, first + years)]
    templates.store_shipped_templates(engine)
    rows: dict[type[SQLModel], list[dict]] = defaultdict(list)
    expected: Counter = Counter()

    with engine.begin() as connection:
        ids = _Ids(connection)
        template_id = connection.execute(select(LessonTemplate.__table__.c.id)
                                         .order_by(LessonTemplate.__table__.c.id).limit(1)).scalar()
        people = []
        for role in (Role.ADMIN, Role.FACILITATOR):
            user_id = ids(User)
            people.append(user_id)
            rows[User].append({"id": user_id, "username": f"hist-{role.value}-{user_id}",
                               "display_name": f"Historie {role.value}", "email": "", "role": role, "active": True,
                               "password_hash": "!", "must_change_password": False, "organisation_id": None,
                               "created_at": now, "last_login_at": None, "cookies_valid_after": None})
        admin_id, facilitator_id = people
        organisations = []
        for kind in (OrganisationKind.MUNICIPALITY, OrganisationKind.HOUSING, OrganisationKind.WELFARE):
            for _ in range(4):
                organisation_id = ids(Organisation)
                organisations.append(organisation_id)
                rows[Organisation].append({"id": organisation_id, "name": f"Partner {kind.value} {organisation_id}",
                                           "kind": kind, "created_at": now, "archived_at": None})

        wijk_ids, cycle_ids = [], []
        for w in range(wijken):
            wijk_id = ids(Neighbourhood)
            wijk_ids.append(wijk_id)
            rows[Neighbourhood].append({"id": wijk_id, "name": f"Historiewijk {wijk_id:04d}",
                                        "municipality": f"Stad {w % 25:02d}", "created_at": now,
                                        "archived_at": None})
            if w < 3:
                rows[FacilitatorNeighbourhood].append({"user_id": facilitator_id, "neighbourhood_id": wijk_id})
            schools = []
            for s in range(rng.randint(1, 3)):
                school_id = ids(School)
                schools.append(school_id)
                rows[School].append({"id": school_id, "neighbourhood_id": wijk_id, "name": f"School {s + 1}",
                                     "created_at": now, "archived_at": None})
            partners = rng.sample(organisations, 2)
            for year in school_years:
                current = year == this_year
                start = int(year[:4])
                if current:
                    phase = rng.choice(ORDER)
                else:
                    phase = rng.choices((Phase.CLOSED, Phase.FEEDBACK, Phase.IMPLEMENTATION), (8, 1, 1))[0]
                step = ORDER.index(phase)
                cycle_id = ids(Cycle)
                cycle_ids.append(cycle_id)
                expected["cycles"] += 1
                rows[Cycle].append({"id": cycle_id, "neighbourhood_id": wijk_id, "school_year": year, "listener": "",
                                    "reply_by_days": 42, "budget_eur": None, "phase": phase,
                                    "phase_changed_at": now, "created_at": _when(start, 8, 20, now, 90),
                                    "archived_at": None, "child_data_removed_at": None})
                if rng.random() < (0.7 if phase == Phase.CLOSED else 0.2):
                    answers = {key: rng.random() < 0.7 for key in QUESTIONS}
                    rows[SelfCheck].append({"cycle_id": cycle_id, "answers": answers, "updated_at": now,
                                            "updated_by": facilitator_id})
                    expected["self_checks"] += 1
                    expected["self_check_yes"] += sum(answers.values())
                # classes and their lessons and plans
                classes = []
                for c in range(rng.randint(2, 4)):
                    classroom_id = ids(Classroom)
                    pupils = rng.randint(18, 30)
                    classes.append((classroom_id, pupils))
                    expected["classes"] += 1
                    expected["pupils"] += pupils
                    rows[Classroom].append({"id": classroom_id, "school_id": schools[c % len(schools)],
                                            "cycle_id": cycle_id, "name": f"Groep {5 + c}", "grade": 5 + c % 4,
                                            "pupil_count": pupils, "created_at": now, "archived_at": None})
                plans_of_class: dict[int, list[int]] = {}
                cycle_plans: list[dict] = []
                if step >= ORDER.index(Phase.LESSONS):
                    lessons = 3 if step > ORDER.index(Phase.LESSONS) else rng.randint(1, 2)
                    for classroom_id, _pupils in classes:
                        plans_of_class[classroom_id] = []
                        for lesson in range(lessons):
                            run_id = ids(LessonRun)
                            started = _when(start, 10 + lesson, 5, now, 60 - lesson)
                            rows[LessonRun].append({
                                "id": run_id, "classroom_id": classroom_id, "template_id": template_id,
                                "lesson_index": lesson, "step_index": 0, "timer_started_at": None,
                                "timer_elapsed_seconds": 0, "presented_plan_id": None, "join_code": f"0{run_id:05X}",
                                "code_expires_at": started + timedelta(hours=3), "started_by": admin_id,
                                "started_at": started, "ended_at": started + timedelta(hours=1)})
                            expected["lessons_given"] += 1
                            if lesson != 1:
                                continue
                            for team_number in range(rng.randint(3, 6)):
                                team_id, plan_id = ids(Team), ids(Plan)
                                rows[Team].append({"id": team_id, "run_id": run_id, "name": f"Groepje {team_number}",
                                                   "created_at": started})
                                empty = rng.random() < 0.1
                                cycle_plans.append({
                                    "id": plan_id, "run_id": run_id, "team_id": team_id,
                                    "answers": {} if empty else {"title": f"Plan {plan_id}", "idea": "Een idee."},
                                    "photo_name": None, "status": PlanStatus.DRAFT if empty else PlanStatus.APPROVED,
                                    "revision": 1, "theme_id": None, "updated_at": started, "approved_by": None,
                                    "approved_at": None})
                                rows[Plan].append(cycle_plans[-1])
                                if not empty:
                                    plans_of_class[classroom_id].append(plan_id)
                                    expected["plans"] += 1
                        if plans_of_class[classroom_id]:
                            expected["classes_with_plans"] += 1
                if step < ORDER.index(Phase.VOTING):
                    continue
                # themes, the plans sorted into them, and the vote
                theme_ids, theme_names = [], {}
                for name in rng.sample(THEME_NAMES, rng.randint(3, 5)):
                    theme_id = ids(Theme)
                    theme_ids.append(theme_id)
                    theme_names[theme_id] = name
                    rows[Theme].append({"id": theme_id, "cycle_id": cycle_id, "name": name,
                                        "created_at": _when(start, 11, 1, now, 40)})
                    expected["themes"] += 1
                plans_of_theme: dict[int, list[int]] = defaultdict(list)
                for plan_row in cycle_plans:
                    if plan_row["answers"]:
                        plan_row["theme_id"] = rng.choice(theme_ids)
                        plans_of_theme[plan_row["theme_id"]].append(plan_row["id"])
                poll_id = ids(Poll)
                closed = step >= ORDER.index(Phase.COUNCIL)
                opened_at = _when(start, 11, 20, now, 30)
                rows[Poll].append({
                    "id": poll_id, "cycle_id": cycle_id, "classroom_id": None, "title": "Wijkstemming",
                    "question": "", "subject": OptionSubject.THEMES, "ballot_kind": BallotKind.APPROVAL,
                    "method": CountMethod.APPROVAL, "max_choices": 3, "dots_total": 5, "dots_per_option": 3,
                    "allow_blank": False, "block_own_plan": False, "runoff_of": None, "created_by": admin_id,
                    "created_at": opened_at, "opened_at": opened_at,
                    "closed_at": opened_at + timedelta(days=2) if closed else None, "sealed": closed})
                option_ids = []
                for position, theme_id in enumerate(theme_ids):
                    option_id = ids(PollOption)
                    option_ids.append(option_id)
                    rows[PollOption].append({"id": option_id, "poll_id": poll_id, "position": position,
                                             "label": theme_names[theme_id],
                                             "theme_id": theme_id, "plan_id": None})
                expected["votes"] += closed
                for number, (classroom_id, pupils) in enumerate(classes):
                    voters = rng.randint(pupils - 6, pupils)
                    if number % 2 == 0:
                        for _ in range(voters):
                            rows[Ballot].append({"id": f"{rng.getrandbits(128):032x}", "poll_id": poll_id,
                                                 "classroom_id": classroom_id,
                                                 "choices": sorted(rng.sample(option_ids, 3))})
                    else:
                        marks = Counter(o for _ in range(voters) for o in rng.sample(option_ids, 3))
                        rows[PaperTally].append({"id": ids(PaperTally), "poll_id": poll_id,
                                                 "classroom_id": classroom_id, "papers": voters,
                                                 "counts": {str(o): n for o, n in marks.items()},
                                                 "entered_by": admin_id, "entered_at": opened_at})
                    if closed:
                        expected["ballots"] += voters
                        expected["pupils_voting"] += pupils
                if not closed:
                    continue
                # proposals from the first themes, to one or two partners, in every status
                sent_at = _when(start, 1, 15, now, 20)
                answered_at = _when(start, 3, 1, now, 10)
                for theme_id in theme_ids[:rng.randint(1, 3)]:
                    proposal_id = ids(Proposal)
                    expected["proposals"] += 1
                    rows[Proposal].append({
                        "id": proposal_id, "cycle_id": cycle_id, "theme_id": theme_id, "poll_id": poll_id,
                        "revision": 0, "created_by": admin_id, "created_at": sent_at, "updated_at": sent_at,
                        "title": f"Voorstel {proposal_id}", "problem": "", "place": "", "place_owner": "", "idea": "",
                        "beneficiaries": "", "children_contribution": "", "ask": "", "cost_band": CostBand.UNKNOWN,
                        "contact_name": "", "contact_role": "", "contact_email": "", "contact_phone": ""})
                    for plan_id in plans_of_theme[theme_id][:2]:
                        rows[ProposalPlan].append({"proposal_id": proposal_id, "plan_id": plan_id})
                    for organisation_id in partners[:rng.randint(1, 2)]:
                        status = _status(rng, phase)
                        decision = None
                        if status == RecipientStatus.DONE:
                            decision = Decision.ACCEPTED
                        elif status == RecipientStatus.ANSWERED:
                            decision = rng.choice(list(Decision))
                        is_sent = status != RecipientStatus.CONCEPT
                        expected["sent"] += is_sent
                        expected["answered"] += decision is not None
                        expected["realised"] += status == RecipientStatus.DONE
                        expected["waiting"] += status in WAITING
                        rows[Recipient].append({
                            "id": ids(Recipient), "proposal_id": proposal_id, "organisation_id": organisation_id,
                            "contact_id": None, "status": status,
                            "reply_by": (sent_at + timedelta(days=42)).date() if is_sent else None,
                            "sent_at": sent_at if is_sent else None,
                            "in_progress_at": sent_at if status == RecipientStatus.IN_PROGRESS else None,
                            "answered_at": answered_at if decision else None,
                            "done_at": answered_at if status == RecipientStatus.DONE else None,
                            "decision": decision, "reasons": "", "next_step": "", "answer_contact": "",
                            "answered_by": "", "answer_source": None, "answer_revision": int(decision is not None),
                            "child_answer": "", "child_next": ""})
                if step >= ORDER.index(Phase.FEEDBACK):
                    for classroom_id, _pupils in classes:
                        if rng.random() < 0.8:
                            rows[FeedbackShare].append({"id": ids(FeedbackShare), "cycle_id": cycle_id,
                                                        "classroom_id": classroom_id, "shared_by": facilitator_id,
                                                        "shared_at": answered_at + timedelta(days=3)})

        for model in (User, Organisation, Neighbourhood, FacilitatorNeighbourhood, School, Cycle, SelfCheck,
                      Classroom, LessonRun, Team, Theme, Plan, Poll, PollOption, Ballot, PaperTally, Proposal,
                      ProposalPlan, Recipient, FeedbackShare):
            if rows[model]:
                connection.execute(model.__table__.insert(), rows[model])
        if engine.dialect.name == "postgresql":  # explicit ids do not move the sequences on
            for model in rows:
                table = model.__table__
                if table.autoincrement_column is not None and "id" in table.c:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{table.name}\"))"))
    if engine.dialect.name == "postgresql":
        # Table statistics, as autovacuum gathers them after a bulk change: without them the planner
        # guesses the size of every grouped subquery.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return History(admin_id, facilitator_id, wijk_ids, cycle_ids, school_years, expected,
                   sum(len(r) for r in rows.values()))


def _status(rng: random.Random, phase: Phase) -> RecipientStatus:
    """Recipients move on with the year: in concept or sent while the council works, answered and
    carried out towards the end — and some never answer."""
    if phase == Phase.COUNCIL:
        options = (RecipientStatus.CONCEPT, RecipientStatus.SENT, RecipientStatus.IN_PROGRESS)
        weights = (3, 2, 1)
    elif phase == Phase.IMPLEMENTATION:
        options = (RecipientStatus.SENT, RecipientStatus.IN_PROGRESS, RecipientStatus.ANSWERED, RecipientStatus.DONE)
        weights = (2, 2, 3, 1)
    else:
        options = (RecipientStatus.SENT, RecipientStatus.IN_PROGRESS, RecipientStatus.ANSWERED, RecipientStatus.DONE)
        weights = (1, 1, 4, 4)
    return rng.choices(options, weights)[0]
