// Note drafts: no typed word is lost when a session times out.
//
// While the note form is being typed in, what it holds is sent to the server
// two seconds after typing pauses and when the tab is hidden; the server keeps
// it encrypted (notes.NoteDraft) and puts it back into the form when the
// person next opens it. Those requests keep no session alive, and once the
// session has timed out the server refuses them.
//
// The text typed since the last draft the server kept lives in this tab's
// sessionStorage, and only until the server has it: it is removed as soon as a
// draft is kept, before the note itself is sent, when the draft is discarded
// and when the person signs out (static/js/caseload.js). If the session ended
// in between, it is put back into the form after signing in again, and kept
// on the server from there.
"use strict";

(() => {
  const PREFIX = "caseload.note-draft.";
  const PAUSE_MS = 2000;

  const storage = {
    read(key) {
      try {
        return JSON.parse(window.sessionStorage.getItem(key) || "null");
      } catch {
        return null;
      }
    },
    write(key, value) {
      try {
        window.sessionStorage.setItem(key, JSON.stringify(value));
      } catch {
        // Storage is off or full: the server's draft still holds all but the last seconds.
      }
    },
    remove(key) {
      try {
        window.sessionStorage.removeItem(key);
      } catch {
        // Nothing could have been written either.
      }
    },
    keys() {
      try {
        return Object.keys(window.sessionStorage).filter((key) => key.startsWith(PREFIX));
      } catch {
        return [];
      }
    },
  };

  const clock = (at) => new Date(at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

  const start = () => {
    const form = document.querySelector("form[data-note-draft]");
    if (!form) {
      return;
    }
    const url = form.dataset.noteDraft;
    const stashKey = PREFIX + form.dataset.draftKey;
    const owner = form.dataset.draftKey.split(":")[0];
    const restored = document.querySelector("[data-draft-restored]");
    const restoredMessage = restored && restored.querySelector("[data-draft-message]");
    const expired = document.querySelector("[data-draft-expired]");
    const status = form.querySelector("[data-draft-status]");

    // Another person's unsaved text has no business in this tab once someone else signed in.
    storage.keys().forEach((key) => {
      if (key.slice(PREFIX.length).split(":")[0] !== owner) {
        storage.remove(key);
      }
    });

    const fields = () =>
      Array.from(form.elements).filter(
        (field) => field.name && field.type !== "hidden" && field.type !== "submit" && field.type !== "button",
      );
    const values = () => {
      const result = {};
      fields().forEach((field) => {
        result[field.name] = field.type === "checkbox" ? (field.checked ? field.value : "") : field.value;
      });
      return result;
    };
    const fill = (saved) => {
      fields().forEach((field) => {
        if (!(field.name in saved)) {
          return;
        }
        if (field.type === "checkbox") {
          field.checked = Boolean(saved[field.name]);
        } else {
          field.value = saved[field.name];
        }
      });
    };

    let edits = 0; // how many edits the form has had; compared to know what the server has
    let kept = 0; // the number of edits the server's draft holds
    let leaving = false; // the note is being sent, or the draft discarded
    let last = "kept"; // what the newest request came to
    let timer = null;
    let queue = Promise.resolve("kept");

    const send = async (keepalive) => {
      const at = edits;
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          // A timed-out session is sent to the sign-in page: see that, do not follow it.
          redirect: "manual",
          keepalive,
        });
      } catch {
        return "failed";
      }
      if (response.type === "opaqueredirect" || response.status === 401) {
        return "expired";
      }
      if (response.status === 403 || response.status === 404) {
        return "refused";
      }
      if (!response.ok) {
        return "failed";
      }
      const answer = await response.json().catch(() => ({}));
      kept = Math.max(kept, at);
      if (kept === edits) {
        storage.remove(stashKey);
      }
      if (status) {
        status.textContent = answer.kept ? `Draft kept at ${answer.kept}.` : "";
      }
      return "kept";
    };

    const onResult = (result) => {
      last = result;
      if (expired && (result === "expired" || result === "kept")) {
        // Signed in again in another tab, the next autosave works and the warning goes.
        expired.hidden = result === "kept";
      }
      if (result === "refused") {
        // The person may no longer add notes here: nothing is kept for them.
        storage.remove(stashKey);
      }
      return result;
    };

    // One request at a time, each sending the form as it is when it goes.
    const flush = (keepalive = false) => {
      queue = queue.then(() => send(keepalive)).then(onResult);
      return queue;
    };

    form.addEventListener("input", () => {
      edits += 1;
      if (leaving || last === "refused") {
        return;
      }
      storage.write(stashKey, { at: Date.now(), values: values() });
      window.clearTimeout(timer);
      timer = window.setTimeout(() => flush(), PAUSE_MS);
    });

    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && !leaving && last !== "refused" && kept !== edits) {
        window.clearTimeout(timer);
        flush(true);
      }
    });

    // Saving: first make sure the server has the draft, so that the note's own request,
    // should the session have ended meanwhile, loses nothing; then send the note.
    let sending = false;
    form.addEventListener("submit", (event) => {
      if (sending || event.defaultPrevented) {
        return;
      }
      event.preventDefault();
      sending = true;
      leaving = true;
      window.clearTimeout(timer);
      const finish = (result) => {
        if (result === "kept") {
          storage.remove(stashKey);
        } else if (result !== "refused") {
          storage.write(stashKey, { at: Date.now(), values: values() });
        }
        form.submit();
      };
      (last === "refused" ? Promise.resolve(last) : flush()).then(finish, () => finish("failed"));
    });

    const discard = document.querySelector("form[data-draft-discard]");
    if (discard) {
      discard.addEventListener("submit", () => {
        leaving = true;
        window.clearTimeout(timer);
        storage.remove(stashKey);
      });
    }

    // Text typed after the server's last draft, before the session ended: back into the
    // form (it is newer than the server's draft), and kept on the server from now.
    const stashed = storage.read(stashKey);
    const shownAgainWithErrors = form.querySelector("[aria-invalid='true']");
    if (stashed && stashed.values && !shownAgainWithErrors) {
      fill(stashed.values);
      if (restored && restoredMessage) {
        restoredMessage.textContent = `Restored your unsaved draft from ${clock(stashed.at)}.`;
        restored.hidden = false;
      }
      edits += 1;
      flush();
    } else if (stashed) {
      edits += 1;
      flush();
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
