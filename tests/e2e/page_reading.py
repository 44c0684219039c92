"""What the browser tests read from a Streamlit page: JS readers, and Streamlit's run-finished message."""

from __future__ import annotations

from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STALE = '[data-stale="true"]'
# A whole run or a fragment's run (the saved conversations list) has ended; not "early, for a rerun".
RUN_ENDS = {
    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
WATCHER = """
window.__bnagpt = {exceptions: []};
new MutationObserver((mutations) => {
  for (const m of mutations) {
    for (const node of m.addedNodes || []) {
      if (node.nodeType !== 1) continue;
      const found = node.matches('[data-testid="stException"]') ? [node]
        : node.querySelectorAll('[data-testid="stException"]');
      for (const e of found) window.__bnagpt.exceptions.push(e.innerText);
    }
  }
}).observe(document, {subtree: true, childList: true});
"""
# Reads the chat bubbles as [role, text]: an error bubble's role is "error" and its text the
# message only (a Material icon's ligature name is text too); an answer's caption is left out.
READ_TRANSCRIPT = """() => [...document.querySelectorAll('[data-testid="stChatMessage"]:not([data-stale="true"])')]
  .map((bubble) => {
    const content = bubble.querySelector('[data-testid="stChatMessageContent"]');
    const alert = content.querySelector('[data-testid="stAlertContainer"] [data-testid="stMarkdownContainer"]');
    if (alert) return ["error", alert.innerText.trim()];
    const avatar = bubble.querySelector('[data-testid^="stChatMessageAvatar"]').dataset.testid;
    const parts = [...content.querySelectorAll(ANSWER_PARTS)].map((part) => part.innerText.trim());
    return [ROLES[avatar] || avatar, parts.join("\\n")];
  })"""
READ_CAPTIONS = """() => [...document.querySelectorAll(
  '[data-testid="stChatMessage"]:not([data-stale="true"]) [data-testid="stCaptionContainer"]')]
  .map((caption) => caption.innerText.trim())"""
# A listed conversation's label is its name, then when it was updated in grey (left out here).
READ_SAVED = """() => [...document.querySelectorAll(
  '[data-testid="stSidebar"] [data-testid="stPopover"] button [data-testid="stMarkdownContainer"]')]
  .map((label) => {
    const name = label.cloneNode(true);
    name.querySelectorAll('.stMarkdownColoredText').forEach((when) => when.remove());
    return name.textContent.trim();
  })"""
# Not captions, nor the folded Thinking step (an expander) above an answer, nor a menu's label (Copy).
NOT_THINKING = ':not([data-testid="stExpander"] *):not([data-testid="stPopover"] *)'
# Nor a button's label (Read aloud).
ANSWER_PARTS = (f'[data-testid="stMarkdownContainer"]{NOT_THINKING}:not(button *), '
                f'[data-testid="stCode"] pre{NOT_THINKING}, [data-testid="stText"]{NOT_THINKING}')
# Each Thinking step in the chat: [its label, the reasoning in it].
READ_THINKING = """() => [...document.querySelectorAll(
  '[data-testid="stChatMessage"]:not([data-stale="true"]) [data-testid="stExpander"]')]
  .map((step) => [step.querySelector('summary [data-testid="stMarkdownContainer"]').innerText.trim(),
                  step.querySelector('[data-testid="stExpanderDetails"]').textContent.trim()])"""
ROLE_OF_AVATAR = {"stChatMessageAvatarUser": "user", "stChatMessageAvatarAssistant": "assistant"}
READ_TRANSCRIPT = READ_TRANSCRIPT.replace("ANSWER_PARTS", repr(ANSWER_PARTS)).replace("ROLES", str(ROLE_OF_AVATAR))


def is_run_end(payload: bytes | str) -> bool:
    """Whether a websocket frame from Streamlit says a script run has finished."""
    if isinstance(payload, str):
        return False
    try:
        message = ForwardMsg.FromString(payload)
    except DecodeError:
        return False
    return message.WhichOneof("type") == "script_finished" and message.script_finished in RUN_ENDS
