"""Login, throttling, the acting user and account administration, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import bcrypt
import pytest
from streamlit_authenticator.utilities.hasher import Hasher

from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, TooManyAttempts
from kinderwijkraad.models import Role
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import accounts
from tests import factories

PASSWORD = factories.PASSWORD


def test_our_hashes_and_the_authenticator_hasher_understand_each_other():
    ours = accounts.hash_password("een zin met spaties")
    assert Hasher.check_pw("een zin met spaties", ours)
    theirs = Hasher.hash("een zin met spaties")
    assert accounts._password_matches("een zin met spaties", theirs)
    assert not accounts._password_matches("een zin zonder spaties", theirs)


def test_the_default_cost_is_the_one_the_hasher_uses(monkeypatch):
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 12)
    assert Hasher.hash("x" * 10)[:7] == accounts.hash_password("x" * 10)[:7] == "$2b$12$"


def test_a_user_logs_in_with_username_in_any_case_and_gets_their_scope(engine):
    world = factories.world(engine)
    teacher = world["teacher"]
    actor = accounts.authenticate(engine, username=f"  {teacher.username.upper()} ", password=PASSWORD, client="c")
    assert actor.role == Role.TEACHER
    assert actor.classroom_ids == {world["class_a"].id}


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(engine):
    boss = factories.admin(engine)
    with pytest.raises(NotAllowed) as wrong:
        accounts.authenticate(engine, username=boss.username, password="wrong password", client="c")
    with pytest.raises(NotAllowed) as unknown:
        accounts.authenticate(engine, username="nobody-here", password=PASSWORD, client="c")
    assert wrong.value.key == unknown.value.key == "login.failed"


def test_a_deactivated_user_cannot_log_in_and_their_session_ends(engine):
    world = factories.world(engine)
    teacher = world["teacher"]
    accounts.set_user_active(engine, actor=world["admin"], user_id=teacher.user_id, active=False)
    with pytest.raises(NotAllowed):
        accounts.authenticate(engine, username=teacher.username, password=PASSWORD, client="c")
    # A login cookie names only the username: the session actor is read fresh and refused.
    assert accounts.session_actor(engine, username=teacher.username) is None
    accounts.set_user_active(engine, actor=world["admin"], user_id=teacher.user_id, active=True)
    assert accounts.session_actor(engine, username=teacher.username) is not None


def test_logging_out_revokes_every_cookie_issued_until_then(engine):
    world = factories.world(engine)
    teacher = world["teacher"]
    issued = utcnow()
    assert accounts.session_actor(engine, username=teacher.username, cookie_issued_at=issued) is not None
    accounts.revoke_cookies(engine, user_id=teacher.user_id, now=issued + timedelta(seconds=1))
    assert accounts.session_actor(engine, username=teacher.username, cookie_issued_at=issued) is None
    # A cookie from a later login works, and a live session (no cookie) is not affected.
    later = issued + timedelta(seconds=2)
    assert accounts.session_actor(engine, username=teacher.username, cookie_issued_at=later) is not None
    assert accounts.session_actor(engine, username=teacher.username) is not None


@pytest.mark.parametrize("change", ["own_password", "reset", "deactivate_and_back"])
def test_password_changes_and_deactivation_revoke_older_cookies(engine, change):
    world = factories.world(engine)
    teacher = world["teacher"]
    before = utcnow() - timedelta(seconds=1)
    if change == "own_password":
        accounts.change_password(engine, actor=teacher, current_password=PASSWORD, new_password="een nieuw wachtwoord")
    elif change == "reset":
        accounts.reset_password(engine, actor=world["admin"], user_id=teacher.user_id, one_time_password="opnieuw-1234")
    else:
        accounts.set_user_active(engine, actor=world["admin"], user_id=teacher.user_id, active=False)
        accounts.set_user_active(engine, actor=world["admin"], user_id=teacher.user_id, active=True)
    assert accounts.session_actor(engine, username=teacher.username, cookie_issued_at=before) is None
    assert accounts.session_actor(engine, username=teacher.username, cookie_issued_at=utcnow()) is not None


def test_failed_logins_are_throttled_with_a_growing_delay_that_recovers(engine):
    boss = factories.admin(engine)
    now = utcnow()
    for _ in range(accounts.FREE_FAILURES_PER_USER):
        with pytest.raises(NotAllowed):
            accounts.authenticate(engine, username=boss.username, password="wrong password", client="c", now=now)
    # Now even the right password is not checked until the delay has passed.
    with pytest.raises(TooManyAttempts) as throttled:
        accounts.authenticate(engine, username=boss.username, password=PASSWORD, client="c", now=now)
    assert throttled.value.params["count"] == 1
    later = now + timedelta(seconds=2)
    with pytest.raises(NotAllowed):
        accounts.authenticate(engine, username=boss.username, password="wrong again", client="c", now=later)
    with pytest.raises(TooManyAttempts) as longer:
        accounts.authenticate(engine, username=boss.username, password=PASSWORD, client="c", now=later)
    assert longer.value.params["count"] == 2
    # After a quiet period the count is forgotten, and a success clears it.
    quiet = later + accounts.FORGET_AFTER
    assert accounts.authenticate(engine, username=boss.username, password=PASSWORD, client="c", now=quiet)
    assert accounts.authenticate(engine, username=boss.username, password=PASSWORD, client="c", now=quiet)


def test_throttling_one_username_does_not_lock_out_another_user_on_the_same_client(engine):
    world = factories.world(engine)
    now = utcnow()
    for _ in range(accounts.FREE_FAILURES_PER_USER + 2):
        with pytest.raises((NotAllowed, TooManyAttempts)):
            accounts.authenticate(engine, username=world["admin"].username, password="guess", client="school", now=now)
    assert accounts.authenticate(engine, username=world["teacher"].username, password=PASSWORD, client="school",
                                 now=now)


def test_many_failures_from_one_client_throttle_that_client_for_every_username(engine):
    boss = factories.admin(engine)
    now = utcnow()
    for number in range(accounts.FREE_FAILURES_PER_CLIENT):
        with pytest.raises(NotAllowed):
            accounts.authenticate(engine, username=f"guess-{number}", password="guess", client="attacker", now=now)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(engine, username=boss.username, password=PASSWORD, client="attacker", now=now)
    assert accounts.authenticate(engine, username=boss.username, password=PASSWORD, client="elsewhere", now=now)


@pytest.mark.parametrize(("failures", "free", "seconds"), [(0, 3, 0), (2, 3, 0), (3, 3, 1), (5, 3, 4), (40, 3, 300)])
def test_the_delay_doubles_per_failure_up_to_five_minutes(failures, free, seconds):
    assert accounts.throttle_delay(failures, free) == timedelta(seconds=seconds)


def test_an_admin_creates_a_user_with_a_one_time_password_that_must_be_changed(engine):
    boss = factories.admin(engine)
    wijk = factories.wijk(engine, boss)
    created = accounts.create_user(engine, actor=boss, username="Bo.Begeleider", display_name="Bo",
                                   email="bo@example.org", role=Role.FACILITATOR, one_time_password="tijdelijk-123",
                                   neighbourhood_ids=[wijk.id])
    assert created.username == "bo.begeleider"
    actor = accounts.authenticate(engine, username="bo.begeleider", password="tijdelijk-123", client="c")
    assert actor.must_change_password
    assert actor.neighbourhood_ids == {wijk.id}
    accounts.change_password(engine, actor=actor, current_password="tijdelijk-123",
                             new_password="de fiets staat in de gang")
    again = accounts.authenticate(engine, username="bo.begeleider", password="de fiets staat in de gang", client="c")
    assert not again.must_change_password


def test_a_taken_username_is_a_conflict(engine):
    boss = factories.admin(engine)
    accounts.create_user(engine, actor=boss, username="juf-anna", display_name="Anna", email="", role=Role.TEACHER,
                         one_time_password=PASSWORD)
    with pytest.raises(Conflict) as refused:
        accounts.create_user(engine, actor=boss, username="JUF-ANNA", display_name="Anna 2", email="",
                             role=Role.TEACHER, one_time_password=PASSWORD)
    assert refused.value.params == {"username": "juf-anna"}


@pytest.mark.parametrize(("password", "key"), [("kort", "validation.password_too_short"),
                                               ("          ", "validation.required"),
                                               ("x" * 73, "validation.password_too_long")])
def test_a_password_has_10_to_72_characters_and_is_not_only_spaces(engine, password, key):
    boss = factories.admin(engine)
    with pytest.raises(InvalidInput) as refused:
        accounts.change_password(engine, actor=boss, current_password=PASSWORD, new_password=password)
    assert refused.value.key == key


def test_changing_a_password_needs_the_current_one(engine):
    boss = factories.admin(engine)
    with pytest.raises(InvalidInput) as refused:
        accounts.change_password(engine, actor=boss, current_password="not it at all", new_password="nieuw wachtwoord")
    assert refused.value.key == "account.current_password_wrong"


def test_an_official_needs_an_organisation(engine):
    boss = factories.admin(engine)
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(engine, actor=boss, username="ambtenaar", display_name="Ali", email="",
                             role=Role.OFFICIAL, one_time_password=PASSWORD)
    assert refused.value.key == "error.official_needs_organisation"


def test_only_admins_manage_users_and_no_admin_deactivates_themselves(engine):
    world = factories.world(engine)
    with pytest.raises(NotAllowed):
        accounts.list_users(engine, actor=world["facilitator"])
    with pytest.raises(NotAllowed):
        accounts.create_user(engine, actor=world["facilitator"], username="sneaky", display_name="Sneaky", email="",
                             role=Role.ADMIN, one_time_password=PASSWORD)
    with pytest.raises(NotAllowed):
        accounts.set_user_active(engine, actor=world["admin"], user_id=world["admin"].user_id, active=False)


def test_a_reset_password_must_be_changed_at_the_next_login(engine):
    world = factories.world(engine)
    teacher = world["teacher"]
    accounts.reset_password(engine, actor=world["admin"], user_id=teacher.user_id, one_time_password="opnieuw-1234")
    actor = accounts.authenticate(engine, username=teacher.username, password="opnieuw-1234", client="c")
    assert actor.must_change_password


def test_the_first_admin_can_only_be_created_in_an_empty_database(engine):
    factories.admin(engine)
    from kinderwijkraad.services.demo import bootstrap_admin

    with pytest.raises(Conflict):
        bootstrap_admin(engine, username="second", display_name="Second", password=PASSWORD)


def test_the_user_list_shows_each_scope_in_words(engine):
    world = factories.world(engine)
    rows = {row.username: row for row in accounts.list_users(engine, actor=world["admin"])}
    assert rows[world["facilitator"].username].scope == ("Wijk A",)
    assert rows[world["teacher"].username].scope == (world["class_a"].name,)


def test_hashing_is_real_bcrypt():
    assert bcrypt.checkpw(b"een wachtwoord", accounts.hash_password("een wachtwoord").encode())


def test_a_one_time_password_reads_aloud_in_four_groups_and_is_accepted_as_a_password(engine):
    passwords = {accounts.new_one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(re.fullmatch(r"[0-9a-f]{6}(-[0-9a-f]{6}){3}", p) for p in passwords)
    world = factories.world(engine)
    password = passwords.pop()
    accounts.reset_password(engine, actor=world["admin"], user_id=world["teacher"].user_id, one_time_password=password)
    actor = accounts.authenticate(engine, username=world["teacher"].username, password=password, client="c")
    assert actor.user_id == world["teacher"].user_id
