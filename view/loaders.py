"""Cached loaders for the views: files read once per server process, not on every rerun."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from models.store import Store, open_store
from settings import Settings
from utils.llm import CATALOG, ModelCatalog, warm_up

IMAGES_DIR = Path(__file__).resolve().parent.parent / "static" / "images"


@st.cache_resource
def load_image(name: str) -> bytes:
    """A PNG from static/images, read once."""
    # As the file's bytes, not a decoded image: Streamlit would encode a decoded image to PNG
    # again on every rerun, for each of the logo and icon uses (B2).
    return (IMAGES_DIR / name).read_bytes()


def load_store(settings: Settings, owner: str | None = None) -> Store:
    """One store per place (folder or database), owner and process, so its caches (and a database's
    connection pool) are shared by that owner's sessions."""
    return _load_store(str(settings.conversations_dir), settings.database_url, owner, settings)


@st.cache_resource(show_spinner=False)
def _load_store(directory: str, database_url: str, owner: str | None, _settings: Settings) -> Store:
    # The folder and URL are the cache's key; the settings (not hashed) are what open_store reads.
    store = open_store(_settings, owner)
    threading.Thread(target=_prepare_store, args=(store,), name="bnaGPT store warm-up", daemon=True).start()
    return store


def _prepare_store(store: Store) -> None:
    # The first listing reads every file's header unless the listing index on disk is current, and
    # the first search every file's words (B7): both are done before anyone asks.
    try:
        store.list()
        store.prepare_search()
    except Exception:  # the sidebar reports store problems when it lists; this is only a head start
        logging.getLogger(__name__).debug("store warm-up failed", exc_info=True)


def model_catalog() -> ModelCatalog:
    """The process's cache of Groq's model list (it refreshes itself every ten minutes)."""
    return CATALOG


@st.cache_resource(show_spinner=False)
def warm_up_engine() -> threading.Thread:
    """Start importing LlamaIndex in the background, once per process, so the first answer need not wait."""
    # Pages are drawn without LlamaIndex (seconds to import); this runs once the chat box is shown.
    thread = threading.Thread(target=warm_up, name="bnaGPT LlamaIndex warm-up", daemon=True)
    thread.start()
    return thread


def prepare_engine(controller: Any) -> None:
    """In a run that answers nothing, once LlamaIndex is imported: build the engine the next message
    will use, so that it is sent without waiting for it (the memory page's agent takes ~5 ms, B3)."""
    if warm_up_engine().is_alive():
        return
    try:
        controller.prepare()
    except Exception:  # noqa: BLE001 - the message builds it again, and says what went wrong
        pass
