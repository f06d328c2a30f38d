/**
 * In-memory sign-in throttling, per client address and per user name. It complements the
 * durable lockout on the users row: it also covers names that do not exist (so a locked account
 * and an unknown one answer alike) and bounds the argon2 work one address can request.
 * One instance per process, created by the server runtime and passed in.
 */

export type FailureWindow = {
  /** Failures allowed inside `windowMs`; the next attempt is refused until the window ends. */
  maxFailures: number;
  windowMs: number;
};

export type LoginThrottleOptions = {
  perUsername?: FailureWindow;
  perAddress?: FailureWindow;
  /** Attempts (failed or not) one address may make per window: bounds password-hashing work. */
  attemptsPerAddress?: FailureWindow;
  /** Upper bound on remembered keys, so a flood of distinct names cannot grow memory without end. */
  maxKeys?: number;
};

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; scope: "username" | "address" };

export type LoginThrottle = {
  /** Counts an attempt and says whether it may proceed. */
  admit(attempt: { username: string; address: string }, now: Date): ThrottleVerdict;
  recordFailure(attempt: { username: string; address: string }, now: Date): void;
  /** A success clears the user name's failures (not the address's). */
  recordSuccess(attempt: { username: string }): void;
};

/** The lockout threshold of the users table and of the per-name window are the same on purpose. */
export const LOCKOUT_POLICY = { maxFailures: 5, lockMs: 15 * 60_000 } as const;

export const DEFAULT_LOGIN_THROTTLE: Required<LoginThrottleOptions> = {
  perUsername: { maxFailures: LOCKOUT_POLICY.maxFailures, windowMs: LOCKOUT_POLICY.lockMs },
  perAddress: { maxFailures: 20, windowMs: 15 * 60_000 },
  attemptsPerAddress: { maxFailures: 30, windowMs: 60_000 },
  maxKeys: 10_000,
};

type Counter = { count: number; windowEndsAt: number };

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const policy = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  const counters = new Map<string, Counter>();

  function current(key: string, now: number): Counter | undefined {
    const counter = counters.get(key);
    if (counter && counter.windowEndsAt <= now) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  }

  function increment(key: string, window: FailureWindow, now: number): void {
    const counter = current(key, now);
    if (counter) counter.count += 1;
    else {
      if (counters.size >= policy.maxKeys) evict(now);
      counters.set(key, { count: 1, windowEndsAt: now + window.windowMs });
    }
  }

  function evict(now: number): void {
    for (const [key, counter] of counters) if (counter.windowEndsAt <= now) counters.delete(key);
    // Still full: forget the oldest entries (Map keeps insertion order).
    for (const key of counters.keys()) {
      if (counters.size < policy.maxKeys) break;
      counters.delete(key);
    }
  }

  function blocked(key: string, window: FailureWindow, now: number): number | undefined {
    const counter = current(key, now);
    return counter && counter.count >= window.maxFailures ? counter.windowEndsAt - now : undefined;
  }

  const usernameKey = (username: string) => `user:${username.toLowerCase()}`;
  const addressKey = (address: string) => `addr:${address}`;
  const attemptKey = (address: string) => `try:${address}`;

  return {
    admit({ username, address }, date) {
      const now = date.getTime();
      const byName = blocked(usernameKey(username), policy.perUsername, now);
      if (byName !== undefined) return { allowed: false, retryAfterMs: byName, scope: "username" };
      const byAddress = blocked(addressKey(address), policy.perAddress, now) ?? blocked(attemptKey(address), policy.attemptsPerAddress, now);
      if (byAddress !== undefined) return { allowed: false, retryAfterMs: byAddress, scope: "address" };
      increment(attemptKey(address), policy.attemptsPerAddress, now);
      return { allowed: true };
    },
    recordFailure({ username, address }, date) {
      const now = date.getTime();
      increment(usernameKey(username), policy.perUsername, now);
      increment(addressKey(address), policy.perAddress, now);
    },
    recordSuccess({ username }) {
      counters.delete(usernameKey(username));
    },
  };
}
