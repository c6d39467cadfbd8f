// Caseload's own behaviour. Pages work without it; it only improves them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader users hear what went wrong.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
