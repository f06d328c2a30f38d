/** The fast transformer writes exactly what superjson writes, and reads back what was sent. */
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serializeForWire, wireTransformer } from "./wire";

/** A deterministic generator (mulberry32) so failures can be replayed from the seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KEYS = ["name", "a.b", "back\\slash", "0", "", "x.y.z", "createdAt", "ü"];

function plainValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 8));
  switch (pick) {
    case 0:
      return KEYS[Math.floor(next() * KEYS.length)]!;
    case 1:
      return Math.round((next() - 0.5) * 1e6) / 100;
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return new Date(Math.floor(next() * 2e12));
    case 6:
      return Array.from({ length: Math.floor(next() * 4) }, () => plainValue(next, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [KEYS[Math.floor(next() * KEYS.length)]!, plainValue(next, depth + 1)]));
  }
}

describe("the tRPC wire transformer", () => {
  it("writes superjson's document for plain data, and reads it back unchanged", () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const value = plainValue(random(seed), 0);
      const fast = serializeForWire(value);
      // The same JSON document; only the order of meta.values keys may differ (each names its own leaf, so order carries nothing).
      expect(JSON.parse(JSON.stringify(fast)), `seed ${seed}`).toEqual(JSON.parse(JSON.stringify(superjson.serialize(value))));
      expect(wireTransformer.deserialize(JSON.parse(JSON.stringify(fast)))).toEqual(value);
    }
  });

  it("writes a page of graphs as superjson does", () => {
    const page = {
      items: Array.from({ length: 3 }, (_, index) => ({ id: index, name: `g-${index}`, grafanaUrl: null, createdAt: new Date(index * 1000), services: 3 })),
      nextCursor: "WyJhIiwiYiJd",
      total: 3,
    };
    const fast = serializeForWire(page);
    expect(fast).toEqual(superjson.serialize(page));
    expect(fast.meta?.values).toEqual({ "items.0.createdAt": ["Date"], "items.1.createdAt": ["Date"], "items.2.createdAt": ["Date"] });
  });

  it("hands whatever is not plain data to superjson, with the same result", () => {
    const shared = { same: true };
    const sharedDate = new Date(5);
    class Point {
      constructor(readonly x: number) {}
    }
    const sparse = [1, , 3];
    const odd: unknown[] = [
      new Map([["a", 1]]),
      new Set([1]),
      10n,
      Number.NaN,
      Infinity,
      -0,
      new Date(Number.NaN),
      /re/g,
      new Error("boom"),
      new URL("http://127.0.0.1/x"),
      { a: shared, b: shared },
      [sharedDate, sharedDate],
      new Point(1),
      sparse,
      Object.assign(Object.create(null) as object, { a: new Date(0) }),
      undefined,
      new Date(0),
      "text",
    ];
    for (const [index, value] of odd.entries()) expect(serializeForWire(value), `case ${index}`).toEqual(superjson.serialize(value));
    expect(() => serializeForWire(JSON.parse('{"__proto__": {"x": 1}}'))).toThrow(/prototype pollution/);
  });
});
