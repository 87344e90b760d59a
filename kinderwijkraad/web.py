"""The app's own HTTP routes beside Streamlit's (st.App in streamlit_app.py).

One route: GET /speech?lang=nl&text=...&sig=... answers with the text spoken by espeak-ng as WAV,
for a tablet without a voice for the language (kinderwijkraad/speech.py). It reads no database and
knows no session: the text is one the app put on a speaker (its signature says so), shown to every
child alike (an option, a question).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kinderwijkraad import speech
from kinderwijkraad.config import get_settings

SPEECH_PATH = "/speech"


async def spoken(request: Request) -> Response:
    query = request.query_params
    try:
        text = speech.check(query.get("text", ""), query.get("lang", ""), query.get("sig", ""),
                            get_settings().cookie_key)
        # espeak-ng runs in a thread: the server's event loop keeps serving the other tablets.
        audio = await run_in_threadpool(speech.CACHE.wav, text, query["lang"])
    except speech.SpeechNotInstalled as error:
        return PlainTextResponse(str(error), status_code=404)
    except speech.SpeechUnavailable as error:
        return PlainTextResponse(str(error), status_code=400)
    # The same text gives the same audio: the tablet may keep it for a day.
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})


def routes() -> list[Route]:
    return [Route(SPEECH_PATH, spoken, methods=["GET"])]
