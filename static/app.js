// bnaGPT's keyboard and screen-reader help, for what Streamlit has no setting for (view/page_style.py).
(() => {
  if (window.__bnagptUi) return;
  window.__bnagptUi = true;

  const STOP_LABEL = "Stop answer"; // Streamlit's chat box calls it "Stop script"

  // A saved conversation's menu: focus moves into it once its buttons are drawn, so that Load is
  // the first Tab stop; Esc closes it and gives focus back to its button.
  let openedFrom = null;
  const focusMenu = (body) => {
    if (body.dataset.bnagptFocused || !body.querySelector("button")) return;
    // Only right after the person opened it: focus is still on its button (never taken from elsewhere).
    const from = document.activeElement;
    if (!from?.matches('[data-testid="stPopoverButton"][aria-expanded="true"]')) return;
    body.dataset.bnagptFocused = "1";
    body.tabIndex = -1;
    openedFrom = from;
    body.focus({ preventScroll: true });
  };
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !document.activeElement?.closest('[data-testid="stPopoverBody"]')) return;
    const button = openedFrom;
    if (button && button.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      button.click();
      button.focus();
    }
  }, true);

  // "Show earlier messages" adds messages above the reader's: keep those in view where they were.
  let keep = null; // {scroller, fromEnd, top, until}
  const scrollerOf = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return document.scrollingElement;
  };
  // The anchor is the first message in view, counted from the end (new ones arrive above it).
  const messages = () => [...document.querySelectorAll('[data-testid="stChatMessage"]:not([data-stale="true"])')];
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !/Show earlier messages/.test(button.textContent)) return;
    const all = messages();
    const first = all.findIndex((message) => message.getBoundingClientRect().bottom > 0);
    if (first < 0) return;
    keep = { scroller: scrollerOf(button), fromEnd: all.length - first, top: all[first].getBoundingClientRect().top,
             until: Date.now() + 10000 };
  }, true);
  for (const stop of ["wheel", "touchstart", "keydown"]) {
    document.addEventListener(stop, () => { keep = null; }, { capture: true, passive: true });
  }

  const tidy = () => {
    for (const button of document.querySelectorAll('[data-testid="stChatInputStopButton"]')) {
      if (button.getAttribute("aria-label") !== STOP_LABEL) {
        button.setAttribute("aria-label", STOP_LABEL);
        button.title = STOP_LABEL;
      }
    }
    document.querySelectorAll('[data-testid="stPopoverBody"]').forEach(focusMenu);
    if (keep && Date.now() < keep.until) {
      const all = messages();
      const anchor = all[all.length - keep.fromEnd];
      if (anchor) keep.scroller.scrollTop += anchor.getBoundingClientRect().top - keep.top;
    } else {
      keep = null;
    }
  };
  new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["aria-label", "aria-expanded"] });
  tidy();
})();
