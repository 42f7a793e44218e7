// Drafts are never lost: every change is copied to localStorage at once (survives a reload or a
// crash before the server heard of it), and sent to the server 800 ms after the last keystroke,
// on blur, and when the page is hidden or unloaded (keepalive). The local copy is dropped only
// when the server has confirmed exactly that text.
import { postJson } from "./api.js";

const DEBOUNCE_MS = 800;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
// Browsers refuse keepalive requests whose body exceeds 64 KiB; larger drafts use a normal fetch.
const KEEPALIVE_MAX_BYTES = 60000;

const byteLength = (text) => new TextEncoder().encode(text).length;

function readLocal(key) {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const entry = JSON.parse(raw);
    return entry && typeof entry.code === "string" ? entry : null;
  } catch {
    return null; // storage disabled (private mode) or a corrupt entry: the server copy rules
  }
}

function writeLocal(key, code) {
  try {
    window.localStorage.setItem(key, JSON.stringify({ code, savedAt: Date.now() }));
  } catch {
    // quota exceeded or storage disabled: the server save still runs
  }
}

function removeLocalIf(key, code) {
  const entry = readLocal(key);
  if (entry && entry.code === code) {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // nothing to clean up
    }
  }
}

/** "12:01:03" in the page's language, 24-hour clock. */
function formatTime(iso, lang) {
  const date = iso ? new Date(iso) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  try {
    return valid.toLocaleTimeString(lang || [], options);
  } catch {
    return valid.toLocaleTimeString([], options); // an unknown language tag
  }
}

/**
 * The local copy to start from, if it is newer than what the server rendered into the page.
 * The page only carries the server's draft text (no timestamp), so a local entry that still
 * exists was never confirmed by the server and is by construction the newer one.
 */
export function pickInitialCode(questionId, serverCode) {
  const key = `draft:${questionId}`;
  const entry = readLocal(key);
  if (entry && entry.code !== serverCode) return { code: entry.code, fromLocal: true };
  // The server already holds this text (e.g. the keepalive save on leaving got through).
  if (entry) removeLocalIf(key, serverCode);
  return { code: serverCode, fromLocal: false };
}

/**
 * @param {{config: object, statusElement: HTMLElement|null, getCode: () => string,
 *          serverCode: string}} options  serverCode: the text the server rendered (its draft)
 */
export function createDraftSaver({ config, statusElement, getCode, serverCode }) {
  const localKey = `draft:${config.questionId}`;
  const i18n = config.i18n || {};
  let confirmedCode = serverCode; // what the server is known to hold
  let debounceTimer = null;
  let retryTimer = null;
  let retryDelay = RETRY_FIRST_MS;
  let inFlight = false;
  let again = false; // another save was requested while one was in flight
  let leavingCode = null; // text already sent by saveBeforeLeaving (pagehide follows visibilitychange)

  function showStatus(state, text) {
    if (!statusElement) return;
    statusElement.textContent = text;
    statusElement.dataset.state = state;
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      save();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  async function save() {
    clearTimeout(debounceTimer);
    debounceTimer = null;
    const code = getCode();
    if (code === confirmedCode) {
      removeLocalIf(localKey, code);
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    showStatus("saving", i18n.saving || "saving…");
    try {
      const { data } = await postJson(config.draftUrl, { code });
      confirmedCode = code;
      retryDelay = RETRY_FIRST_MS;
      clearTimeout(retryTimer);
      retryTimer = null;
      removeLocalIf(localKey, code);
      showStatus("saved", `${i18n.saved || "saved"} ${formatTime(data.saved_at, config.lang)}`);
    } catch (err) {
      if (err.retryable) {
        showStatus("offline", i18n.offline || "offline, will retry");
        scheduleRetry();
      } else {
        // e.g. 413 too large or 403 session expired: the local copy stays, the student is told
        showStatus("error", err.message);
      }
    } finally {
      inFlight = false;
    }
    if (again) {
      again = false;
      save();
    }
  }

  /** Fire-and-forget save that survives the page going away. */
  function saveBeforeLeaving() {
    const code = getCode();
    if (code === confirmedCode || code === leavingCode) return;
    leavingCode = code;
    writeLocal(localKey, code);
    const keepalive = byteLength(code) <= KEEPALIVE_MAX_BYTES;
    postJson(config.draftUrl, { code }, { keepalive }).then(
      () => {
        confirmedCode = code;
        removeLocalIf(localKey, code);
      },
      () => {
        // the local copy is re-sent on the next visit
      },
    );
  }

  function onChange(code) {
    writeLocal(localKey, code);
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(save, DEBOUNCE_MS);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveBeforeLeaving();
  });
  window.addEventListener("pagehide", saveBeforeLeaving);
  window.addEventListener("online", () => {
    if (getCode() !== confirmedCode) {
      retryDelay = RETRY_FIRST_MS;
      save();
    }
  });

  return {
    onChange,
    /** Save now (blur). */
    flush: () => save(),
    /** Re-send a local copy that the server never confirmed (called once on load). */
    resendIfUnsaved: () => {
      if (getCode() !== confirmedCode) save();
    },
  };
}
