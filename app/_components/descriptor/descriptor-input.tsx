"use client";
/**
 * Where a descriptor comes from and how it is checked, shared by the deploy page and the placement
 * lab: the shared samples, a file, a URL or oci:// artifact (operators: the server fetches it), a
 * YAML editor, and the server's validation (debounced) shown at the offending lines and as a list
 * whose items jump to their line.
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { errorMessage, useTRPC } from "@/app/trpc";
import { useCan } from "@/app/_components/session";
import type { LocatedIssue } from "@/lib/hdag/yaml";
import type { SampleDescriptor } from "./samples";
import type { EditorProblem, YamlEditorHandle } from "./yaml-editor";
import styles from "./descriptor.module.css";

/** CodeMirror is loaded after the page, in its own chunk: it does not count in the route's first-load JavaScript. */
const YamlEditor = dynamic(() => import("./yaml-editor").then((module) => module.YamlEditor), {
  ssr: false,
  loading: () => (
    <div className={styles.editorLoading} role="status">
      Loading the editor…
    </div>
  ),
});

/** The server reads at most this much (lib/hdag/yaml DEFAULT_YAML_LIMITS). */
const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const VALIDATE_DEBOUNCE_MS = 400;

export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export type DescriptorValidation = {
  /** The server has answered for exactly the current text. */
  upToDate: boolean;
  checking: boolean;
  valid: boolean;
  graphId?: string;
  issues: LocatedIssue[];
  error: unknown;
};

/** graphs.validate on the text, 400 ms after the last keystroke; the last answer stays shown while the next is on its way. */
export function useDescriptorValidation(text: string): DescriptorValidation {
  const trpc = useTRPC();
  const debounced = useDebouncedValue(text, VALIDATE_DEBOUNCE_MS);
  const query = useQuery({
    ...trpc.graphs.validate.queryOptions({ text: debounced }),
    enabled: debounced.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const empty = text.trim() === "";
  const upToDate = !empty && debounced === text && query.isSuccess && !query.isPlaceholderData;
  return {
    upToDate,
    checking: !empty && !upToDate && !query.isError,
    valid: upToDate && query.data.valid,
    graphId: upToDate ? query.data.graphId : undefined,
    issues: empty ? [] : (query.data?.issues ?? []),
    error: empty ? null : query.error,
  };
}

export type DescriptorInputProps = {
  samples: SampleDescriptor[];
  text: string;
  onTextChange: (text: string) => void;
  validation: DescriptorValidation;
  /** The heading of the section (an h2). */
  title?: string;
  editorHeight?: string;
};

export function DescriptorInput({ samples, text, onTextChange, validation, title = "Descriptor", editorHeight }: DescriptorInputProps) {
  const id = useId();
  const trpc = useTRPC();
  const canFetch = useCan("operator");
  const editor = useRef<YamlEditorHandle | null>(null);
  const [sample, setSample] = useState("");
  const [source, setSource] = useState<string | null>(null);
  const [loadedText, setLoadedText] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [reference, setReference] = useState("");

  function load(newText: string, from: string) {
    setSource(from);
    setLoadedText(newText);
    onTextChange(newText);
  }

  const fetchDescriptor = useMutation(
    trpc.graphs.fetchDescriptor.mutationOptions({
      onSuccess: (fetched) => {
        setSample("");
        load(fetched.text, fetched.source);
      },
    }),
  );

  function chooseSample(event: ChangeEvent<HTMLSelectElement>) {
    const chosen = samples.find((candidate) => candidate.file === event.target.value);
    setSample(event.target.value);
    if (chosen) load(chosen.text, `sample ${chosen.file}`);
  }

  async function chooseFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_DESCRIPTOR_BYTES) {
      setFileError(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; a descriptor may be at most 1024 KiB.`);
      return;
    }
    setSample("");
    load(await file.text(), `file ${file.name}`);
    // The same file can be chosen again after editing.
    event.target.value = "";
  }

  function fetchReference(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = reference.trim();
    if (!trimmed) return;
    fetchDescriptor.mutate(trimmed.startsWith("oci://") ? { artifact: trimmed } : { url: trimmed });
  }

  const problems: EditorProblem[] = validation.issues.flatMap((issue) => (issue.line ? [{ line: issue.line, column: issue.column, message: issueText(issue) }] : []));
  const chosenSample = samples.find((candidate) => candidate.file === sample);
  const edited = loadedText !== null && loadedText !== text;

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div className={styles.sources}>
        <label className="field">
          <span>Sample</span>
          <select value={sample} onChange={chooseSample} disabled={samples.length === 0}>
            <option value="">{samples.length ? "Choose a sample…" : "No samples on this server"}</option>
            {samples.map((candidate) => (
              <option key={candidate.file} value={candidate.file}>
                {candidate.file}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>File</span>
          <input type="file" accept=".yaml,.yml,.json,application/yaml,text/yaml,application/json" onChange={chooseFile} className={styles.fileInput} />
        </label>
        {canFetch && (
          <form className={styles.fetchForm} onSubmit={fetchReference}>
            <label className="field">
              <span>URL or oci:// artifact</span>
              <input type="text" inputMode="url" value={reference} onChange={(event) => setReference(event.target.value)} placeholder="https://… or oci://registry/repo:tag" spellCheck={false} />
            </label>
            <button type="submit" className="button" disabled={!reference.trim() || fetchDescriptor.isPending}>
              {fetchDescriptor.isPending ? "Loading…" : "Load"}
            </button>
          </form>
        )}
      </div>
      {chosenSample?.shows && <p className={styles.sampleNote}>Shows: {chosenSample.shows}.</p>}
      {fileError && (
        <p className="notice notice-error" role="alert">
          {fileError}
        </p>
      )}
      {fetchDescriptor.isError && (
        <p className="notice notice-error" role="alert">
          <strong>Could not load {reference.trim()}:</strong> {errorMessage(fetchDescriptor.error)}
        </p>
      )}

      <div className={styles.editorHeader}>
        <span id={`${id}-editor-label`} className={styles.editorLabel}>
          Descriptor (YAML or JSON)
        </span>
        <span id={`${id}-editor-hint`} className={styles.editorHint}>
          {source ? `From ${source}${edited ? ", edited" : ""}. ` : ""}Tab leaves the editor; Ctrl+] and Ctrl+[ indent.
        </span>
      </div>
      <YamlEditor value={text} onChange={onTextChange} problems={problems} labelledBy={`${id}-editor-label`} describedBy={`${id}-editor-hint ${id}-status`} handleRef={editor} height={editorHeight} />
      <ValidationReport id={`${id}-status`} text={text} validation={validation} onJump={(line, column) => editor.current?.jumpTo(line, column)} />
    </section>
  );
}

function issueText(issue: LocatedIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

function ValidationReport({ id, text, validation, onJump }: { id: string; text: string; validation: DescriptorValidation; onJump: (line: number, column?: number) => void }) {
  const count = validation.issues.length;
  let status;
  if (text.trim() === "") status = <span className="muted">Choose a sample, load a file or write a descriptor: it is checked as you type.</span>;
  else if (validation.error) status = <span className={styles.invalid}>Could not check the descriptor: {errorMessage(validation.error)}</span>;
  else if (validation.checking) status = <span className="muted">Checking…</span>;
  else if (validation.valid)
    status = (
      <span className={styles.valid}>
        <span aria-hidden="true">✓ </span>Valid descriptor of graph <strong className="mono">{validation.graphId}</strong>
      </span>
    );
  else
    status = (
      <span className={styles.invalid}>
        <span aria-hidden="true">✕ </span>
        {count === 1 ? "1 problem" : `${count} problems`} to fix
      </span>
    );

  return (
    <div className={styles.report}>
      <p id={id} role="status" aria-live="polite" className={styles.status}>
        {status}
      </p>
      {count > 0 && (
        <ol className={styles.issues} aria-label="Problems in the descriptor">
          {validation.issues.map((issue, index) => (
            <li key={`${issue.path}-${issue.line ?? 0}-${index}`}>
              {issue.line ? (
                <button type="button" className={styles.issueJump} onClick={() => onJump(issue.line!, issue.column)}>
                  Line {issue.line}
                  {issue.column ? `, column ${issue.column}` : ""}
                </button>
              ) : (
                <span className={styles.issuePlace}>Whole document</span>
              )}
              <span className={styles.issueMessage}>
                {issue.message}
                {issue.path && <code className={styles.issuePath}>{issue.path}</code>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
