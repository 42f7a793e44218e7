// Entry point of the authoring pages (bundled to platform/static/build/authoring.js, loaded only by
// platform/authoring/templates/authoring/question.html). Enhances the plain question form:
// CodeMirror for the code files (the editor students use), a live prompt preview rendered by the
// server's Markdown renderer plus KaTeX, and the "run the reference" / "try as a student" buttons.
// Without JavaScript the form still saves; only the live parts are missing.
import { csrfToken, postJson } from "./api.js";
import { createEditor } from "./editor.js";
import { renderMath } from "./math.js";

const PREVIEW_DELAY_MS = 350;

function readConfig() {
  const element = document.getElementById("authoring-config");
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch (err) {
    console.error("authoring-config is not valid JSON", err);
    return null;
  }
}

/** Replace every code textarea with a CodeMirror editor that keeps the textarea in sync. */
function mountCodeEditors(form) {
  const editors = {};
  for (const textarea of form.querySelectorAll(".code-input textarea")) {
    const mount = document.createElement("div");
    mount.className = "code-editor";
    mount.setAttribute("aria-label", textarea.labels[0] ? textarea.labels[0].textContent : textarea.name);
    textarea.insertAdjacentElement("beforebegin", mount);
    editors[textarea.name] = createEditor(mount, textarea, {
      initialCode: textarea.value,
      onChange: () => form.dispatchEvent(new Event("input", { bubbles: true })),
    });
  }
  return editors;
}

function setUpPreviews(form, config) {
  const specInput = form.querySelector("[name=spec_yaml]");
  const previews = [...document.querySelectorAll(".prompt-preview[data-for]")];
  let timer = null;
  let generation = 0;

  async function refresh() {
    const mine = ++generation;
    await Promise.all(
      previews.map(async (target) => {
        const input = document.getElementById(target.dataset.for);
        if (!input) return;
        try {
          const { data } = await postJson(config.previewUrl, {
            text: input.value,
            kind: config.kind,
            spec_yaml: specInput ? specInput.value : "",
          });
          if (mine !== generation) return; // a newer keystroke already asked again
          target.innerHTML = data.html; // sanitised server-side by the students' renderer
          delete target.dataset.mathRendered;
          renderMath(target);
          target.classList.remove("preview-error");
        } catch (err) {
          target.classList.add("preview-error");
        }
      }),
    );
    form.dispatchEvent(new CustomEvent("authoring:preview-updated"));
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  };
  for (const target of previews) {
    const input = document.getElementById(target.dataset.for);
    if (input) input.addEventListener("input", schedule);
  }
  if (specInput) specInput.addEventListener("input", schedule);
}

/** POST the whole form (as it is now, saved or not) to a JSON endpoint. */
async function postForm(url, form, extra) {
  const body = new FormData(form);
  for (const [key, value] of Object.entries(extra)) body.set(key, value);
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { error: `HTTP ${response.status}` };
  }
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function showError(output, message) {
  output.replaceChildren();
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = message;
  output.append(p);
}

function wireButton(button, output, config, run) {
  if (!button || !output) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    output.textContent = (config.i18n && config.i18n.running) || "…";
    try {
      await run();
    } catch (err) {
      showError(output, `${(config.i18n && config.i18n.failed) || "Error"}: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}

const RUN_POLL_MS = 250;
const RUN_GIVE_UP_MS = 180000; // longer than any job's limits plus a worker restart

/** A run is graded by the workers: poll its status until it is final. */
async function waitForRun(data, output, config) {
  const started = Date.now();
  let delay = RUN_POLL_MS;
  while (!data.final) {
    if (Date.now() - started > RUN_GIVE_UP_MS) {
      throw new Error((config.i18n && config.i18n.stillQueued) || "still waiting for a worker");
    }
    output.textContent = (config.i18n && config.i18n[data.status]) || "…";
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.5, 2000);
    const response = await fetch(data.status_url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const next = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw new Error(next.error || `HTTP ${response.status}`);
    data = next;
  }
  if (data.status === "error") throw new Error(data.error);
  return data;
}

function setUpRuns(form, config) {
  const referenceOutput = document.getElementById("reference-result");
  wireButton(document.getElementById("run-reference"), referenceOutput, config, async () => {
    const data = await waitForRun(await postForm(config.runUrl, form, { action: "reference" }), referenceOutput, config);
    referenceOutput.innerHTML = data.html; // rendered and escaped by the server's templates
  });
  const tryOutput = document.getElementById("try-result");
  wireButton(document.getElementById("try-student"), tryOutput, config, async () => {
    const data = await waitForRun(await postForm(config.runUrl, form, { action: "try" }), tryOutput, config);
    tryOutput.innerHTML = data.html;
  });
  const quizOutput = document.getElementById("quiz-try-result");
  wireButton(document.getElementById("try-quiz"), quizOutput, config, async () => {
    const data = await postForm(config.quizTryUrl, form, {});
    quizOutput.replaceChildren();
    const p = document.createElement("p");
    p.className = data.correct ? "ok quiz-try-correct" : "error quiz-try-wrong";
    p.textContent = `${Math.round(data.fraction * 100)}% · ${data.feedback}`;
    quizOutput.append(p);
  });
}

/** Warn before leaving with unsaved edits (authors lose work to a stray click otherwise). */
function guardUnsaved(form) {
  let dirty = false;
  form.addEventListener("input", () => {
    dirty = true;
  });
  form.addEventListener("submit", () => {
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

function init() {
  if (window.__authoringInitialised) return;
  window.__authoringInitialised = true;
  const config = readConfig();
  const form = document.getElementById("question-form");
  if (!config || !form) return;
  window.__authoringEditors = mountCodeEditors(form);
  setUpPreviews(form, config);
  setUpRuns(form, config);
  guardUnsaved(form);
  renderMath(document);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init, { once: true });
} else {
  init();
}
