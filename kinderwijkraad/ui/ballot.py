"""The ballot a child fills in on a tablet, the same in card mode and in the booth.

Big buttons, one per option: tap to choose (approval, single), tap in order of preference
(ranking: the number shows), or + and − to spread dots. The choices live in session state until
the child taps "Stem!"; the server checks them again (services.ballots.check_choices).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import BallotKind
from kinderwijkraad.models.voting import marks_per_ballot
from kinderwijkraad.services.polls import PollView
from kinderwijkraad.ui import pictures, speech, state
from kinderwijkraad.ui.errors import guarded
from kinderwijkraad.ui.format import plain


def _choices_key(poll_id: int) -> str:
    return f"{state.BALLOT_CHOICES}.{poll_id}"


def choices(poll_id: int) -> list[int]:
    return st.session_state.setdefault(_choices_key(poll_id), [])


@guarded  # a widget callback runs outside the page run
def forget(poll_id: int) -> None:
    """After the vote (or a cancel): the next child starts with an empty ballot."""
    st.session_state.pop(_choices_key(poll_id), None)


def _limit(poll: PollView) -> int:
    return marks_per_ballot(poll.ballot_kind, poll.max_choices, poll.dots_total)


@guarded  # a widget callback runs outside the page run
def _tap(poll: PollView, option_id: int) -> None:
    state.use_session_language()
    chosen = choices(poll.id)
    if poll.ballot_kind == BallotKind.SINGLE:
        chosen[:] = [] if chosen == [option_id] else [option_id]
    elif option_id in chosen:
        chosen.remove(option_id)  # in a ranking, the ones after it move up a place
    elif len(chosen) < _limit(poll):
        chosen.append(option_id)
    else:
        st.session_state[state.BALLOT_NOTICE] = t("ballot.full", k=_limit(poll))


@guarded  # a widget callback runs outside the page run
def _dot(poll: PollView, option_id: int, step: int) -> None:
    state.use_session_language()
    chosen = choices(poll.id)
    if step < 0:
        if option_id in chosen:
            chosen.remove(option_id)
    elif chosen.count(option_id) >= poll.dots_per_option:
        st.session_state[state.BALLOT_NOTICE] = t("ballot.dots_on_one", count=poll.dots_per_option)
    elif len(chosen) >= poll.dots_total:
        st.session_state[state.BALLOT_NOTICE] = t("ballot.dots_used", count=poll.dots_total)
    else:
        chosen.append(option_id)


def instruction(poll: PollView) -> str:
    left = _limit(poll) - len(choices(poll.id))
    if poll.ballot_kind == BallotKind.SINGLE:
        return t("ballot.instruction.single")
    if poll.ballot_kind == BallotKind.APPROVAL:
        return t("ballot.instruction.approval", k=poll.max_choices, left=left)
    if poll.ballot_kind == BallotKind.RANKING:
        return t("ballot.instruction.ranking", k=poll.max_choices, left=left)
    return t("ballot.instruction.dots", count=poll.dots_total, m=poll.dots_per_option, left=left)


def ballot(poll: PollView, *, on_vote: Callable[[list[int]], None], blocked: frozenset[int] = frozenset()) -> None:
    """Draw the ballot; `on_vote(choices)` runs as the "Stem!" button's callback."""
    on_vote = guarded(on_vote)
    question = poll.question or poll.title
    speech.said(f"## {plain(question)}", question)
    speech.message("info", instruction(poll), icon=":material/how_to_vote:")
    notice = st.session_state.pop(state.BALLOT_NOTICE, None)
    if notice:
        speech.message("warning", notice)
    chosen = choices(poll.id)
    dots = Counter(chosen)
    # Two options per row, each with its speaker, read row by row: one CSS grid (ui/style.py) rather
    # than a row container per option, which costs the server a block per option on every tap.
    with st.container(key="ballot_dots" if poll.ballot_kind == BallotKind.DOTS else "ballot_options"):
        for option in poll.options:
            own = option.id in blocked
            # What the speaker reads: the option as its button shows it, never whether it is chosen.
            spoken = option.label + (f" — {t('ballot.own_plan')}" if own else "")
            label = pictures.beside(option.pictogram,
                                    plain(option.label) + (f" — {t('ballot.own_plan')}" if own else ""))
            if poll.ballot_kind == BallotKind.DOTS:
                with st.container(border=True):
                    spread = "●" * dots[option.id] + "○" * (poll.dots_per_option - dots[option.id])
                    speech.said(f"**{label}**  \n{spread}", spoken)
                    minus, plus = st.columns(2)
                    minus.button("−", key=f"ballot.minus.{option.id}", on_click=_dot, args=(poll, option.id, -1),
                                 disabled=own or not dots[option.id], width="stretch",
                                 help=t("ballot.dot_less", option=plain(option.label)))
                    plus.button("+", key=f"ballot.plus.{option.id}", on_click=_dot, args=(poll, option.id, 1),
                                disabled=own, width="stretch", help=t("ballot.dot_more", option=plain(option.label)))
                continue
            selected = option.id in chosen
            if selected and poll.ballot_kind == BallotKind.RANKING:
                label = f"{chosen.index(option.id) + 1}. {label}"
            elif selected:
                label = f"✓ {label}"
            st.button(label, key=f"ballot.option.{option.id}", on_click=_tap, args=(poll, option.id),
                      type="primary" if selected else "secondary", disabled=own, width="stretch")
            speech.speaker(spoken)
    with st.container(key="ballot_submit"):  # "Opnieuw" and "Stem!" side by side (ui/style.py)
        st.button(t("ballot.start_over"), key="ballot.clear", on_click=forget, args=(poll.id,),
                  disabled=not chosen, width="stretch")
        st.button(t("ballot.vote"), key="ballot.vote", type="primary", on_click=on_vote, args=(list(chosen),),
                  disabled=not chosen, width="stretch", icon=":material/how_to_vote:")
    if poll.allow_blank:
        st.button(t("ballot.vote_blank"), key="ballot.blank", on_click=on_vote, args=([],), width="stretch")


def receipt_panel(code: str) -> None:
    """After the vote: thanks, and the receipt code to write down (the same in card mode and booth)."""
    st.title(t("vote.thanks"))
    speech.message("success", t("vote.counted"), spoken=f"{t('vote.thanks')} {t('vote.counted')}",
                   icon=":material/check_circle:")
    # The code itself is not read aloud: in the booth someone else might hear it.
    speech.said(t("vote.your_receipt"), t("vote.your_receipt"))
    st.markdown(f"# `{code}`")
    speech.said(t("vote.receipt_hint"), t("vote.receipt_hint"))
