/**
 * Password hashing with argon2id (memory-hard), through @node-rs/argon2's native binding.
 * Parameters follow OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~20 ms per hash here.
 */
import { hash, verify, type Options } from "@node-rs/argon2";
import { ValidationError } from "../errors";

export const PASSWORD_HASH_OPTIONS = {
  // 2 = Algorithm.Argon2id; the binding's enum is an ambient const enum, unusable with isolatedModules.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const satisfies Options;

export const PASSWORD_MIN_LENGTH = 8;
/** Long inputs cost nothing more to argon2 (it pre-hashes), but nobody needs more and it bounds request sizes. */
export const PASSWORD_MAX_LENGTH = 256;

/**
 * A hash of a random password nobody knows, with the same parameters: sign-in verifies against
 * it when the user does not exist, so unknown names take as long as wrong passwords.
 */
export const DUMMY_PASSWORD_HASH = "$argon2id$v=19$m=19456,t=2,p=1$Y/27scan68p7pRrOcbojNA$xNdz9CI/dzKXi/dQdEA/wD4f8oSlmLZMAtiWsyLNpUI";

/** Why a new password is not acceptable, or undefined. */
export function explainWeakPassword(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

export async function hashPassword(password: string, path = "password"): Promise<string> {
  const problem = explainWeakPassword(password);
  if (problem) throw new ValidationError([{ path, message: problem }]);
  return hash(password, PASSWORD_HASH_OPTIONS);
}

/** Verifies in constant time (inside argon2); a malformed stored hash counts as a mismatch. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  try {
    return await verify(storedHash, password);
  } catch {
    // A corrupt hash string must not become a 500 that tells the user exists: it simply does not match.
    return false;
  }
}
