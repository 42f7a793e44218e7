// Notebooks (platform/notebooks): load code from an uploaded .ipynb or .py into the editor.
// The server extracts the code (the cells tagged for the question, else the cells that define its
// class) and answers {"code", "message"}; nothing is submitted: the student reviews the code in the
// editor and presses Submit as usual.
import { csrfToken } from "./api.js";

const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/**
 * @param {object} options
 * @param {HTMLInputElement|null} options.input   the #notebook-file input (data-extract-url, texts)
 * @param {HTMLElement|null} options.statusElement where messages go
 * @param {() => string} options.getCode           the editor's code
 * @param {(code: string) => void} options.setCode replaces the editor's code
 */
export function setUpNotebookUpload({ input, statusElement, getCode, setCode }) {
  if (!input || !input.dataset.extractUrl) return;
  const say = (text, isError = false) => {
    if (!statusElement) return;
    statusElement.textContent = text;
    statusElement.classList.toggle("error", isError);
  };

  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      say(input.dataset.tooLarge || "Too large", true);
      input.value = "";
      return;
    }
    say(input.dataset.uploading || "…");
    const body = new FormData();
    body.append("notebook", file, file.name);
    let data = null;
    let ok = false;
    try {
      const response = await fetch(input.dataset.extractUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      ok = response.ok;
      try {
        data = await response.json();
      } catch {
        data = null;
      }
      if (!ok) {
        say(data && typeof data.error === "string" ? data.error : `HTTP ${response.status}`, true);
        return;
      }
    } catch (err) {
      say(String(err && err.message ? err.message : err), true);
      return;
    } finally {
      input.value = ""; // the same file can be chosen again after an edit
    }
    const code = data && typeof data.code === "string" ? data.code : "";
    const current = getCode();
    const changed = current.trim() !== "" && current !== code;
    if (changed && input.dataset.confirm && !window.confirm(input.dataset.confirm)) {
      say("");
      return;
    }
    setCode(code);
    say(data.message || "");
  });
}
