// Earlier attempts: each `#history li` gets "view" and "diff" buttons; the attempt's code is
// fetched from its data-code-url and shown read-only, or as a line diff against the editor, in
// #history-view. Student code is untrusted: everything goes through textContent, never innerHTML
// (except the review HTML, which the server renders and escapes, as it does the feedback).
import { diffLines } from "diff";
import { getJson } from "./api.js";
import { formatScore } from "./format.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Add the view/diff buttons to one history item unless it already has them. */
export function decorateHistoryItem(item, i18n) {
  if (!item.dataset.codeUrl || item.querySelector("[data-history-action]")) return;
  const actions = el("span", "history-actions");
  for (const action of ["view", "diff"]) {
    const button = el("button", `history-${action}`, i18n[action] || action);
    button.type = "button";
    button.dataset.historyAction = action;
    actions.append(button);
  }
  item.append(" ", actions);
}

/** Lines of a diff part, without the empty string after a final newline. */
function splitLines(value) {
  const lines = value.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function renderDiff(oldCode, newCode) {
  const pre = el("pre", "code-view diff-view");
  for (const part of diffLines(oldCode, newCode)) {
    const kind = part.added ? "added" : part.removed ? "removed" : "same";
    const prefix = part.added ? "+ " : part.removed ? "- " : "  ";
    for (const line of splitLines(part.value)) {
      pre.append(el("span", `diff-line diff-${kind}`, `${prefix}${line}\n`));
    }
  }
  return pre;
}

export function setUpHistory({ config, historyList, viewElement, getCode }) {
  const i18n = config.i18n || {};
  if (!historyList) return { decorate: () => {} };
  for (const item of historyList.querySelectorAll("li")) decorateHistoryItem(item, i18n);

  historyList.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-history-action]");
    if (!button || !viewElement) return;
    const item = button.closest("li");
    const action = button.dataset.historyAction;
    const id = item.dataset.submissionId || "";
    viewElement.replaceChildren(el("p", "history-loading", "…"));
    try {
      const { data } = await getJson(item.dataset.codeUrl);
      const header = el("div", "history-view-header");
      const when = data.created_at ? new Date(data.created_at).toLocaleString(config.lang || []) : "";
      const score = formatScore(data.score);
      const title = action === "diff" ? `#${id} ↔ ${i18n.diff || "diff"}` : `#${id}`;
      header.append(el("strong", null, title), el("span", "history-meta", ` ${when} · ${score}`));
      const close = el("button", "history-close", "×");
      close.type = "button";
      close.setAttribute("aria-label", "close");
      close.addEventListener("click", () => viewElement.replaceChildren());
      header.append(close);
      const body =
        action === "diff" ? renderDiff(data.code, getCode()) : el("pre", "code-view", data.code);
      body.dataset.view = action;
      viewElement.replaceChildren(header, body);
      if (action === "view" && data.review_html) {
        // Staff's review of that attempt: HTML rendered and escaped by the server (like #feedback).
        const review = el("div", "history-review");
        review.innerHTML = data.review_html;
        viewElement.append(review);
      }
    } catch (err) {
      viewElement.replaceChildren(el("p", "error", err.message));
    }
  });
  return { decorate: (item) => decorateHistoryItem(item, i18n) };
}
