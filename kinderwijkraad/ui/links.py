"""Addresses that leave the building: the QR code on the board and on voting cards, the reply link
for an official, the links in PDFs. All of them come from here, so they share one root.

The root is `KWR_PUBLIC_URL` when set (behind a proxy the server never sees the address children
and officials use). Unset, it is the address the browser shows, minus the page the user is on:
a card sheet made on /stemmingen must point at /stemmen, not /stemmingen/stemmen.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlencode, urlsplit

import streamlit as st

from kinderwijkraad.config import get_settings
from kinderwijkraad.ui.navigation import PAGES

PAGE_PATHS = frozenset(page.url_path for page in PAGES)


def root_from(*, configured: str | None, browser_url: str | None, page_paths: Collection[str] = PAGE_PATHS,
              base_path: str = "") -> str:
    """The app's root address: the setting, else scheme, host and the app's own path prefix
    (a proxy's "/kwr", Streamlit's baseUrlPath) of the browser's address, without the page."""
    if configured:
        return configured.rstrip("/")
    if not browser_url:
        return ""
    parts = urlsplit(browser_url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in page_paths and path.strip("/") != base_path.strip("/"):
        path = head
    return f"{parts.scheme}://{parts.netloc}{path}"


def _browser_url() -> str | None:
    """What the browser shows; without it (a test harness), the request's host header."""
    url = getattr(st.context, "url", None)
    if url:
        return url
    headers = getattr(st.context, "headers", None) or {}
    host = headers.get("X-Forwarded-Host") or headers.get("Host")
    if not host:
        return None
    scheme = headers.get("X-Forwarded-Proto") or "http"
    return f"{scheme}://{host}"


def app_root() -> str:
    """This app's public root address, without a trailing slash."""
    return root_from(configured=get_settings().public_url, browser_url=_browser_url(),
                     base_path=str(st.get_option("server.baseUrlPath") or ""))


def public_url(url_path: str, **params: str) -> str:
    """The public address of one page (`navigation.JOIN.url_path`), with its query parameters."""
    query = urlencode(params)
    return f"{app_root()}/{url_path}" + (f"?{query}" if query else "")
