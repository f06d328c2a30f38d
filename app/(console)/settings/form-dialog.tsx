"use client";
/**
 * A button that opens a small form in a native <dialog> (focus handling, Escape to cancel). Unlike
 * ConfirmButton, Enter in a field submits the action, and the dialog closes only when it is sent.
 */
import { useId, useRef, type FormEvent, type ReactNode } from "react";

export type FormDialogButtonProps = {
  label: string;
  /** The accessible name of the opening button when `label` alone is ambiguous in a table row. */
  ariaLabel?: string;
  title: string;
  submitLabel: string;
  tone?: "danger" | "primary";
  disabled?: boolean;
  children: ReactNode;
  onOpen?: () => void;
  onSubmit: () => void;
};

export function FormDialogButton({ label, ariaLabel, title, submitLabel, tone = "primary", disabled, children, onOpen, onSubmit }: FormDialogButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    dialog.current?.close();
    onSubmit();
  }

  return (
    <>
      <button
        type="button"
        className="button button-small"
        aria-label={ariaLabel}
        disabled={disabled}
        onClick={() => {
          onOpen?.();
          dialog.current?.showModal();
        }}
      >
        {label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId}>
        <form onSubmit={submit} className="form">
          <h2 id={titleId}>{title}</h2>
          {children}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className={`button ${tone === "danger" ? "button-danger" : "button-primary"}`}>
              {submitLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
