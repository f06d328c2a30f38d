import { describe, expect, it } from "vitest";
import { createKeyedLock } from "./keyed-lock";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createKeyedLock", () => {
  it("runs tasks of one key one after the other, in arrival order, even when one fails", async () => {
    const lock = createKeyedLock();
    const events: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      events.push(`${name}:start`);
      await delay(ms);
      events.push(`${name}:end`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([lock.run("k", task("a", 30, true)), lock.run("k", task("b", 5)), lock.run("k", task("c", 1))]);
    expect(events).toEqual(["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(lock.activeKeys()).toEqual([]);
  });

  it("runs different keys in parallel", async () => {
    const lock = createKeyedLock();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`${name}:start`);
      await delay(ms);
      events.push(`${name}:end`);
    };
    await Promise.all([lock.run("x", task("x", 30)), lock.run("y", task("y", 1))]);
    expect(events.slice(0, 2).sort()).toEqual(["x:start", "y:start"]);
  });
});
