"""The app's own HTTP routes beside Streamlit's (st.App in streamlit_app.py).

One route: GET /speech?lang=nl&text=... answers with the text spoken by espeak-ng as WAV, for a
tablet without a voice for the language (kinderwijkraad/speech.py). It reads no database and
knows no session: the text is what the page shows every child (an option, a question).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kinderwijkraad import speech

SPEECH_PATH = "/speech"


async def spoken(request: Request) -> Response:
    text = request.query_params.get("text", "")
    language = request.query_params.get("lang", "")
    try:
        speech.check(text, language)
        # espeak-ng runs in a thread: the server's event loop keeps serving the other tablets.
        audio = await run_in_threadpool(speech.CACHE.wav, text, language)
    except speech.SpeechUnavailable as error:
        return PlainTextResponse(str(error), status_code=404 if "installed" in str(error) else 400)
    # The same text gives the same audio: the tablet may keep it for a day.
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})


def routes() -> list[Route]:
    return [Route(SPEECH_PATH, spoken, methods=["GET"])]
