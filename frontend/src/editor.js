// The code editor: CodeMirror 6 with Python mode, mounted on #code-editor. The hidden
// #code-fallback textarea holds the initial code and is kept in sync with the editor so the
// plain form (no JavaScript, or a failed bundle) still posts what the student sees.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";

// The line a run's error points at (runs: the Run button), marked until the code changes.
const setErrorLine = StateEffect.define();
const errorLineMark = Decoration.line({ class: "cm-run-error-line" });
const errorLineField = StateField.define({
  create: () => Decoration.none,
  update(marks, transaction) {
    for (const effect of transaction.effects) {
      if (effect.is(setErrorLine)) {
        if (effect.value === null) return Decoration.none;
        return Decoration.set([errorLineMark.range(effect.value)]);
      }
    }
    return transaction.docChanged ? Decoration.none : marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/**
 * Mount the editor.
 * @param {HTMLElement} parent     the #code-editor element
 * @param {HTMLTextAreaElement|null} fallback  the #code-fallback textarea
 * @param {{initialCode: string, onChange?: (code: string) => void, onBlur?: () => void}} options
 */
export function createEditor(parent, fallback, { initialCode, onChange, onBlur }) {
  const syncAndNotify = EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    const code = update.state.doc.toString();
    if (fallback) fallback.value = code;
    if (onChange) onChange(code);
  });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initialCode,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        foldGutter(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        python(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        // Tab indents (students expect it in a code editor); Esc then Tab still leaves the
        // editor, which is CodeMirror's documented escape hatch for keyboard users.
        keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap, ...foldKeymap]),
        EditorView.contentAttributes.of({ "aria-label": parent.getAttribute("aria-label") || "code" }),
        EditorView.domEventHandlers({
          blur: () => {
            if (onBlur) onBlur();
          },
        }),
        syncAndNotify,
        errorLineField,
      ],
    }),
  });
  if (fallback) {
    fallback.value = initialCode;
    fallback.hidden = true;
  }
  parent.classList.add("code-editor-ready");

  return {
    view,
    getCode: () => view.state.doc.toString(),
    /** Replace the whole document (undoable, and reported through onChange like typing). */
    setCode: (code) =>
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } }),
    focus: () => view.focus(),
    /** Mark line ``number`` (1-based) as where an error happened and scroll to it; null clears. */
    markErrorLine: (number) => {
      const doc = view.state.doc;
      if (!number || number < 1 || number > doc.lines) {
        view.dispatch({ effects: setErrorLine.of(null) });
        return;
      }
      const line = doc.line(number);
      view.dispatch({
        selection: { anchor: line.from },
        effects: [setErrorLine.of(line.from), EditorView.scrollIntoView(line.from, { y: "center" })],
      });
    },
  };
}
