/**
 * Every procedure of appRouter, found by walking the router: denied without credentials and
 * with too small a role, with nothing written but the audit line of a denied mutation.
 * Procedures added later are covered without touching this file; their base sets the role.
 */
import { count, getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db";
import * as schema from "../db/schema";
import { databaseTargets } from "../db/testing";
import { ROLES, rolesBelow, type Caller, type Role } from "../lib/auth";
import { appRouter } from "./routers/_app";
import { addUser, createTestDeps, type TestDeps } from "./testing";
import { createCallerFactory, createContextInner, type ProcedureMeta } from "./trpc";

/** Public on purpose; anything else public is a mistake this list makes visible. */
const PUBLIC_PROCEDURES = ["auth.me", "auth.signIn", "auth.signOut", "system.embedding"];

type ProcedureInfo = { path: string; type: "query" | "mutation" | "subscription"; role: Role | "public" };

function listProcedures(): ProcedureInfo[] {
  expect(Object.keys(appRouter._def.lazy), "lazy routers would hide procedures from this test").toEqual([]);
  return Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureInfo["type"]; meta?: ProcedureMeta } }>).map(([path, procedure]) => ({
    path,
    type: procedure._def.type,
    role: procedure._def.meta?.role as Role | "public",
  }));
}

const tables: PgTable[] = Object.values(schema as Record<string, unknown>).filter((value): value is PgTable => is(value, PgTable));

async function rowCounts(handle: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await handle.db.select({ total: count() }).from(table);
    counts[getTableName(table)] = row!.total;
  }
  return counts;
}

function callAt(caller: unknown, path: string): (input?: unknown) => Promise<unknown> {
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return procedure as (input?: unknown) => Promise<unknown>;
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  return "OK";
}

describe("the procedure list", () => {
  it("gives every procedure a role through its base, and only the listed ones are public", () => {
    const procedures = listProcedures();
    expect(procedures.length).toBeGreaterThan(10);
    for (const procedure of procedures) expect([...ROLES, "public"], procedure.path).toContain(procedure.role);
    expect(procedures.filter((procedure) => procedure.role === "public").map((procedure) => procedure.path).sort()).toEqual(PUBLIC_PROCEDURES);
  });
});

describe.each(databaseTargets())("authorization of every procedure on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  const callers = {} as Record<Role, Caller>;

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    for (const role of ROLES) {
      const user = await addUser(test.deps, `${role}-user`, role);
      callers[role] = { kind: "user", userId: user.id, username: user.username, role, sessionId: `session-of-${role}` };
    }
  });
  afterAll(async () => {
    await test?.close();
    await handle?.close();
  });

  it("answers UNAUTHORIZED without credentials and FORBIDDEN below the procedure's role, writing only the denials' audit lines", async () => {
    const createCaller = createCallerFactory(appRouter);
    const checked: string[] = [];
    for (const procedure of listProcedures().filter((candidate) => candidate.role !== "public")) {
      const required = procedure.role as Role;
      const attempts: { caller?: Caller; expected: string }[] = [{ expected: "UNAUTHORIZED" }, ...rolesBelow(required).map((role) => ({ caller: callers[role], expected: "FORBIDDEN" }))];
      for (const attempt of attempts) {
        const before = await rowCounts(handle);
        const caller = createCaller(createContextInner({ deps: test.deps, caller: attempt.caller }));
        // A plausible input: denial must come before validation, so any input will do.
        const code = await codeOf(callAt(caller, procedure.path)({ name: "x", username: "x", id: 1 }));
        expect(code, `${procedure.path} as ${attempt.caller?.role ?? "anonymous"}`).toBe(attempt.expected);
        const after = await rowCounts(handle);
        const expectedAudit = procedure.type === "mutation" ? 1 : 0;
        expect(after, `${procedure.path}: rows written`).toEqual({ ...before, audit_log: before.audit_log! + expectedAudit });
        if (expectedAudit) {
          const [line] = await handle.db.select().from(schema.auditLog).orderBy(sql`${schema.auditLog.id} desc`).limit(1);
          expect(line).toMatchObject({ action: procedure.path, result: "denied", actor: attempt.caller?.username ?? "anonymous", detail: { code: attempt.expected } });
        }
      }
      checked.push(procedure.path);
    }
    expect(checked).toEqual(expect.arrayContaining(["users.create", "tokens.create", "settings.set", "system.health", "audit.list"]));
  });

  it("lets each role through its own procedures (the check is not simply 'deny everything')", async () => {
    const createCaller = createCallerFactory(appRouter);
    for (const procedure of listProcedures().filter((candidate) => candidate.type === "query" && candidate.role !== "public")) {
      const caller = createCaller(createContextInner({ deps: test.deps, caller: callers[procedure.role as Role] }));
      const code = await codeOf(callAt(caller, procedure.path)(undefined));
      expect(["OK", "BAD_REQUEST"], `${procedure.path} as ${procedure.role}`).toContain(code);
    }
  });
});
