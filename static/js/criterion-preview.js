// The criterion page's preview follows what the admin types: the form is posted (saving
// nothing) to the preview URL, which answers the question as the assessment form renders
// it. Without this script the preview shows the question as last saved.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-preview-url]");
  const preview = form && document.getElementById(form.dataset.previewTarget);
  if (!form || !preview) {
    return;
  }
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      // A later request may have answered first: show only the newest.
      if (response.ok && mine === asked) {
        preview.innerHTML = await response.text();
        preview.dataset.previewUpdated = String(mine);
      }
    } catch (error) {
      // Offline or refused: the preview stays as it was, and saving still works.
    }
  };
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
});
