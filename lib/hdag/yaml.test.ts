import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { DEFAULT_YAML_LIMITS, formatPath, parseYamlSafely, utf8ByteLength, type LocatedIssue } from "./yaml";

function issuesOf(text: string, limits?: Parameters<typeof parseYamlSafely>[1]): LocatedIssue[] {
  try {
    parseYamlSafely(text, limits);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error("the text was accepted");
}

/** The classic "billion laughs": nine levels of nine aliases, 10^9 strings once expanded. */
function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level++) {
    const previous = String.fromCharCode(96 + level);
    const current = String.fromCharCode(97 + level);
    lines.push(`${current}: &${current} [${Array(9).fill(`*${previous}`).join(",")}]`);
  }
  return lines.join("\n");
}

describe("utf8ByteLength", () => {
  it("agrees with Buffer.byteLength on ASCII, accents, CJK, emoji and lone surrogates", () => {
    const samples = ["", "hdaGraph: x", "é".repeat(10), "漢字かな", "🙂 ok 🚀", "\ud800 lone", "end \udc00", "a\u0000b"];
    for (const sample of samples) expect(utf8ByteLength(sample), JSON.stringify(sample)).toBe(Buffer.byteLength(sample, "utf8"));
  });
});

describe("formatPath", () => {
  it("writes keys with dots and indexes in brackets", () => {
    expect(formatPath(["hdaGraph", "services", 2, "deployment", "intent", "compute", "cpu"])).toBe(
      "hdaGraph.services[2].deployment.intent.compute.cpu",
    );
    expect(formatPath(["values", "a.b", "x y", 0])).toBe('values["a.b"]["x y"][0]');
    expect(formatPath([])).toBe("");
  });
});

describe("parseYamlSafely: size", () => {
  it("rejects more than 1 MiB of text, measured in UTF-8 bytes, before parsing", () => {
    // 600,000 'é' are 600,000 UTF-16 units but 1,200,000 bytes; the text is not even YAML.
    const issues = issuesOf(`: [${"é".repeat(600_000)}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/1200003 bytes long; at most 1048576 bytes \(1 MiB\)/);
  });

  it("accepts exactly 1 MiB and rejects one byte more", () => {
    const filler = (length: number) => `a: "${"x".repeat(length - 6)}"\n`;
    expect(() => parseYamlSafely(filler(DEFAULT_YAML_LIMITS.maxBytes))).not.toThrow();
    expect(issuesOf(filler(DEFAULT_YAML_LIMITS.maxBytes + 1))[0]!.message).toMatch(/1048577 bytes long/);
  });
});

describe("parseYamlSafely: alias bombs and aliases", () => {
  it("refuses a billion-laughs document through the alias expansion cap", () => {
    const issues = issuesOf(billionLaughs());
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe("YAML aliases expand to more than 100000 nodes; this looks like an alias bomb and is refused");
    expect(issues[0]!.path).toMatch(/^[a-j]\[\d\]/);
  });

  it("refuses many aliases from the token stream, before composing", () => {
    const text = `x: &x 1\nlist: [${Array(DEFAULT_YAML_LIMITS.maxAliases + 1).fill("*x").join(", ")}]\n`;
    const issues = issuesOf(text);
    expect(issues).toEqual([
      {
        path: "",
        message: "more than 1000 YAML aliases (the next one at line 2, column 4008); this looks like an alias bomb and is refused",
        line: 2,
        column: 4008,
      },
    ]);
  });

  it("refuses aliases of an aliased mapping once they would expand past the cap", () => {
    const big = `{${Array.from({ length: 200 }, (_, index) => `k${index}: ${index}`).join(", ")}}`;
    const text = `base: &base ${big}\ncopies: [${Array(600).fill("*base").join(", ")}]\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    // Each copy is 201 nodes (the mapping and its 200 values): the 498th copy passes 100,000.
    expect(issues[0]).toMatchObject({ path: "copies[497]", message: expect.stringMatching(/expand to more than 100000 nodes/) });
  });

  it("refuses depth reached only through aliases", () => {
    const nested = `${"[".repeat(40)}1${"]".repeat(40)}`;
    const issues = issuesOf(`a: &a ${nested}\nb: ${"[".repeat(30)}*a${"]".repeat(30)}\n`);
    expect(issues).toMatchObject([{ path: `b${"[0]".repeat(30)}`, message: "nested deeper than 64 levels once alias *a is expanded" }]);
  });

  it("expands a modest alias into independent copies", () => {
    const { value } = parseYamlSafely("defaults: &d {cpu: small, tags: [a]}\none: *d\ntwo: *d\n");
    const data = value as Record<string, { cpu: string; tags: string[] }>;
    expect(data.one).toEqual({ cpu: "small", tags: ["a"] });
    expect(data.one).not.toBe(data.two);
    expect(data.one!.tags).not.toBe(data.defaults!.tags);
  });

  it("rejects an alias to a node that contains it, and an alias with no anchor", () => {
    expect(issuesOf("a: &a\n  b: *a\n")).toMatchObject([{ path: "a.b", message: expect.stringMatching(/contains it; recursive data/) }]);
    expect(issuesOf("a: *nowhere\n")).toMatchObject([{ path: "a", message: "alias *nowhere names no anchor defined before it" }]);
  });

  it("reads merge keys as PyYAML does: explicit keys win over merged ones", () => {
    const { value } = parseYamlSafely("base: &base {cpu: small, ram: small}\nservice:\n  ram: large\n  <<: *base\n");
    expect((value as Record<string, unknown>).service).toEqual({ ram: "large", cpu: "small" });
  });
});

describe("parseYamlSafely: depth", () => {
  it("rejects deep flow nesting from the token stream, before composing (a million brackets)", () => {
    const issues = issuesOf("[".repeat(1_000_000));
    expect(issues).toEqual([
      { path: "", message: "JSON nesting goes deeper than 64 levels at line 1, column 65", line: 1, column: 65 },
    ]);
  });

  it("rejects compact nesting on one line (- - - -)", () => {
    const issues = issuesOf(`${"- ".repeat(100_000)}x`);
    expect(issues[0]!.message).toMatch(/^YAML nesting goes deeper than 64 levels at line 1, column 129$/);
  });

  it("rejects deep block nesting by indentation with the path where it goes too deep", () => {
    const text = Array.from({ length: 70 }, (_, level) => `${" ".repeat(level)}k${level}:`).join("\n") + " end\n";
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe("nested deeper than 64 levels");
    expect(issues[0]!.path).toBe(Array.from({ length: 64 }, (_, level) => `k${level}`).join("."));
  });

  it("counts brackets inside quoted strings as text, not nesting", () => {
    const { value } = parseYamlSafely(`q: "${"[".repeat(500)}"\n`);
    expect((value as { q: string }).q).toHaveLength(500);
  });
});

describe("parseYamlSafely: keys", () => {
  it("rejects prototype keys at the root and nested, each with its path", () => {
    const issues = issuesOf('__proto__: {polluted: 1}\nhdaGraph:\n  services:\n    - constructor: x\n      artifact: {"prototype": 1}\n');
    expect(issues.map((issue) => issue.path)).toEqual(["__proto__", "hdaGraph.services[0].constructor", "hdaGraph.services[0].artifact.prototype"]);
    expect(issues[0]!.message).toMatch(/not accepted as a key: it could change object prototypes/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects prototype keys in JSON too", () => {
    expect(issuesOf('{"hdaGraph": {"__proto__": {"x": 1}}}').map((issue) => issue.path)).toEqual(["hdaGraph.__proto__"]);
  });

  it("rejects duplicate keys with their path and position", () => {
    const issues = issuesOf("hdaGraph:\n  id: a\n  services: []\n  id: b\n");
    expect(issues).toEqual([
      { path: "hdaGraph.id", message: "this key appears more than once in its mapping (again at line 4, column 3)", line: 4, column: 3 },
    ]);
  });

  it("finds a duplicate among 20,000 keys of one mapping (a set, not the parser's pairwise check)", () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `key${index}: v`);
    const issues = issuesOf(`${keys.join("\n")}\nkey7: again\n`);
    expect(issues).toEqual([
      { path: "key7", message: "this key appears more than once in its mapping (again at line 20001, column 1)", line: 20001, column: 1 },
    ]);
  });

  it("reports at most 100 problems and counts the others", () => {
    const text = Array.from({ length: 150 }, (_, index) => `k${index}: {__proto__: 1}`).join("\n");
    const issues = issuesOf(text);
    expect(issues).toHaveLength(101);
    expect(issues[99]!.path).toBe("k99.__proto__");
    expect(issues[100]).toEqual({ path: "", message: "... and 50 more problems" });
  });

  it("rejects keys equal once stringified, collection keys and empty keys", () => {
    expect(issuesOf('a:\n  1: x\n  "1": y\n')).toMatchObject([{ path: "a[\"1\"]", message: /more than once/ }]);
    expect(issuesOf("? [a, b]\n: 1\n")).toMatchObject([{ path: "", message: /must be plain strings/ }]);
    expect(issuesOf(": 1\n")).toMatchObject([{ path: "", message: "a mapping key is empty" }]);
  });
});

describe("parseYamlSafely: syntax and values", () => {
  it("reports YAML syntax errors with line and column", () => {
    const issues = issuesOf("hdaGraph:\n  id: x\n  services: [a, b\n  version: 1\n");
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it("labels errors in JSON text as JSON, with line and column", () => {
    const issues = issuesOf('{\n  "hdaGraph": {\n    "id": "x",,\n  }\n}');
    expect(issues[0]!.message).toMatch(/^JSON syntax error at line 3, column 15: /);
    expect(issues[0]).toMatchObject({ line: 3, column: 15 });
  });

  it("reads JSON indented with tabs", () => {
    expect(parseYamlSafely('{\n\t"a": {\n\t\t"b": [1,\n\t\t\t2]\n\t}\n}').value).toEqual({ a: { b: [1, 2] } });
  });

  it("rejects several documents in one text", () => {
    expect(issuesOf("a: 1\n---\nb: 2\n")[0]!.message).toMatch(/more than one YAML document/);
  });

  it("rejects tags that are not plain data (binary, set, timestamps, custom)", () => {
    const issues = issuesOf("a: !!binary aGVsbG8=\nb: !!set {x}\nc: !custom 1\n");
    expect(issues).toHaveLength(3);
    for (const issue of issues) expect(issue.message).toMatch(/^unsupported YAML tag at line \d, column \d+: Unresolved tag/);
  });

  it("keeps scalars as YAML 1.2 reads them and offers their source text", () => {
    const parsed = parseYamlSafely("version: 1.0\nflag: True\nword: yes\nperiod: 2m\nempty:\n");
    expect(parsed.value).toEqual({ version: 1, flag: true, word: "yes", period: "2m", empty: null });
    expect(parsed.sourceText(["version"])).toBe("1.0");
    expect(parsed.sourceText(["missing"])).toBeUndefined();
    expect(parsed.locate(["period"])).toEqual({ line: 4, column: 9 });
  });
});
