// A page reached by a mailed link carries its token in a form, not in the
// address bar: the query leaves the address bar and the history, so that
// neither a screen share nor a later visitor of the history sees it.
"use strict";

if (document.body.dataset.forgetQuery !== undefined) {
  history.replaceState(null, "", location.pathname);
}
