// Caseload's own behaviour. Pages work without it; it only improves them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader users hear what went wrong.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // Ask before leaving a page whose form has unsaved text.
  let dirty = false;
  document.querySelectorAll("form[data-warn-unsaved]").forEach((form) => {
    form.addEventListener("input", () => {
      dirty = true;
    });
    form.addEventListener("submit", () => {
      dirty = false;
    });
    // A form shown again after an error holds text not yet saved.
    if (form.querySelector("[aria-invalid='true']")) {
      dirty = true;
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Ctrl+Enter (or Cmd+Enter) saves the form from any of its fields.
  document.querySelectorAll("form[data-submit-shortcut]").forEach((form) => {
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  });

  // A note template adds its headings after whatever is already typed, never over it.
  // (Without JavaScript the link reloads the page with the headings in an empty form.)
  document.querySelectorAll("a[data-note-template]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const fields = [
        [document.getElementById("id_facts"), link.dataset.facts],
        [document.getElementById("id_next_steps"), link.dataset.nextSteps],
      ];
      if (fields.some(([field]) => !field)) {
        return;
      }
      event.preventDefault();
      fields.forEach(([field, headings]) => {
        if (!headings) {
          return;
        }
        const typed = field.value.replace(/\s+$/, "");
        field.value = typed ? `${typed}\n\n${headings}` : headings;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
      fields[0][0].focus();
    });
  });

  // "Add a note" (or the N key, outside a field) goes to the note form and puts the
  // cursor in its first field.
  const noteLink = document.querySelector("a[data-jump-to-note]");
  const noteForm = document.getElementById("note-form-heading");
  if (noteLink && noteForm) {
    const toNote = () => {
      noteForm.scrollIntoView();
      const first = noteForm.parentElement.querySelector("form input:not([type=hidden]), form select, form textarea");
      if (first) {
        first.focus();
      }
    };
    noteLink.addEventListener("click", (event) => {
      event.preventDefault();
      toNote();
    });
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest("input, textarea, select, [contenteditable]");
      if (event.key.toLowerCase() === "n" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        toNote();
      }
    });
  }

  // Tables of cases turn into cards on a phone (caseload.css): each cell is given its
  // column's heading to show above its value, written once in the <thead>. Headings
  // that are only for screen readers (an "Action" column) give no label.
  document.querySelectorAll("table.table-cards").forEach((table) => {
    const headings = [];
    table.querySelectorAll(":scope > thead > tr:last-child > th").forEach((th) => {
      const visible = th.cloneNode(true);
      visible.querySelectorAll(".visually-hidden").forEach((hidden) => hidden.remove());
      const shown = visible.textContent.replace(/\s+/g, " ").trim();
      for (let span = 0; span < th.colSpan; span += 1) {
        headings.push(shown);
      }
    });
    table.querySelectorAll(":scope > tbody > tr").forEach((row) => {
      let column = 0;
      Array.from(row.cells).forEach((cell) => {
        if (cell.tagName === "TD" && cell.colSpan === 1 && headings[column]) {
          cell.dataset.label = headings[column];
        }
        column += cell.colSpan;
      });
    });
    table.dataset.cards = "";
  });

  // "/" outside a field puts the cursor in the header's search box.
  const searchBox = document.getElementById("site-search-q");
  if (searchBox) {
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest("input, textarea, select, [contenteditable]");
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        searchBox.focus();
      }
    });
  }

  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });

  // --- Note drafts (see static/js/note-drafts.js) ---
  // Text typed into a note form and not yet kept by the server waits in this tab's
  // storage; signing out leaves none of it behind.
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach((form) => {
    form.addEventListener("submit", () => {
      try {
        Object.keys(window.sessionStorage)
          .filter((key) => key.startsWith("caseload.note-draft."))
          .forEach((key) => window.sessionStorage.removeItem(key));
      } catch {
        // Storage is off: nothing was kept in it.
      }
    });
  });
});
