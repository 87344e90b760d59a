"""A Streamlit client without a browser: Streamlit's own websocket protocol, for load and
resilience tests.

A browser tab is one websocket on `/_stcore/stream`. Every tap sends a `BackMsg` with
`rerun_script`: the page, the query string and the state of every widget (a button's tap is a
`trigger_value` that is true for that one run). The server answers with `ForwardMsg`s — new
elements, and finally `script_finished`. This client does the same, so hundreds of simulated
tablets fit on one machine. It knows the widgets the last run drew (by their user key, which
Streamlit puts at the end of the element id) and can tap a button, type into a text field and
submit a form, and it answers a fragment's `auto_rerun` the way the browser does.

One thing a browser does not suffer from: after each send, a Python client must set
TCP_QUICKACK on its socket or the server's reply waits ~40 ms for a delayed ACK (measured on
this machine kind, docs/performance.md). Without it every latency figure would be inflated.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
# Elements whose text a test may look for (st.markdown/title/caption, st.success/error/…).
TEXT_ELEMENTS = {"markdown": "body", "heading": "body", "alert": "body", "text": "body"}
# Tables (st.dataframe, st.table) arrive as Arrow bytes: kept as a digest, to compare two servers.
TABLE_ELEMENTS = {"dataframe", "table"}


class ProtocolError(RuntimeError):
    """The server closed the stream, raised in the script, or never finished a run."""


@dataclass
class Widget:
    id: str
    kind: str  # the Element oneof name: button, text_input, selectbox, …
    label: str
    form_id: str
    is_form_submitter: bool = False
    fragment_id: str = ""  # a widget inside st.fragment reruns only its fragment, as in the browser


@dataclass
class Run:
    """What one rerun drew: its widgets by user key, its texts, and any exception shown."""

    widgets: dict[str, Widget] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def has_text(self, fragment: str) -> bool:
        return any(fragment in text for text in self.texts)


def user_key(element_id: str) -> str | None:
    """Streamlit's ids of keyed widgets end in the user's key: `$$ID-<hash>-<key>`."""
    parts = element_id.split("-", 2)
    return parts[2] if element_id.startswith("$$ID-") and len(parts) == 3 and parts[2] != "None" else None


class Tab:
    """One browser tab: a websocket session on one page of the app."""

    def __init__(self, connection: ClientConnection, base_url: str = "") -> None:
        self._connection = connection
        self.base_url = base_url
        self.session_id = ""
        self.page_script_hash = ""
        self.page_name = ""
        self.query_string = ""
        self.last = Run()
        self.fragments: dict[str, float] = {}  # fragment id → auto-rerun interval (s), as the browser keeps them
        self._text_values: dict[str, str] = {}  # typed text, sent with every run like the browser does

    @classmethod
    async def open(cls, base_url: str, *, page: str = "", query: str = "", timeout: float = 60,
                   cookie: str | None = None, session_id: str | None = None) -> Tab:
        """A new tab; with `session_id`, the browser reconnecting to its session (as after a lost
        connection), which only the server holding that session can resume."""
        url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        # Streamlit reads [protocol, xsrf token, session to resume] from this header; no Origin
        # header is sent, so the xsrf slot is not checked.
        protocols = ["streamlit", "xsrf", session_id] if session_id else ["streamlit"]
        connection = await connect(url, subprotocols=protocols, max_size=None, open_timeout=timeout,
                                   ping_interval=None, compression=None,
                                   additional_headers={"Cookie": cookie} if cookie else None)
        tab = cls(connection, base_url)
        tab.page_name, tab.query_string = page, query
        await tab.rerun(timeout=timeout)
        return tab

    async def close(self) -> None:
        await self._connection.close()

    # --- what a person does ----------------------------------------------------------------------

    async def tap(self, key: str, *, timeout: float = 60) -> Run:
        """Tap the button with this key (a form's submit button submits the form's typed values)."""
        widget = self._widget(key)
        return await self.rerun(states=self._form_states(widget.form_id) + [_trigger(widget.id)],
                                fragment_id=widget.fragment_id, timeout=timeout)

    def type(self, key: str, text: str) -> None:
        """Type into a text field; sent with the next run (in a form: with its submit)."""
        self._text_values[self._widget(key).id] = text

    async def navigate(self, page: str, *, query: str = "", timeout: float = 60) -> Run:
        self.page_name, self.page_script_hash, self.query_string = page, "", query
        self._text_values.clear()
        return await self.rerun(timeout=timeout)

    async def auto_rerun(self, fragment_id: str, *, timeout: float = 60) -> Run:
        """What the browser sends when a fragment's `run_every` timer fires."""
        return await self.rerun(states=self._form_states(""), fragment_id=fragment_id, auto=True, timeout=timeout)

    # --- the protocol ----------------------------------------------------------------------------

    def _widget(self, key: str) -> Widget:
        try:
            return self.last.widgets[key]
        except KeyError:
            raise ProtocolError(f"no widget {key!r} on the page; it has {sorted(self.last.widgets)}") from None

    def _form_states(self, form_id: str) -> list[WidgetState]:
        states = []
        for widget in self.last.widgets.values():
            if widget.id in self._text_values and widget.form_id in ("", form_id):
                state = WidgetState(id=widget.id)
                state.string_value = self._text_values[widget.id]
                states.append(state)
        return states

    async def rerun(self, *, states: list[WidgetState] = (), fragment_id: str = "", auto: bool = False,
                    timeout: float = 60) -> Run:
        """One run: the whole page, or with `fragment_id` only that fragment (the rest of the page
        stays as it was, here as in the browser). Returns what this run drew."""
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = self.page_script_hash
        client.page_name = self.page_name
        client.widget_states.widgets.extend(states)
        if fragment_id:
            client.fragment_id = fragment_id
            client.is_auto_rerun = auto
        start = time.perf_counter()
        await self._send(message)
        run = Run()
        await asyncio.wait_for(self._read_until_finished(run), timeout)
        run.seconds = time.perf_counter() - start
        if fragment_id:  # a fragment run redraws only the fragment: keep the rest of the page
            kept = {key: w for key, w in self.last.widgets.items() if w.fragment_id != fragment_id}
            self.last = Run({**kept, **run.widgets}, self.last.texts + run.texts, run.exceptions, run.seconds)
        else:
            self.last = run
        if run.exceptions:
            raise ProtocolError("the page showed an exception: " + " | ".join(run.exceptions))
        return run

    async def _send(self, message: BackMsg) -> None:
        try:
            await self._connection.send(message.SerializeToString())
        except Exception as error:  # a closed stream, whatever the library calls it
            raise ProtocolError(f"stream closed: {error}") from error
        self._quick_ack()

    def _quick_ack(self) -> None:
        """ACK at once (Linux resets the flag after use, so it is set again after each send and
        receive); see the module docstring."""
        sock = self._connection.transport.get_extra_info("socket")
        if sock is not None and hasattr(socket, "TCP_QUICKACK"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

    async def _read_until_finished(self, run: Run) -> None:
        while True:
            try:
                data = await self._connection.recv()
            except Exception as error:  # any closed stream is the same failure here
                raise ProtocolError(f"stream closed: {error}") from error
            self._quick_ack()
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
                self.page_script_hash = message.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "navigation":
                self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
            elif kind == "delta":
                self._read_delta(message, run)
            elif kind == "auto_rerun":
                self.fragments[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fragment in message.stop_auto_rerun.fragment_ids:
                    self.fragments.pop(fragment, None)
            elif kind == "script_finished" and message.script_finished in FINAL:
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.exceptions.append("compile error")
                return
            elif kind == "script_finished":  # finished early for a rerun: the next run follows
                run.widgets.clear()
                run.texts.clear()

    @staticmethod
    def _read_delta(message: ForwardMsg, run: Run) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        fragment_id = delta.fragment_id
        body = getattr(element, kind)
        if kind == "exception":
            run.exceptions.append(f"{body.type}: {body.message}")
        elif kind in TEXT_ELEMENTS:
            run.texts.append(getattr(body, TEXT_ELEMENTS[kind]))
        elif kind in TABLE_ELEMENTS and body.HasField("arrow_data"):
            run.texts.append(f"table:{hashlib.sha256(body.arrow_data.data).hexdigest()[:16]}")
        elif kind == "metric":
            run.texts.append(f"{body.label}: {body.body}")
        elif hasattr(body, "id") and body.id:
            key = user_key(body.id)
            widget = Widget(body.id, kind, getattr(body, "label", ""), getattr(body, "form_id", ""),
                            bool(getattr(body, "is_form_submitter", False)), fragment_id)
            run.widgets[key or body.id] = widget


def _trigger(widget_id: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.trigger_value = True
    return state
