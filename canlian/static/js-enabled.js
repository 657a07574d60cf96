// Mark the page as scripted before it is drawn, so GOV.UK Frontend's styles for scripted
// components apply from the start (no flash of the plain version). Loaded as a classic,
// blocking script at the top of <body> (base.html): the Content-Security-Policy allows no
// inline script. `govuk-frontend-supported` only where ES modules run, as GOV.UK Frontend 5
// needs them; canlian.js adds it again.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
