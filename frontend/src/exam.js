// The exam clock (exams app, {% exam_clock %}): counts down from the seconds left that the server
// sent with the page, measured with the monotonic performance.now(), so a wrong or changed system
// clock changes nothing. Re-synced with the server every 20 s, after each draft save and when the
// page comes back into view. Near the end it saves the draft; at the end it asks the server to
// submit the saved work (the server decides; its beat task does it anyway) and says so.
import { getJson, postJson } from "./api.js";

const RESYNC_MS = 20000;
const FLUSH_BEFORE_END_S = 3;

function format(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/**
 * @param {{element: HTMLElement|null, flush: (() => Promise<void>|void)|null,
 *          onTimeUp: (() => void)|null}} options  flush: save the draft now
 */
export function setUpExamClock({ element, flush, onTimeUp }) {
  if (!element) return null;
  const timeElement = element.querySelector(".exam-clock-time");
  const messageElement = element.querySelector(".exam-clock-message");
  const data = element.dataset;
  let endsAt = performance.now() + Number(data.remaining || 0) * 1000; // on the monotonic clock
  let flushed = false;
  let finished = false;
  let timer = null;

  const left = () => (endsAt - performance.now()) / 1000;
  const say = (text, state) => {
    if (messageElement) messageElement.textContent = text;
    element.dataset.state = state;
  };

  function sync(remaining) {
    if (typeof remaining === "number" && Number.isFinite(remaining)) {
      endsAt = performance.now() + remaining * 1000;
    }
  }

  async function resync() {
    if (finished) return;
    try {
      const { data: clock } = await getJson(data.clockUrl);
      sync(clock.remaining);
      tick();
    } catch {
      // offline: keep counting on our own clock
    }
  }

  async function finish() {
    finished = true;
    clearInterval(timer);
    say(data.i18nSubmitting || "Time is up…", "submitting");
    if (onTimeUp) onTimeUp();
    try {
      if (flush && !flushed) await flush();
    } catch {
      // the server keeps what it had; the local copy stays in this browser
    }
    for (let tries = 0; tries < 10; tries += 1) {
      try {
        const { data: result } = await postJson(data.finishUrl, {});
        if (result.finished) {
          say(data.i18nUp || "Time is up.", "up");
          return;
        }
        sync(result.remaining); // the server says not yet: wait for its end
        await new Promise((resolve) => setTimeout(resolve, Math.max(500, left() * 1000 + 200)));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
    say(data.i18nUp || "Time is up.", "up"); // the beat task submits it in any case
  }

  function tick() {
    if (finished) return;
    const seconds = left();
    if (timeElement) timeElement.textContent = format(seconds);
    if (seconds <= 60 && element.dataset.state !== "soon") say(data.i18nSoon || "", "soon");
    if (seconds <= FLUSH_BEFORE_END_S && !flushed && flush) {
      flushed = true;
      Promise.resolve(flush()).catch(() => {});
    }
    if (seconds <= 0) finish();
  }

  timer = setInterval(tick, 250);
  setInterval(resync, RESYNC_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") resync();
  });
  // Each confirmed draft save re-syncs the clock too (the draft status turns "saved").
  const draftStatus = document.getElementById("draft-status");
  if (draftStatus) {
    new MutationObserver(() => {
      if (draftStatus.dataset.state === "saved") resync();
    }).observe(draftStatus, { attributes: true, attributeFilter: ["data-state"] });
  }
  tick();
  return { resync, left };
}
