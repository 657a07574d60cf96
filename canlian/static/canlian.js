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
// (its isSupported() check). js-enabled.js sets it at the top of <body>,
// before anything renders; adding it here again keeps this script working
// if that file did not load.
document.body.classList.add("govuk-frontend-supported");

initAll();

// The compact header: below the tablet width the display controls, the language and the
// menu fold behind one button (the stylesheet hides them while the header is not open), so
// enlarged text does not fill the first screen. Without JavaScript everything stays open.
const header = document.querySelector(".cl-header");
const headerToggle = header && header.querySelector(".cl-header__toggle");
if (headerToggle) {
  headerToggle.addEventListener("click", () => {
    const open = header.classList.toggle("cl-header--open");
    headerToggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
}

// After a search, focus moves to the results' heading (marked data-focus-on-load), so that
// the keyboard and a screen reader continue at the results rather than at the top.
const focusTarget = document.querySelector("[data-focus-on-load]");
if (focusTarget && !document.querySelector(".govuk-error-summary")) {
  focusTarget.focus();
}

// Import progress: poll the job's status while it runs, update the progress bar, and reload
// the page when the work is done. The live region is only rewritten every tenth of the way
// (or when the status changes) so a screen reader is not flooded. Without JavaScript the
// page offers a refresh link.
const importStatus = document.querySelector("[data-import-status]");
if (importStatus) {
  const bar = importStatus.querySelector("progress");
  const text = importStatus.querySelector("[data-import-text]");
  let lastTenth = -1;
  let lastLabel = "";
  let lastAhead = -1;
  const poll = async () => {
    try {
      const response = await fetch(importStatus.dataset.importStatus, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const job = await response.json();
      if (!job.running) {
        window.location.reload();
        return;
      }
      // While an import is applied its progress is inside one transaction: no numbers.
      const counted = job.rows_total && job.status !== "applying";
      if (counted) {
        bar.max = job.rows_total;
        bar.value = job.rows_done;
      }
      const tenth = counted ? Math.floor((10 * job.rows_done) / job.rows_total) : 0;
      if (tenth !== lastTenth || job.label !== lastLabel) {
        lastTenth = tenth;
        lastLabel = job.label;
        const done = job.rows_done.toLocaleString();
        text.textContent = counted
          ? `${job.label}: ${done} / ${job.rows_total.toLocaleString()}`
          : job.label;
      }
      // While the check waits, the jobs ahead of it (the live region only when it changes).
      if (job.waiting && job.ahead !== lastAhead) {
        lastAhead = job.ahead;
        text.textContent = job.waiting;
      }
    } catch (error) {
      // A failed poll is retried on the next tick.
    }
  };
  window.setInterval(poll, 1500);
}

// A "Print" button (receipts): shown only when a script can print; without JavaScript the
// browser's own print command uses the same print stylesheet, and the PDF link stays.
for (const button of document.querySelectorAll("[data-print-button]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
