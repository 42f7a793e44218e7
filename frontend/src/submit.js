// Submitting code and following its grading live, without a page reload.
// One click-intent = one idempotency key: a retry after a failed request reuses the key, so the
// server never creates two submissions for one intent; a double click is absorbed by disabling
// the button while the request is in flight.
import { getJson, postJson } from "./api.js";
import { formatScore } from "./format.js";
import { renderMath } from "./math.js";

const POLL_FAST_MS = 500;
const POLL_SLOW_MS = 2000;
const FAST_PHASE_MS = 10000;
const POLL_MIN_MS = 200; // bounds on the server's hint, whatever it says
const POLL_MAX_MS = 10000;
const FINAL_STATES = new Set(["graded", "error"]);

/** crypto.randomUUID exists only in secure contexts; plain-http LAN deployments need a fallback. */
export function newIdempotencyKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When to ask again about a submission that is not final: the server's hint (``poll_after_ms``:
 * soon when it is next in line, later behind a long queue), else every 500 ms, every 2 s after
 * the first 10 s.
 */
export function nextPollDelay(data, elapsedMs) {
  const hinted = Number(data && data.poll_after_ms);
  if (Number.isFinite(hinted) && hinted > 0) return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, hinted));
  return elapsedMs < FAST_PHASE_MS ? POLL_FAST_MS : POLL_SLOW_MS;
}

/** The code endpoint of a submission, from its status URL (/api/submissions/17 -> .../17/code). */
export function codeUrlFor(statusUrl) {
  return `${statusUrl.replace(/\/+$/, "")}/code`;
}

/**
 * @param {{config: object, button: HTMLButtonElement|null, statusElement: HTMLElement|null,
 *          feedbackElement: HTMLElement|null, historyList: HTMLElement|null,
 *          getCode: () => string, onHistoryItem?: (li: HTMLElement) => void}} options
 */
export function setUpSubmission(options) {
  const { config, button, statusElement, feedbackElement, historyList, getCode } = options;
  const i18n = config.i18n || {};
  let pending = null; // {key, code}: the current click-intent, kept until the server accepted it
  let inFlight = false;
  let pollGeneration = 0; // a newer submission stops the polling of an older one

  function showStatus(state, label, message = "") {
    if (!statusElement) return;
    statusElement.replaceChildren();
    const badge = document.createElement("span");
    badge.className = `status-badge status-${state}`;
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

  function addToHistory(result, statusUrl) {
    if (!historyList) return;
    const id = String(result.id);
    let item = historyList.querySelector(`li[data-submission-id="${CSS.escape(id)}"]`);
    if (!item) {
      // Not rendered by the server yet (graded after the page loaded): add it on top.
      item = document.createElement("li");
      item.dataset.submissionId = id;
      item.dataset.codeUrl = codeUrlFor(statusUrl);
      const summary = document.createElement("span");
      summary.className = "history-summary";
      const score = formatScore(result.score);
      const when = new Date().toLocaleTimeString(config.lang || [], {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
      summary.textContent = `#${id} · ${score} / ${formatScore(result.max_score)} · ${when}`;
      item.append(summary);
      historyList.prepend(item);
    } else if (!item.querySelector(".history-summary")) {
      // Rendered by the server while still pending (page reloaded during grading): add the
      // outcome next to its server-written text.
      let update = item.querySelector(".history-update");
      if (!update) {
        update = document.createElement("span");
        update.className = "history-update";
        item.append(" ", update);
      }
      const score =
        result.score === null || result.score === undefined
          ? ""
          : ` · ${formatScore(result.score)} / ${formatScore(result.max_score)}`;
      update.textContent = `→ ${result.status_label || result.status}${score}`;
    }
    item.classList.add(`status-${result.status}`);
    if (options.onHistoryItem) options.onHistoryItem(item);
  }

  function showResult(result, statusUrl) {
    showStatus(result.status, result.status_label || i18n[result.status] || result.status, result.message);
    if (feedbackElement && typeof result.feedback_html === "string") {
      // Server-rendered and escaped per the contract; it may contain math.
      feedbackElement.innerHTML = result.feedback_html;
      renderMath(feedbackElement);
    }
    addToHistory(result, statusUrl);
  }

  /**
   * Poll until graded/error, as often as ``nextPollDelay`` says. Only the latest submission
   * drives #submission-status and #feedback; an older one still polled to its end (the student
   * submitted again meanwhile) only lands in #history.
   */
  async function follow(statusUrl) {
    const generation = ++pollGeneration;
    const isCurrent = () => generation === pollGeneration;
    const started = Date.now();
    for (;;) {
      let reply = null;
      try {
        const { data } = await getJson(statusUrl);
        reply = data;
        if (FINAL_STATES.has(data.status)) {
          if (isCurrent()) showResult(data, statusUrl);
          else addToHistory(data, statusUrl);
          return;
        }
        if (isCurrent()) {
          showStatus(data.status, data.status_label || i18n[data.status] || data.status, data.message);
        }
      } catch (err) {
        if (!err.retryable) {
          if (isCurrent()) showStatus("error", err.message);
          return;
        }
        // offline for a moment: keep the last status and keep polling
      }
      await sleep(nextPollDelay(reply, Date.now() - started));
    }
  }

  async function submit() {
    if (inFlight) return;
    const code = getCode();
    if (new TextEncoder().encode(code).length > config.maxCodeBytes) {
      showStatus("error", i18n.tooLarge || "code too large");
      return;
    }
    // Same text as the failed attempt: a retry of the same intent, so the same key.
    if (!pending || pending.code !== code) pending = { key: newIdempotencyKey(), code };
    inFlight = true;
    pollGeneration++; // from now on the status line belongs to this new intent
    if (button) button.disabled = true;
    showStatus("queued", i18n.queued || "queued");
    try {
      const { data } = await postJson(config.submitUrl, {
        code,
        idempotency_key: pending.key,
      });
      pending = null;
      showStatus(data.status || "queued", i18n[data.status] || data.status, data.message);
      follow(data.status_url);
    } catch (err) {
      showStatus("error", err.message);
    } finally {
      inFlight = false;
      if (button) button.disabled = false;
    }
  }

  if (button) button.addEventListener("click", submit);
  if (config.pendingSubmission && config.pendingSubmission.statusUrl) {
    showStatus("queued", i18n.queued || "queued");
    follow(config.pendingSubmission.statusUrl);
  }
  return { submit, follow };
}
