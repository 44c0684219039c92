"""The sidebar's Assistant settings: persona, model, reasoning effort, temperature, answer length, JSON mode.

The controller's `AssistantSettings` is the truth; the widgets show it. Their keys carry the
controller's `assistant_generation`, so when a loaded conversation brings its own settings the
widgets are made afresh with those values instead of keeping what was on screen.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from models.assistant_settings import (
    ANSWER_TOKENS_RANGE,
    CUSTOM_PERSONA,
    MAX_SYSTEM_PROMPT_CHARS,
    PERSONAS,
    TEMPERATURE_RANGE,
    AssistantSettings,
    persona_of,
)
from settings import Settings
from utils.llm import traits_of
from view.loaders import model_catalog
from view.text import escape_markdown

FIELDS = ("persona", "system_prompt", "model", "temperature", "max_answer_tokens", "json_mode", "reasoning_effort")


class AssistantPanel:
    """Draws the settings expander and hands the chosen settings to the controller."""

    def __init__(self, state_prefix: str, controller: Any, settings: Settings) -> None:
        self.controller = controller
        self.settings = settings
        generation = controller.assistant_generation
        self.keys = {field: f"{state_prefix}.assistant.{generation}.{field}" for field in FIELDS}
        self.open_key = f"{state_prefix}.assistant.open"
        self._gone: str | None = None  # the model Groq no longer lists, replaced in this run

    def apply(self) -> None:
        """Hand the controller what the open panel's widgets hold, before a message sent in this rerun
        starts: the page sends it before drawing the sidebar (B3)."""
        state = st.session_state
        if all(self.keys[field] in state for field in FIELDS if field != "reasoning_effort"):
            self._gone = self._replace_gone_model(self._model_choice())
            self.controller.set_assistant(self._chosen(self.controller.assistant))

    def render(self) -> None:
        """Draw the expander, and its widgets while it is open; the settings apply from the next message on."""
        expander = st.sidebar.expander("Assistant settings", icon=":material/tune:", key=self.open_key,
                                       on_change="rerun")
        if not expander.open:
            # Folded, its six widgets are not drawn at all, on every rerun of both pages; the
            # controller keeps the settings, and they fill the widgets again when it is unfolded.
            return
        assistant: AssistantSettings = self.controller.assistant
        self._seed(assistant)
        choice = self._model_choice()
        keys = self.keys
        with expander:
            st.selectbox("Persona", [*PERSONAS, CUSTOM_PERSONA], key=keys["persona"], on_change=self._persona_chosen)
            st.text_area(
                "System prompt", key=keys["system_prompt"], max_chars=MAX_SYSTEM_PROMPT_CHARS, height=120,
                on_change=self._prompt_edited, help="Sent to the model first, with every message.",
            )
            gone = self._gone or self._replace_gone_model(choice)
            if gone:
                st.caption(f"Groq no longer lists {escape_markdown(gone)}; answers come from the model below.")
            st.selectbox("Model", choice.models, key=keys["model"])
            efforts = traits_of(st.session_state[keys["model"]]).efforts
            if efforts:
                st.segmented_control("Reasoning effort", efforts, key=keys["reasoning_effort"],
                                     help="How long the model thinks before it answers.")
            if not choice.live:
                st.caption(f"Groq's model list is unavailable ({choice.problem}); showing the built-in list.")
            st.slider("Temperature", *TEMPERATURE_RANGE, step=0.05, key=keys["temperature"],
                      help="Lower is more focused and repeatable, higher more varied.")
            st.number_input("Max answer tokens", *ANSWER_TOKENS_RANGE, step=256, key=keys["max_answer_tokens"],
                            help="The longest answer the model may give.")
            st.toggle("JSON mode", key=keys["json_mode"], help="Every answer must be one JSON object.")
            st.caption("Applies from your next message on.")
        self.controller.set_assistant(self._chosen(assistant))

    def _model_choice(self) -> Any:
        return model_catalog().chat_models(self.settings.groq_api_base, self.settings.groq_api_key,
                                           self.controller.assistant.model)

    def _replace_gone_model(self, choice: Any) -> str | None:
        """When `choice` (Groq's live list) lacks the chosen model, the box moves (and says so): the model that was."""
        key = self.keys["model"]
        gone = st.session_state[key]
        if gone in choice.models:
            return None
        st.session_state[key] = model_catalog().replacement(
            self.settings.groq_api_base, self.settings.groq_api_key, self.settings.groq_model)
        return gone

    def _seed(self, assistant: AssistantSettings) -> None:
        """Give fresh widgets the controller's values (only keys not yet set: never mid-edit)."""
        for field, value in {**assistant.to_dict(), "persona": assistant.persona}.items():
            st.session_state.setdefault(self.keys[field], value)

    def _persona_chosen(self) -> None:
        persona = st.session_state[self.keys["persona"]]
        if persona in PERSONAS:
            st.session_state[self.keys["system_prompt"]] = PERSONAS[persona]

    def _prompt_edited(self) -> None:
        st.session_state[self.keys["persona"]] = persona_of(st.session_state[self.keys["system_prompt"]])

    def _chosen(self, current: AssistantSettings) -> AssistantSettings:
        state = st.session_state
        return AssistantSettings(
            model=state[self.keys["model"]] or current.model,
            system_prompt=state[self.keys["system_prompt"]],
            temperature=state[self.keys["temperature"]],
            max_answer_tokens=state[self.keys["max_answer_tokens"]],
            json_mode=state[self.keys["json_mode"]],
            reasoning_effort=state.get(self.keys["reasoning_effort"]) or current.reasoning_effort,
        )

