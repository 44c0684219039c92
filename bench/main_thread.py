"""The browser page's main thread, through CDP: how long it has worked, and waiting for it to be quiet.

A measured turn begins once the page is drawn, as a person reads a page before typing into it:
Streamlit's browser side goes on drawing for ~0.2 s after a run is over, and a turn begun meanwhile
waited for that work and counted it as the turn's."""

from __future__ import annotations

import time

# A page counts as drawn once its main thread has worked less than QUIET_BUSY seconds in QUIET_WINDOW
# (idle, it works ~0.01 s a second); after SETTLE_LIMIT seconds the turn begins anyway.
QUIET_WINDOW, QUIET_BUSY, SETTLE_LIMIT = 0.2, 0.01, 10.0


def main_thread_seconds(cdp) -> tuple[float, float]:
    """The renderer main thread's task seconds (TaskDuration) and CPU seconds (ThreadTime) so far."""
    metrics = {metric["name"]: metric["value"] for metric in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["TaskDuration"], metrics["ThreadTime"]


def wait_until_quiet(context, page) -> None:
    """Return once `page`'s main thread has been (nearly) idle for QUIET_WINDOW."""
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    try:
        busy, deadline = main_thread_seconds(cdp)[0], time.monotonic() + SETTLE_LIMIT
        while time.monotonic() < deadline:
            time.sleep(QUIET_WINDOW)
            now = main_thread_seconds(cdp)[0]
            if now - busy < QUIET_BUSY:
                return
            busy = now
    finally:
        cdp.detach()
