// Canlian progressive enhancement: start GOV.UK Frontend's components.
//
// GOV.UK Frontend 5 ships govuk-frontend.min.js as an ES module (it ends in
// `export { …, initAll, … }` and sets no window.GOVUKFrontend), so this file
// is an ES module too. Load it with:
//
//   <script type="module" src="{% static 'canlian.js' %}"></script>
//
// Module scripts are deferred by default and are ignored by browsers that
// cannot run GOV.UK Frontend 5, which then get the plain HTML (everything
// works without JavaScript).
//
// The import path is relative to this file, so it must stay next to
// build/govuk-frontend.min.js under the same static URL prefix.

import { initAll } from "./build/govuk-frontend.min.js";

// GOV.UK Frontend only initialises when <body> carries this class
// (its isSupported() check). The base template should also set it inline
// at the top of <body>, before anything renders; adding it here again keeps
// this script working if that inline snippet is missing (e.g. under a CSP
// that forbids inline scripts).
document.body.classList.add("govuk-frontend-supported");

initAll();
