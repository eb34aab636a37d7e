"""How the portal is drawn for this browser: 长者模式 (elder mode, issue #9).

Not a child of ``AuthState``: logging in or out resets every page state below it, and a reader's
display preference must survive that. The value lives in the browser's localStorage (``qs_elder_mode``);
a script in the page head applies it before the first paint, so a reload never flashes small type."""

from __future__ import annotations

import json

import reflex as rx

ELDER_STORAGE_KEY = "qs_elder_mode"
ELDER_ON = "on"

# Runs in <head> before the app renders: the attribute the stylesheet (assets/a11y.css) keys on.
APPLY_ON_LOAD = (
    f"try{{if(localStorage.getItem({json.dumps(ELDER_STORAGE_KEY)})==={json.dumps(ELDER_ON)})"
    "{document.documentElement.dataset.elder='on'}}catch(e){}"
)


class DisplayState(rx.State):
    """The reader's display preferences, remembered per browser."""

    elder_mode: str = rx.LocalStorage("", name=ELDER_STORAGE_KEY, sync=True)

    @rx.var
    def elder_on(self) -> bool:
        return self.elder_mode == ELDER_ON

    @rx.event
    def toggle_elder_mode(self):
        """长者模式 on ⇄ off: stored by the browser, applied to the page at once."""
        self.elder_mode = "" if self.elder_mode == ELDER_ON else ELDER_ON
        if self.elder_mode == ELDER_ON:
            return rx.call_script("document.documentElement.dataset.elder='on'")
        return rx.call_script("delete document.documentElement.dataset.elder")
