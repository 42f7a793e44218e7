// Entry point of the browser code (bundled to platform/static/build/app.js and loaded by every
// page). It only enhances elements that the page has; see docs/WEB-CONTRACT.md.
import { pickInitialCode, createDraftSaver } from "./drafts.js";
import { createEditor } from "./editor.js";
import { setUpExamClock } from "./exam.js";
import { setUpHistory } from "./history.js";
import { renderMath } from "./math.js";
import { setUpNotebookUpload } from "./notebook.js";
import { setUpRun } from "./run.js";
import { setUpSubmission } from "./submit.js";

function readConfig(element) {
  try {
    return JSON.parse(element.textContent);
  } catch (err) {
    console.error("question-config is not valid JSON", err);
    return null;
  }
}

let examClockStarted = false; // the code question sets up its own clock (with its drafts)

function initCodeQuestion(config) {
  const mount = document.getElementById("code-editor");
  const fallback = document.getElementById("code-fallback");
  if (!mount) return;
  const serverCode = fallback ? fallback.value : config.template || "";
  const initial = pickInitialCode(config.questionId, serverCode);

  let drafts = null;
  const editor = createEditor(mount, fallback, {
    initialCode: initial.code,
    onChange: (code) => drafts && drafts.onChange(code),
    onBlur: () => drafts && drafts.flush(),
  });
  drafts = createDraftSaver({
    config,
    statusElement: document.getElementById("draft-status"),
    getCode: editor.getCode,
    serverCode,
  });
  if (initial.fromLocal) drafts.resendIfUnsaved();

  const resetButton = document.getElementById("reset-template");
  if (resetButton) {
    resetButton.addEventListener("click", () => {
      const question = (config.i18n && config.i18n.confirmReset) || "Reset?";
      if (window.confirm(question)) editor.setCode(config.template || "");
    });
  }

  const history = setUpHistory({
    config,
    historyList: document.getElementById("history"),
    viewElement: document.getElementById("history-view"),
    getCode: editor.getCode,
  });
  setUpSubmission({
    config,
    button: document.getElementById("submit-code"),
    statusElement: document.getElementById("submission-status"),
    feedbackElement: document.getElementById("feedback"),
    historyList: document.getElementById("history"),
    getCode: editor.getCode,
    onHistoryItem: history.decorate,
  });
  const runConfigElement = document.getElementById("run-config");
  setUpRun({
    config: runConfigElement ? readConfig(runConfigElement) : null,
    button: document.getElementById("run-code"),
    scratch: document.getElementById("run-scratch"),
    statusElement: document.getElementById("run-status"),
    resultElement: document.getElementById("run-result"),
    shortcutScope: mount.closest(".code-question"),
    getCode: editor.getCode,
    markErrorLine: editor.markErrorLine,
  });
  setUpNotebookUpload({
    input: document.getElementById("notebook-file"),
    statusElement: document.getElementById("notebook-status"),
    getCode: editor.getCode,
    setCode: editor.setCode,
  });
  // An exam: the clock saves the draft just before the end, then locks the page.
  setUpExamClock({
    element: document.getElementById("exam-clock"),
    flush: drafts.flush,
    onTimeUp: () => {
      for (const id of ["submit-code", "run-code", "reset-template"]) {
        const button = document.getElementById(id);
        if (button) button.disabled = true;
      }
    },
  });
  examClockStarted = true;
  // A stable hook for end-to-end tests and for debugging from the console.
  window.__editor = editor;
}

function init() {
  if (window.__dlgradeInitialised) return; // app.js may be included twice; enhance once
  window.__dlgradeInitialised = true;
  renderMath(document);
  const configElement = document.getElementById("question-config");
  if (configElement) {
    const config = readConfig(configElement);
    if (config) initCodeQuestion(config);
  }
  // The exam page and quiz questions of an exam: the clock alone.
  if (!examClockStarted) {
    setUpExamClock({
      element: document.getElementById("exam-clock"),
      flush: null,
      onTimeUp: () => {
        for (const button of document.querySelectorAll("form.quiz-answer button, form button[type=submit]")) {
          button.disabled = true;
        }
      },
    });
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init, { once: true });
} else {
  init();
}
