import { describe, expect, it } from "vitest";
import { readResourceAmount, type ResourceKind } from "./sizes";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function amountOf(kind: ResourceKind, given: unknown): number {
  const reading = readResourceAmount(kind, given);
  if (!reading.ok) throw new Error(`${String(given)} was refused: ${reading.reason}`);
  return reading.amount;
}

function reasonFor(kind: ResourceKind, given: unknown): string {
  const reading = readResourceAmount(kind, given);
  if (reading.ok) throw new Error(`${String(given)} was accepted as ${reading.amount}`);
  return reading.reason;
}

describe("size classes (the original SMO's table)", () => {
  it.each([
    ["light", 0.5],
    ["small", 1],
    ["medium", 4],
    ["large", 8],
  ])("cpu %s is %d cores", (name, cores) => {
    expect(amountOf("cpu", name)).toBe(cores);
  });

  it.each([
    ["light", 500 * MiB],
    ["small", GiB],
    ["medium", 2 * GiB],
    ["large", 8 * GiB],
  ])("ram %s is %d bytes", (name, bytes) => {
    expect(amountOf("memory", name)).toBe(bytes);
  });

  it.each([
    ["small", 10_000_000_000],
    ["medium", 20_000_000_000],
    ["large", 40_000_000_000],
  ])("storage %s is %d bytes (GB = 10^9)", (name, bytes) => {
    expect(amountOf("storage", name)).toBe(bytes);
  });

  it("reads class names case-insensitively and around spaces", () => {
    expect(amountOf("cpu", "Medium")).toBe(4);
    expect(amountOf("memory", " LARGE ")).toBe(8 * GiB);
  });

  it("refuses unknown classes, naming the known ones (storage has no light class)", () => {
    expect(reasonFor("cpu", "huge")).toBe('unknown cpu size class "huge": use one of light, small, medium, large, or an explicit quantity');
    expect(reasonFor("storage", "light")).toMatch(/unknown storage size class "light": use one of small, medium, large/);
    expect(reasonFor("memory", "constructor")).toMatch(/unknown memory size class/);
  });
});

describe("explicit quantities", () => {
  it.each([
    ["250m", 0.25],
    ["2", 2],
    [2, 2],
    [0.5, 0.5],
    ["1.5", 1.5],
    ["1e1", 10],
    ["1m", 0.001],
  ])("cpu %s is %d cores", (given, cores) => {
    expect(amountOf("cpu", given)).toBeCloseTo(cores, 12);
  });

  it.each([
    ["3Gi", 3 * GiB],
    ["512Mi", 512 * MiB],
    ["3GiB", 3 * GiB],
    ["500MiB", 500 * MiB],
    ["2G", 2e9],
    ["2GB", 2e9],
    ["300MB", 300e6],
    ["300M", 300e6],
    ["1.5Gi", 1.5 * GiB],
    ["2048Ki", 2 * MiB],
    ["1Ti", 1024 * GiB],
    ["512 MiB", 512 * MiB],
    ["1e9", 1e9],
    [2 * GiB, 2 * GiB],
  ])("ram %s is %d bytes", (given, bytes) => {
    expect(amountOf("memory", given)).toBe(bytes);
  });

  it("accepts one megabyte, the smallest amount of memory or storage taken as meant", () => {
    expect(amountOf("memory", "1M")).toBe(1e6);
    expect(reasonFor("storage", "999k")).toMatch(/less than 1M/);
  });

  it("reads storage quantities the same way", () => {
    expect(amountOf("storage", "5G")).toBe(5e9);
    expect(amountOf("storage", "20Gi")).toBe(20 * GiB);
  });

  it("rounds fractional bytes up, as Kubernetes does", () => {
    expect(amountOf("memory", "1.0000001Mi")).toBe(Math.ceil(1.0000001 * MiB));
  });

  it("refuses zero and negative amounts", () => {
    expect(reasonFor("cpu", 0)).toBe('must be more than zero, got "0"');
    expect(reasonFor("cpu", "0m")).toBe('must be more than zero, got "0m"');
    expect(reasonFor("cpu", -1)).toBe('must be more than zero, got "-1"');
    expect(reasonFor("memory", "-1Gi")).toMatch(/neither a size class .* nor a memory quantity/);
  });

  it("refuses units that do not fit the resource", () => {
    expect(reasonFor("cpu", "2Gi")).toBe(
      '"2Gi" is neither a size class (light, small, medium, large) nor a CPU quantity: cores such as 2 or 0.5, or millicores such as 250m',
    );
    expect(reasonFor("memory", "500m")).toMatch(/"500m" is neither a size class \(light, small, medium, large\) nor a memory quantity such as 512Mi/);
    expect(reasonFor("memory", "3 parsecs")).toMatch(/neither a size class/);
  });

  it("refuses amounts too small or too large to be meant", () => {
    expect(reasonFor("memory", 512)).toBe('"512" is less than 1M (a megabyte), too little to be meant (a bare number means bytes: did you mean "512Mi" or "512Gi"?)');
    expect(reasonFor("cpu", "0.1m")).toMatch(/less than one millicore/);
    expect(reasonFor("cpu", 1e7)).toMatch(/more than 1000000 cores/);
    expect(reasonFor("storage", "2Ei")).toMatch(/more than 1Ei/);
    expect(reasonFor("cpu", Number.POSITIVE_INFINITY)).toBe("Infinity is not a finite amount");
    expect(reasonFor("cpu", "1e400")).toBe('"1e400" is not a finite amount');
    expect(reasonFor("cpu", Number.NaN)).toBe("NaN is not a finite amount");
  });

  it("refuses values of the wrong type", () => {
    expect(reasonFor("cpu", { cores: 2 })).toBe("expected a size class (light, small, medium, large) or a quantity, got a mapping");
    expect(reasonFor("memory", ["1Gi"])).toMatch(/got a list/);
    expect(reasonFor("storage", true)).toMatch(/got a boolean/);
  });
});
