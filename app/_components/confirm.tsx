"use client";
/**
 * An action button that asks first. The native <dialog> gives the modal focus handling, Escape to
 * cancel and the backdrop; the confirm button names the action again so the choice is explicit.
 */
import { useId, useRef, type ReactNode } from "react";

export type ConfirmButtonProps = {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  tone?: "danger" | "primary";
  disabled?: boolean;
  pending?: boolean;
  onConfirm: () => void;
};

export function ConfirmButton({ label, title, children, confirmLabel = label, tone = "primary", disabled, pending, onConfirm }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button type="button" className={`button ${tone === "danger" ? "button-danger-outline" : ""}`} disabled={disabled || pending} onClick={() => dialog.current?.showModal()}>
        {pending ? `${label}…` : label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId}>
        <form method="dialog">
          <h2 id={titleId}>{title}</h2>
          <div className="dialog-body">{children}</div>
          <div className="dialog-actions">
            <button type="submit" value="cancel" className="button" autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className={`button ${tone === "danger" ? "button-danger" : "button-primary"}`}
              onClick={() => {
                dialog.current?.close();
                onConfirm();
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
