/**
 * Names that reach helm, Kubernetes or PromQL. A DNS-1123 label is lowercase letters,
 * digits and '-', starting and ending with an alphanumeric; SMO caps it at 53 characters
 * so that a Helm release name fits.
 */

import { z } from "zod";
import { ValidationError } from "./errors";

export const DNS1123_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_RELEASE_NAME_LENGTH = 53;

/** Returns why `name` is not a usable DNS-1123 label, or undefined when it is. */
export function explainInvalidName(name: unknown, maxLength = MAX_RELEASE_NAME_LENGTH): string | undefined {
  if (typeof name !== "string") return `must be a string, got ${name === null ? "null" : typeof name}`;
  if (name.length === 0) return "must not be empty";
  if (name.length > maxLength) return `"${truncate(name)}" is ${name.length} characters long, at most ${maxLength} are allowed`;
  if (!DNS1123_LABEL_PATTERN.test(name)) {
    return `"${truncate(name)}" is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function isValidName(name: unknown, maxLength = MAX_RELEASE_NAME_LENGTH): name is string {
  return explainInvalidName(name, maxLength) === undefined;
}

/** Throws a ValidationError located at `path` (e.g. "release name") when `name` is not a valid label. */
export function assertValidName(name: unknown, path: string, maxLength = MAX_RELEASE_NAME_LENGTH): asserts name is string {
  const problem = explainInvalidName(name, maxLength);
  if (problem) throw new ValidationError([{ path, message: problem }]);
}

/** A zod string that must be a valid name, failing with explainInvalidName's message (API inputs that name graphs and projects). */
export function nameSchema(maxLength = MAX_RELEASE_NAME_LENGTH) {
  return z.string().superRefine((value, ctx) => {
    const problem = explainInvalidName(value, maxLength);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
