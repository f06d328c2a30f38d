"use client";
/**
 * A CodeMirror 6 YAML editor as a React component. Loaded with next/dynamic (ssr: false) by
 * DescriptorInput, so CodeMirror stays out of the pages' first-load JavaScript.
 *
 * The text is owned by the parent: edits come out through onChange, and a new `value` (a sample,
 * a file) replaces the document as one undoable change. Diagnostics (the server's validation)
 * are shown in place through @codemirror/lint. Tab is not bound: it moves the focus on, as
 * everywhere else on the page; Ctrl+] and Ctrl+[ indent and outdent, Enter keeps the indentation.
 */
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorSelection, EditorState } from "@codemirror/state";
import { EditorView, placeholder } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { basicSetup } from "codemirror";
import { useEffect, useRef, type RefObject } from "react";
import styles from "./descriptor.module.css";

/** One problem to mark: a 1-based line and optional 1-based column. */
export type EditorProblem = { line: number; column?: number; message: string };

export type YamlEditorHandle = {
  /** Moves the cursor to the line (and column), scrolls it into view and focuses the editor. */
  jumpTo: (line: number, column?: number) => void;
};

export type YamlEditorProps = {
  value: string;
  onChange: (value: string) => void;
  problems: readonly EditorProblem[];
  /** Ids of the elements that label and describe the editor (its textbox gets them). */
  labelledBy: string;
  describedBy?: string;
  handleRef?: RefObject<YamlEditorHandle | null>;
  /** Editor height in CSS, e.g. "28rem". */
  height?: string;
};

/** Token colours from CSS variables that descriptor.module.css sets for light and dark. */
const highlightStyle = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: "var(--cm-key)" },
  { tag: tags.string, color: "var(--cm-string)" },
  { tag: tags.special(tags.string), color: "var(--cm-string)" },
  { tag: [tags.lineComment, tags.comment], color: "var(--cm-comment)", fontStyle: "italic" },
  { tag: [tags.keyword, tags.labelName, tags.typeName], color: "var(--cm-keyword)" },
  { tag: [tags.meta, tags.separator, tags.punctuation], color: "var(--cm-punctuation)" },
]);

const theme = EditorView.theme({
  "&": { backgroundColor: "var(--surface)", color: "var(--text)", fontSize: "0.88rem" },
  ".cm-content": { fontFamily: "var(--mono)", caretColor: "var(--text)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--surface-2)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "var(--cm-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--cm-active-line)", color: "var(--text)" },
  ".cm-selectionBackground, &.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, ::selection": { backgroundColor: "var(--cm-selection)" },
  ".cm-selectionMatch": { backgroundColor: "var(--cm-selection-match)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--cm-selection-match)", outline: "1px solid var(--border)" },
  "&.cm-focused": { outline: "none" },
  ".cm-tooltip": { backgroundColor: "var(--surface)", color: "var(--text)", border: "1px solid var(--border)", borderRadius: "6px" },
  ".cm-diagnostic": { fontFamily: "var(--font)" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--danger)" },
  ".cm-lint-marker-error": { filter: "none" },
  ".cm-panels": { backgroundColor: "var(--surface-2)", color: "var(--text)" },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--surface-2)", color: "var(--muted)", border: "1px solid var(--border)" },
});

function toDiagnostics(state: EditorState, problems: readonly EditorProblem[]): Diagnostic[] {
  const { doc } = state;
  return problems.map((problem) => {
    const line = doc.line(Math.min(Math.max(1, problem.line), doc.lines));
    const from = Math.min(line.from + Math.max(0, (problem.column ?? 1) - 1), line.to);
    // Underline from the column to the end of the line (at least one character when there is one).
    const to = from < line.to ? line.to : Math.min(from + 1, doc.length);
    return { from, to, severity: "error", message: problem.message, source: "validation" };
  });
}

export function YamlEditor({ value, onChange, problems, labelledBy, describedBy, handleRef, height = "26rem" }: YamlEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  // The latest callback, read by the update listener set up once.
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const view = new EditorView({
      parent: hostRef.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          syntaxHighlighting(highlightStyle),
          theme,
          EditorState.tabSize.of(2),
          placeholder("hdaGraph:\n  id: my-graph\n  services:\n    - id: …"),
          // tabindex: the editable area is the scroller's focusable content (axe: scrollable-region-focusable).
          EditorView.contentAttributes.of({ "aria-labelledby": labelledBy, tabindex: "0", ...(describedBy ? { "aria-describedby": describedBy } : {}) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
    // Created once: later values and problems reach the view through the effects below.
  }, []);

  useEffect(() => {
    const view = viewRef.current;
    if (!view || view.state.doc.toString() === value) return;
    // A new text from outside (a sample, a file): one change, so Ctrl+Z brings the old text back.
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value }, selection: EditorSelection.cursor(0), scrollIntoView: true });
  }, [value]);

  useEffect(() => {
    const view = viewRef.current;
    if (view) view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state, problems)));
  }, [problems, value]);

  useEffect(() => {
    if (!handleRef) return;
    handleRef.current = {
      jumpTo(line, column) {
        const view = viewRef.current;
        if (!view) return;
        const target = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
        const position = Math.min(target.from + Math.max(0, (column ?? 1) - 1), target.to);
        view.dispatch({ selection: EditorSelection.cursor(position), effects: EditorView.scrollIntoView(position, { y: "center" }) });
        view.focus();
      },
    };
    return () => {
      handleRef.current = null;
    };
  }, [handleRef]);

  return <div ref={hostRef} className={styles.editor} style={{ height }} data-testid="yaml-editor" />;
}
