"""Read aloud: a big speaker button beside every text a child needs (issue: every child can take part).

The button is plain HTML with the text in a data attribute; one script on the page (installed by
`install`, once per browser tab) speaks it when tapped, inside the tap itself, as iPads require:
- with the tablet's own voice for the screen's language (Web Speech API), where it has one;
- otherwise with audio the server makes with espeak-ng (kinderwijkraad/web.py, /speech), played in
  one <audio> element.
No rerun is needed, so the ballot does not change under the child's finger. A tap on any other
button stops the reading, so nothing keeps talking after "Stem!".

What a speaker says is what its screen shows, never a child's choice: the ballot's speakers read
the option names, not which ones are ticked.
"""

from __future__ import annotations

import base64
import html
import unicodedata

import streamlit as st

from kinderwijkraad import speech
from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import current_language, t

LOCALES = {"nl": "nl-NL", "en": "en-GB"}  # the language tag an utterance asks the tablet's voices for
LABEL_CHARS = 60  # of the text in the button's accessible name: enough to tell speakers apart

# A row (st.container(horizontal=True)) that holds a speaker.
ROW = ('[data-testid="stHorizontalBlock"]'
       ':has(> [data-testid="stElementContainer"] > [data-testid="stHtml"] > .kwr-speak)')
SPEAKER_CSS = """
button.kwr-speak, :is(.st-key-ballot_options, .st-key-ballot_dots) button.kwr-speak {
  width: 56px; min-width: 56px; height: 56px; min-height: 56px; padding: 0; flex: none;
  border-radius: 50%; border: 2px solid #0b6e4f; background: #eef6f2 var(--kwr-speaker) center / 32px no-repeat;
  cursor: pointer;
}
/* A speaker stays beside its option or question, however narrow the tablet: its row never wraps. */
ROW { flex-wrap: nowrap; }
ROW > * { min-width: 0; }
ROW > [data-testid="stElementContainer"]:last-child { flex: 1 1 0; }  /* the text or field takes the rest */
button.kwr-speak:focus-visible { outline: 3px solid #17202a; outline-offset: 2px; }
button.kwr-speak:active { background-color: #cfe7dc; }
""".replace("ROW", ROW)
# Material Symbols' "volume_up" (Apache 2.0, the icon set Streamlit draws with), drawn by the style
# once per page rather than inside every button: a ballot tap resends every button. Not an emoji: a
# tablet's fonts may lack it. The button's aria-label is what a screen reader says.
_SPEAKER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -960 960 960" fill="#0b6e4f"><path d="M560-131v-82'
                'q90-26 145-100t55-168q0-94-55-168T560-749v-82q124 28 202 125.5T840-481q0 127-78 224.5T560-131ZM120-360'
                'v-240h160l200-200v640L280-360H120Zm440 40v-322q47 22 73.5 66t26.5 96q0 51-26.5 94.5T560-320Z"/></svg>')
ICON_URL = f"data:image/svg+xml;base64,{base64.b64encode(_SPEAKER_SVG.encode()).decode()}"

SCRIPT = """<script>(() => {
if (window.kwrSpeech) return;
const speech = window.kwrSpeech = {audio: null};
const synth = window.speechSynthesis;
const voices = () => (synth && synth.getVoices ? synth.getVoices() : []);
if (synth && synth.addEventListener) synth.addEventListener("voiceschanged", voices);  // Chrome loads its list late
voices();
const hasVoice = lang => voices().some(voice => (voice.lang || "").toLowerCase().replace("_", "-").startsWith(lang));
speech.stop = () => {
  if (synth) synth.cancel();
  if (speech.audio) speech.audio.pause();
};
speech.say = (text, lang, locale, sig) => {
  speech.stop();
  if (synth && hasVoice(lang)) {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = locale;
    utterance.rate = 0.9;
    synth.speak(utterance);
    return "voice";
  }
  if (!speech.audio) {
    speech.audio = document.createElement("audio");
    speech.audio.id = "kwr-speech-audio";
    document.body.appendChild(speech.audio);
  }
  speech.audio.src = new URL("speech?" + new URLSearchParams({lang, text, sig}), window.location.href).href;
  speech.audio.play().catch(() => {});
  return "audio";
};
document.addEventListener("click", event => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target && target.closest("button.kwr-speak");
  if (button) {
    event.preventDefault();
    speech.say(button.dataset.say, button.dataset.lang, button.dataset.locale, button.dataset.sig);
  } else if (target && target.closest("button")) {
    speech.stop();  // the child moved on: a choice, "Stem!", the next step
  }
}, true);
})();</script>"""


def install() -> None:
    """The speaking script and the speakers' style, on a children's page (ui/style.py)."""
    icon = f':root {{ --kwr-speaker: url("{ICON_URL}"); }}'
    st.html(f"<style>{icon}{SPEAKER_CSS}</style>{SCRIPT}", unsafe_allow_javascript=True)


def speakable(text: str) -> str:
    """The text a voice should read: without emoji and other pictures in it ("😊 Gelukkig" would
    be read as "smiling face Gelukkig"), on one line."""
    kept = "".join(c for c in text if unicodedata.category(c) != "So" and c not in "\ufe0f\u200d")
    return " ".join(kept.split())


def button_html(text: str) -> str:
    """A speaker that reads `text` (plain text, as the screen shows it) in the screen's language,
    signed so the server's /speech speaks it (kinderwijkraad/speech.py)."""
    language = current_language()
    text = speakable(text)
    short = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS].rstrip() + "…"
    label = html.escape(t("speech.read_aloud", text=short), quote=True)
    signed = speech.signature(text, language, get_settings().cookie_key)
    return (f'<button type="button" class="kwr-speak" data-say="{html.escape(text, quote=True)}" '
            f'data-lang="{language}" data-locale="{LOCALES.get(language, language)}" data-sig="{signed}" '
            f'aria-label="{label}" title="{label}"></button>')


def speaker(text: str) -> None:
    """Just the speaker, where the text beside it is drawn by someone else (a widget's label)."""
    if speakable(text):
        st.html(button_html(text), width="content")


def said(shown: str, spoken: str, *, key: str | None = None) -> None:
    """`shown` (markdown) with a speaker before it that reads `spoken` (its plain text)."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key=key):
        speaker(spoken)
        st.markdown(shown)


def message(kind: str, text: str, *, spoken: str | None = None, icon: str | None = None) -> None:
    """A message for a child (a refusal, a hint, a thank-you) in its coloured box (`kind`: info,
    success, warning, error), with a speaker that reads it (or `spoken`)."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        speaker(spoken or text)
        getattr(st, kind)(text, icon=icon, width="stretch")

