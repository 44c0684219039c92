"""Make the README's pictures: `python -m tests.e2e.readme_screenshot`.

It runs the real app against the fake Groq server with a few saved conversations and, in headless
Chromium as the browser tests do, photographs the memory page after loading one and asking a
follow-up (docs/memory-page.png), and the simple page answering as a chosen persona with the
Assistant settings open (docs/assistant-settings.png).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from models.message import Message
from models.store import ConversationStore
from tests.e2e.chat_page import ChatPage
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path
from tests.e2e.streamlit_server import PROJECT_DIR, StreamlitServer
from tests.fake_groq import FakeGroq

MEMORY_SHOT = PROJECT_DIR / "docs" / "memory-page.png"
SETTINGS_SHOT = PROJECT_DIR / "docs" / "assistant-settings.png"
SAVED = {
    "Birthday gift for Sam": [
        Message("user", "Gift ideas for a friend who loves hiking, under 60 euros?"),
        Message("assistant", "A packable rain shell, a trail guide for your region, or a good headlamp."),
    ],
    "Explain Python generators": [
        Message("user", "What does `yield` do in Python?"),
        Message("assistant", "It turns a function into a generator that hands out values one at a time."),
    ],
    "Weekend in Lisbon": [
        Message("user", "I have a weekend in Lisbon in March. What should I not miss?"),
        Message("assistant", "Alfama at sunset, a tram 28 ride, pastéis de nata in Belém and the LX Factory."),
    ],
}
FOLLOW_UP = "Make it a plan for Saturday, and keep it walkable."
PLAN = """\
Here is a walkable Saturday, east to west:

1. **Morning — Alfama.** Climb to *Miradouro de Santa Luzia* for the view, then the castle.
2. **Lunch — Baixa.** Grilled sardines near *Rua dos Correeiros*.
3. **Afternoon — Chiado and Bairro Alto.** Bookshops, *A Brasileira*, then *São Pedro de Alcântara*.
4. **Sunset — Cais do Sodré.** Walk the riverside to *Ribeira das Naus*.

About **9 km** in all; wear comfortable shoes, Lisbon is hilly."""
SHOPPER = "I need headphones for the train, around 150 euros."
ATTENDANT = """\
Good choice to decide on a budget first. For train commutes, noise cancelling matters most:

| | Noise cancelling | Battery | Fits |
|---|---|---|---|
| **Over-ear ANC** | best | ~30 h | long rides |
| **In-ear ANC buds** | good | ~8 h (+ case) | a pocket |

Do you prefer something that folds into a bag, or the smallest option?"""


def main() -> int:
    executable = chromium_path()
    if executable is None:
        print("No Chromium found: apt-get install -y chromium", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="bnagpt-shot-"))
    store = ConversationStore(tmp / "conversations")
    for name, messages in SAVED.items():
        store.save(name, messages, model="openai/gpt-oss-120b")
    with FakeGroq() as fake, sync_playwright() as playwright:
        env = StreamlitServer.environment(fake.base_url, fake.api_key, tmp)
        with StreamlitServer(env, tmp / "streamlit.log") as server:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
            page = ChatPage(context.new_page(), server.url).open("Chatbot_With_Memory")
            page.in_conversation("Weekend in Lisbon", "Load").expect_toast("Loaded")
            page.page.keyboard.press("Escape")  # close the conversation's menu
            fake.reply_with(PLAN)
            page.send(FOLLOW_UP)
            page.assert_no_exception()
            expect(page.page.get_by_test_id("stToast")).to_have_count(0)  # it fades by itself
            page.screenshot(MEMORY_SHOT)

            page = ChatPage(context.new_page(), server.url).open().open_assistant_settings()
            page.choose("Persona", "Electronics store attendant")
            fake.reply_with(ATTENDANT)
            page.send(SHOPPER)
            page.assert_no_exception()
            page.screenshot(SETTINGS_SHOT)
            browser.close()
    for shot in (MEMORY_SHOT, SETTINGS_SHOT):
        print(f"wrote {shot.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
