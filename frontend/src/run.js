// The Run button of the code question page (platform/runs): run the code and the scratch cell on a
// worker without submitting, and show what they printed and returned. A run is never an attempt:
// this module never touches #submission-status, #feedback or #history.
// The server renders the result (escaped, in the reader's language); this only polls and shows it.
import { getJson, postJson } from "./api.js";

const SHORTCUT_KEYS = new Set(["'", "Quote"]);
// A run answers in a few hundred ms: poll fast at first, then slower for long runs.
const POLL_STEPS = [
  { until: 3000, every: 100 },
  { until: 10000, every: 250 },
  { until: 120000, every: 1000 },
];
const byteLength = (text) => new TextEncoder().encode(text).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function pollDelay(elapsed) {
  const step = POLL_STEPS.find((s) => elapsed < s.until);
  return step ? step.every : null;
}

/** True for Ctrl+' / Cmd+' and Ctrl+Shift+Enter / Cmd+Shift+Enter. */
export function isRunShortcut(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return false;
  const quote = SHORTCUT_KEYS.has(event.key) || event.code === "Quote";
  return (quote && !event.shiftKey) || (event.shiftKey && event.key === "Enter");
}

function scratchStore(questionId) {
  const key = `run-scratch:${questionId}`;
  return {
    read() {
      try {
        const value = window.localStorage.getItem(key);
        return typeof value === "string" ? value : null;
      } catch {
        return null; // storage disabled: the template's example stays
      }
    },
    write(value) {
      try {
        window.localStorage.setItem(key, value);
      } catch {
        // quota or private mode: the cell still works for this visit
      }
    },
  };
}

/**
 * @param {{config: object, button: HTMLButtonElement|null, scratch: HTMLTextAreaElement|null,
 *          statusElement: HTMLElement|null, resultElement: HTMLElement|null,
 *          shortcutScope: HTMLElement|null, getCode: () => string,
 *          markErrorLine?: (line: number|null) => void}} options
 */
export function setUpRun(options) {
  const { config, button, scratch, statusElement, resultElement, getCode } = options;
  if (!button || !config || !config.runUrl) return null;
  const i18n = config.i18n || {};
  const markErrorLine = options.markErrorLine || (() => {});
  let inFlight = false;
  let generation = 0;

  // The scratch cell is kept in this browser, like the code's local draft.
  if (scratch) {
    const store = scratchStore(config.questionId);
    const saved = store.read();
    if (saved !== null) scratch.value = saved;
    scratch.addEventListener("input", () => store.write(scratch.value));
  }
  if (/Mac|iPhone|iPad/.test(navigator.platform || "") && button.title) {
    button.title = button.title.replace("Ctrl+'", "⌘'");
  }

  function showStatus(state, label, message = "") {
    if (!statusElement) return;
    statusElement.replaceChildren();
    const badge = document.createElement("span");
    badge.className = `status-badge status-${state === "done" ? "graded" : state}`;
    badge.textContent = label;
    statusElement.append(badge);
    if (message) {
      const note = document.createElement("span");
      note.className = "status-message";
      note.textContent = message;
      statusElement.append(" ", note);
    }
    statusElement.dataset.state = state;
  }

  function showResult(data) {
    showStatus(data.status, data.status_label || i18n[data.status] || data.status, data.message || "");
    if (resultElement) {
      // Server-rendered and escaped (runs/_result.html).
      resultElement.innerHTML = typeof data.html === "string" ? data.html : "";
      resultElement.dataset.state = data.status;
      resultElement.dataset.runId = String(data.id);
    }
    markErrorLine(data.error_line || null);
  }

  async function follow(statusUrl, mine) {
    const started = Date.now();
    for (;;) {
      if (mine !== generation) return; // a newer run took over the panel
      try {
        const { data } = await getJson(statusUrl);
        if (mine !== generation) return;
        if (data.final) {
          showResult(data);
          return;
        }
        const slow = Date.now() - started > 5000 ? i18n.slow || "" : "";
        showStatus(data.status, data.status_label || i18n[data.status] || data.status, data.message || slow);
      } catch (err) {
        if (!err.retryable) {
          showStatus("error", err.message);
          return;
        }
      }
      const delay = pollDelay(Date.now() - started);
      if (delay === null) {
        showStatus("error", i18n.error || "error", i18n.slow || "");
        return;
      }
      await sleep(delay);
    }
  }

  async function run() {
    if (inFlight) return;
    const code = getCode();
    const scratchText = scratch ? scratch.value : "";
    if (byteLength(code) > config.maxCodeBytes) {
      showStatus("error", i18n.error || "error", i18n.codeTooLarge || "");
      return;
    }
    if (byteLength(scratchText) > config.maxScratchBytes) {
      showStatus("error", i18n.error || "error", i18n.scratchTooLarge || "");
      return;
    }
    inFlight = true;
    const mine = ++generation;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    markErrorLine(null);
    showStatus("running", i18n.running || "running");
    try {
      const { data } = await postJson(config.runUrl, { code, scratch: scratchText });
      showStatus(data.status || "queued", i18n[data.status] || data.status, data.message || "");
      await follow(data.status_url, mine);
    } catch (err) {
      showStatus("error", i18n.error || "error", err.message);
    } finally {
      inFlight = false;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  button.addEventListener("click", run);
  const scope = options.shortcutScope || document;
  // Capture phase: the editor must not turn the shortcut into text or a command of its own.
  scope.addEventListener(
    "keydown",
    (event) => {
      if (!isRunShortcut(event)) return;
      event.preventDefault();
      event.stopPropagation();
      run();
    },
    true,
  );
  return { run };
}
