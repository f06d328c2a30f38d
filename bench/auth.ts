/**
 * Sign-in timing by outcome: an unknown user name must cost what a wrong password costs (one
 * argon2id verification each), so that timing does not reveal which names exist.
 */
import { createDb } from "../db";
import { createLoginThrottle, createUser, signIn, type AuthContext } from "../lib/auth";
import { createSilentLogger } from "../lib/logger";
import { printTable, type Benchmark } from "./table";

const ROUNDS = 40;

export const authBenchmark: Benchmark = {
  name: "auth",
  summary: "sign-in time by outcome: success, wrong password, unknown user (argon2id, PGlite)",
  async run() {
    const database = await createDb({ dataDir: "memory://" });
    try {
      const ctx: AuthContext = { db: database.db, clock: () => new Date(), logger: createSilentLogger() };
      await createUser(ctx, { username: "alice", password: "alice-password", role: "operator" });
      const throttle = createLoginThrottle({ perUsername: { maxFailures: 1e9, windowMs: 1 }, perAddress: { maxFailures: 1e9, windowMs: 1 }, attemptsPerAddress: { maxFailures: 1e9, windowMs: 1 } });
      // Each round signs in successfully first, which clears the failure count, so the account never locks.
      const cases: { label: string; username: string; password: string }[] = [
        { label: "success", username: "alice", password: "alice-password" },
        { label: "wrong password", username: "alice", password: "wrong-password" },
        { label: "unknown user", username: "nobody-here", password: "alice-password" },
      ];
      const samples = new Map<string, number[]>(cases.map((entry) => [entry.label, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const entry of cases) {
          const started = performance.now();
          await signIn(ctx, entry, { throttle, address: "bench" }).catch(() => undefined);
          samples.get(entry.label)!.push(performance.now() - started);
        }
      }
      const rows = cases.map((entry) => {
        const sorted = [...samples.get(entry.label)!].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)]!;
        const p90 = sorted[Math.floor(sorted.length * 0.9)]!;
        return [entry.label, ROUNDS, median, p90];
      });
      printTable(`sign-in, ${ROUNDS} rounds each (ms)`, ["outcome", "rounds", "median", "p90"], rows);
    } finally {
      await database.close();
    }
  },
};
