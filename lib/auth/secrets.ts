/**
 * Random secrets and their digests, from node:crypto only (no hand-written algorithms).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** `bytes` random bytes from the system CSPRNG, base64url without padding. */
export function generateSecret(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 as lowercase hex: the stored form of high-entropy secrets (session secrets, API tokens). */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Compares two hex digests in time independent of where they differ. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
