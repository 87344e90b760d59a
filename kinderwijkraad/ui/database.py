"""The app's engine, cached once per process, and the first-start preparation of the database."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from kinderwijkraad import db
from kinderwijkraad.config import get_settings
from kinderwijkraad.errors import ConfigError
from kinderwijkraad.services import demo
from kinderwijkraad.ui.errors import error_text


@st.cache_resource(show_spinner=False)
def _engine_for(url: str, prepare: bool, seed_demo: bool) -> Engine:
    # Only the single-instance SQLite default migrates on start; with several replicas on
    # PostgreSQL, `kinderwijkraad db upgrade` runs once before they start.
    if prepare:
        db.upgrade(url)
    engine = db.make_engine(url)
    if seed_demo:
        demo.seed_demo(engine, photos_dir=get_settings().photos_dir, mail_settings=get_settings().mail)
    return engine


def engine() -> Engine:
    """The engine; a damaged or unreadable database (or a failed backup before migrating) stops
    the app with a message instead of starting afresh with an empty database."""
    settings = get_settings()
    try:
        return _engine_for(
            settings.effective_database_url,
            prepare=settings.uses_default_database,
            seed_demo=settings.demo_mode and settings.uses_default_database,
        )
    except ConfigError as error:  # not cached: the next run checks the file again
        st.error(error_text(error), icon=":material/database:")
        st.stop()
