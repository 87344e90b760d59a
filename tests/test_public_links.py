"""Links that leave the building (QR codes on the board and on voting cards, reply links) start from
one root: KWR_PUBLIC_URL when set, else the browser's address without the page the user is on."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kinderwijkraad.config import get_settings
from kinderwijkraad.errors import ConfigError
from kinderwijkraad.exports.voting import CardPrint, CardSheet, render_voting_cards_pdf
from kinderwijkraad.ui import links
from kinderwijkraad.ui.lesson import join_url
from kinderwijkraad.ui.proposals import reply_url


def test_without_the_setting_the_root_is_the_browser_address_without_the_page():
    assert links.root_from(configured=None, browser_url="http://10.0.0.5:8501/stemmingen") == "http://10.0.0.5:8501"
    assert links.root_from(configured=None, browser_url="http://10.0.0.5:8501/les/") == "http://10.0.0.5:8501"
    assert links.root_from(configured=None, browser_url="http://10.0.0.5:8501") == "http://10.0.0.5:8501"


def test_the_app_own_path_prefix_stays_and_only_a_page_is_taken_off():
    assert links.root_from(configured=None, browser_url="https://school.nl/kwr/stemmingen",
                           base_path="kwr") == "https://school.nl/kwr"
    assert links.root_from(configured=None, browser_url="https://school.nl/kwr", base_path="kwr") == \
        "https://school.nl/kwr"
    # A prefix that happens to be named like a page is still the app's own.
    assert links.root_from(configured=None, browser_url="https://school.nl/stemmen",
                           base_path="/stemmen/") == "https://school.nl/stemmen"


def test_the_setting_wins_over_what_the_browser_shows():
    assert links.root_from(configured="https://kwr.example.nl/app/",
                           browser_url="http://127.0.0.1:8501/stemmingen") == "https://kwr.example.nl/app"


def test_public_url_from_the_setting_names_the_page_and_its_parameters(monkeypatch):
    monkeypatch.setenv("KWR_PUBLIC_URL", "https://kwr.example.nl/")
    get_settings.cache_clear()
    assert get_settings().public_url == "https://kwr.example.nl"
    assert links.public_url("stemmen", kaart="K7QM4TXP") == "https://kwr.example.nl/stemmen?kaart=K7QM4TXP"
    assert links.public_url("meedoen", code="AB12CD") == "https://kwr.example.nl/meedoen?code=AB12CD"


def test_a_blank_setting_means_unset(monkeypatch):
    monkeypatch.setenv("KWR_PUBLIC_URL", "  ")
    get_settings.cache_clear()
    assert get_settings().public_url is None


@pytest.mark.parametrize("bad", ["kwr.example.nl", "ftp://kwr.example.nl", "https://kwr.example.nl/?x=1"])
def test_a_setting_that_is_no_web_address_is_refused_at_start(monkeypatch, bad):
    monkeypatch.setenv("KWR_PUBLIC_URL", bad)
    get_settings.cache_clear()
    with pytest.raises(ConfigError) as refused:
        get_settings()
    assert refused.value.key == "config.bad_public_url"


def test_a_voting_card_pdf_links_its_qr_code_to_the_address_the_code_carries():
    url = "https://kwr.example.nl/stemmen?kaart=K7QM4TXP"
    sheet = CardSheet("Wijkstemming", "Groep 7", "Scan de code.", [CardPrint("K7QM-4TXP", url)])
    page = PdfReader(io.BytesIO(render_voting_cards_pdf(sheet))).pages[0]
    assert [a.get_object()["/A"]["/URI"] for a in page["/Annots"]] == [url]


def test_the_lesson_qr_and_the_reply_link_start_from_the_same_setting(monkeypatch):
    monkeypatch.setenv("KWR_PUBLIC_URL", "https://kwr.example.nl")
    get_settings.cache_clear()
    assert join_url("AB12CD") == "https://kwr.example.nl/meedoen?code=AB12CD"
    assert reply_url("tok-en_1") == "https://kwr.example.nl/antwoord?link=tok-en_1"
