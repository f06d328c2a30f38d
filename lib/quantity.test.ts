import { describe, expect, it } from "vitest";
import { formatBytes, formatCpu, parseQuantity, tryParseQuantity } from "./quantity";

describe("Kubernetes quantities", () => {
  it.each([
    ["250m", 0.25],
    ["1400m", 1.4],
    ["350m", 0.35],
    ["21350m", 21.35],
    ["2", 2],
    ["0.5", 0.5],
    ["100n", 1e-7],
    ["5u", 5e-6],
    ["1k", 1000],
    ["3Gi", 3 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["395890588Ki", 395890588 * 1024],
    ["10G", 1e10],
    ["1e3", 1000],
    ["1.5E2", 150],
    ["  8 ", 8],
  ])("parses %s exactly", (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });

  it.each(["", "abc", "3 Gi", "3GiB", "1.2.3", "-", "Gi", "1x"])("rejects %j", (text) => {
    expect(tryParseQuantity(text)).toBeUndefined();
    expect(() => parseQuantity(text)).toThrow(`"${text}" is not a Kubernetes quantity`);
  });

  it("formats cores and bytes back to quantities", () => {
    expect([formatCpu(0.25), formatCpu(2), formatCpu(1.4)]).toEqual(["250m", "2", "1400m"]);
    expect([formatBytes(3 * 2 ** 30), formatBytes(500 * 2 ** 20), formatBytes(1536 * 1024), formatBytes(1000)]).toEqual(["3Gi", "500Mi", "1536Ki", "1000"]);
  });
});
