// bnaGPT's keyboard and screen-reader help, and how the page follows an answer, for what Streamlit has no
// setting for (view/page_style.py).
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

  // "Show earlier messages" adds messages above the reader's: keep the one at the top of the view where it
  // was. It is found again by its text, counted from the end, since the redraw replaces every element.
  let keep = null; // {scroller, element, text, fromEnd, redrawn, top, quietSince, until}
  const scrollerOf = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return document.scrollingElement;
  };
  const messages = () => [...document.querySelectorAll('[data-testid="stChatMessage"]:not([data-stale="true"])')];
  const findAnchor = () => {
    const all = messages().filter((message) => message.innerText === keep.text);
    return all[all.length - keep.fromEnd];
  };
  // Each frame until the page has been still for a while: a loaded page draws in several steps.
  const holdPlace = () => {
    if (!keep) return;
    const now = Date.now();
    const anchor = findAnchor();
    const drift = anchor ? anchor.getBoundingClientRect().top - keep.top : 0;
    if (Math.abs(drift) >= 1) {
      keep.scroller.scrollTop += drift;
      keep.quietSince = now;
    }
    // Still until the redraw has begun (the old element is gone or greyed) and then settled.
    if (anchor !== keep.element || document.querySelector('[data-stale="true"]')) keep.redrawn = true;
    if (!keep.redrawn || document.querySelector('[data-stale="true"]') || !anchor) keep.quietSince = now;
    if (now - keep.quietSince > 1500 || now > keep.until) keep = null;
    else requestAnimationFrame(holdPlace);
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !/Show earlier messages/.test(button.textContent)) return;
    const all = messages();
    const first = all.findIndex((message) => message.getBoundingClientRect().bottom > 0);
    if (first < 0) return;
    const text = all[first].innerText;
    const fromEnd = all.slice(first).filter((message) => message.innerText === text).length;
    keep = { scroller: scrollerOf(button), element: all[first], text, fromEnd, redrawn: false,
             top: all[first].getBoundingClientRect().top, quietSince: Date.now(), until: Date.now() + 60000 };
    requestAnimationFrame(holdPlace);
  }, true);
  for (const stop of ["wheel", "touchstart", "keydown"]) {
    document.addEventListener(stop, () => { keep = null; }, { capture: true, passive: true });
  }

  // Follow a growing answer by jumping to the page's end once per change, rather than with Streamlit's
  // glide, which scrolls and lays the page out again at every frame while an answer streams (B10).
  // This never moves a reader who scrolled up (Streamlit's own follow still may, as the page grows).
  const NEAR_END = 8; // px
  let followed = null, following = true, lastTop = 0;
  const observed = new WeakSet();
  const growth = new ResizeObserver(() => {
    if (following && followed) followed.scrollTop = followed.scrollHeight;
  });
  const onScroll = () => {
    const top = followed.scrollTop;
    if (followed.scrollHeight - top - followed.clientHeight < NEAR_END) following = true;
    else if (top < lastTop) following = false;
    lastTop = top;
  };
  const watchScroller = () => {
    const scroller = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
    if (!scroller) return;
    if (scroller !== followed) {
      followed?.removeEventListener("scroll", onScroll);
      followed = scroller;
      following = true;
      lastTop = scroller.scrollTop;
      scroller.addEventListener("scroll", onScroll, { passive: true });
    }
    for (const child of scroller.children) {
      if (!observed.has(child)) {
        observed.add(child);
        growth.observe(child);
      }
    }
  };

  const tidy = () => {
    watchScroller();
    for (const button of document.querySelectorAll('[data-testid="stChatInputStopButton"]')) {
      if (button.getAttribute("aria-label") !== STOP_LABEL) {
        button.setAttribute("aria-label", STOP_LABEL);
        button.title = STOP_LABEL;
      }
    }
    document.querySelectorAll('[data-testid="stPopoverBody"]').forEach(focusMenu);
  };
  new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["aria-label", "aria-expanded"] });
  tidy();
})();
