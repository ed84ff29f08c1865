// The history of pages that hold secrets. A page reached by a mailed link
// carries its token in a form, not in the address bar: the query leaves the
// address bar and the history, so that neither a screen share nor a later
// visitor of the history sees it.
"use strict";

if (document.body.dataset.forgetQuery !== undefined) {
  history.replaceState(null, "", location.pathname);
}

// Every page is answered `no-store`: it may show a secret once (recovery
// codes, a two-factor setup key) or an account's state that has moved on
// since. A browser that restores one from its back/forward cache, as
// Chromium does, asks for it again instead, as `no-store` meant.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    location.reload();
  }
});
