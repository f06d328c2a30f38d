import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ValidationError } from "../errors";
import { buildRequestRateQuery, renderQueryTemplate } from "./queries";

// ---- An independent PromQL tokenizer (Go string-literal rules, as the PromQL lexer reads them). ----

type Token = { kind: "string"; value: string } | { kind: "word" | "punct"; value: string };

function readStringLiteral(text: string, start: number): { value: string; end: number } {
  const quote = text[start]!;
  let value = "";
  let index = start + 1;
  const hex = (length: number) => {
    const digits = text.slice(index, index + length);
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) throw new Error(`bad \\x/\\u escape at ${index}`);
    index += length;
    return String.fromCodePoint(parseInt(digits, 16));
  };
  while (index < text.length) {
    const char = text[index++]!;
    if (char === quote) return { value, end: index };
    if (quote === "`") {
      value += char;
      continue;
    }
    if (char === "\n") throw new Error(`newline inside a ${quote} string at ${index - 1}`);
    if (char !== "\\") {
      value += char;
      continue;
    }
    const escape = text[index++];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
    if (escape === undefined) throw new Error("escape at end of text");
    if (escape === quote) value += quote;
    else if (escape in simple) value += simple[escape];
    else if (escape === "x") value += hex(2);
    else if (escape === "u") value += hex(4);
    else if (escape === "U") value += hex(8);
    else if (/[0-7]/.test(escape)) {
      const digits = escape + text.slice(index, index + 2);
      if (!/^[0-7]{3}$/.test(digits)) throw new Error(`bad octal escape at ${index}`);
      index += 2;
      value += String.fromCharCode(parseInt(digits, 8));
    } else throw new Error(`unknown escape \\${escape} at ${index - 1}`);
  }
  throw new Error(`unterminated ${quote} string starting at ${start}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) index++;
    else if (char === "#") {
      while (index < text.length && text[index] !== "\n") index++;
    } else if (char === '"' || char === "'" || char === "`") {
      const literal = readStringLiteral(text, index);
      tokens.push({ kind: "string", value: literal.value });
      index = literal.end;
    } else if (/[A-Za-z0-9_:.]/.test(char)) {
      const word = /^[A-Za-z0-9_:.]+/.exec(text.slice(index))![0];
      tokens.push({ kind: "word", value: word });
      index += word.length;
    } else {
      tokens.push({ kind: "punct", value: char });
      index++;
    }
  }
  return tokens;
}

/** The tokens of `shape` with its single string literal "__VALUE__" standing for `value`. */
function expectedTokens(shape: string, value: string): Token[] {
  return tokenize(shape).map((token) => (token.kind === "string" && token.value === "__VALUE__" ? { kind: "string", value } : token));
}

const HOSTILE_VALUES = [
  'a"} or vector(1) #',
  'a"}[2m])) by (service) or vector(1) or sum(rate(flask_http_request_total{service="a',
  "line1\nline2",
  "trailing backslash\\",
  "back\\slash\\\"quote",
  "\\n literally",
  "carriage\rreturn\ttab",
  "nul\u0000del\u007fbell\u0007",
  "it's `raw` and {braces}",
  "naïve 😀 \u2028 separator",
  "replacement \uFFFD rune",
  "",
];

describe("buildRequestRateQuery (default query)", () => {
  it("is the original SMO query for a plain id", () => {
    expect(buildRequestRateQuery("noise-reduction", { window: "30s" })).toBe('sum(rate(flask_http_request_total{service="noise-reduction"}[30s])) by (service)');
  });

  it.each(HOSTILE_VALUES)("keeps %j inside one label matcher", (value) => {
    const query = buildRequestRateQuery(value, { window: "5s" });
    expect(query).not.toContain("\n");
    expect(tokenize(query)).toEqual(expectedTokens('sum(rate(flask_http_request_total{service="__VALUE__"}[5s])) by (service)', value));
  });

  it("round-trips 2,000 random strings built from PromQL's special characters", () => {
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['"', "\\", "\n", "\r", "\t", "}", "{", "'", "`", "#", "=", "~", ",", "[", "]", "(", ")", " ", "a", "Z", "0", "é", "😀", "\u0001", "\u007f"];
    for (let round = 0; round < 2000; round++) {
      const value = Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const query = buildRequestRateQuery(value, { window: "1m" });
      expect(tokenize(query), JSON.stringify(value)).toEqual(expectedTokens('sum(rate(flask_http_request_total{service="__VALUE__"}[1m])) by (service)', value));
    }
  });

  it("rejects a lone surrogate, which no UTF-8 label value can hold", () => {
    expect(() => buildRequestRateQuery("bad\uD800", { window: "5s" })).toThrow(ValidationError);
    expect(() => buildRequestRateQuery("bad\uD800", { window: "5s" })).toThrow("lone UTF-16 surrogate");
  });

  it.each(["5s]) or vector(1) #", "0s", "", "1.5m", "5"])("rejects the window %j, naming it", (window) => {
    expect(() => buildRequestRateQuery("a", { window })).toThrow(ValidationError);
    expect(() => buildRequestRateQuery("a", { window })).toThrow(/^window: /);
  });

  it.each(["5s", "1m30s", "500ms", "1h"])("accepts the window %s", (window) => {
    expect(buildRequestRateQuery("a", { window })).toBe(`sum(rate(flask_http_request_total{service="a"}[${window}])) by (service)`);
  });
});

describe("renderQueryTemplate", () => {
  const shapes = [
    { template: 'sum(rate(http_requests_total{job="{{service}}"}[{{window}}]))', shape: 'sum(rate(http_requests_total{job="__VALUE__"}[2m]))' },
    { template: 'sum(rate(http_requests_total{job="{{ service }}"}[{{ window }}])) by (job)', shape: 'sum(rate(http_requests_total{job="__VALUE__"}[2m])) by (job)' },
    { template: 'rate(x{a="pre-{{service}}-post",b="x\\"y"}[1m]) # one "service"', shape: 'rate(x{a="__VALUE__",b="x\\"y"}[1m])' },
  ];

  it.each(shapes.flatMap(({ template, shape }) => HOSTILE_VALUES.map((value) => ({ template, shape, value }))))(
    "keeps $value inside the string of $template",
    ({ template, shape, value }) => {
      const query = renderQueryTemplate(template, { service: value, window: "2m" });
      const wrapped = template.includes("pre-{{service}}-post") ? `pre-${value}-post` : value;
      expect(tokenize(query)).toEqual(expectedTokens(shape, wrapped));
    },
  );

  it("substitutes every occurrence", () => {
    expect(renderQueryTemplate('a{s="{{service}}"} / b{s="{{service}}"}', { service: 'x"y', window: "1m" })).toBe('a{s="x\\"y"} / b{s="x\\"y"}');
  });

  it("leaves a template without placeholders unchanged", () => {
    expect(renderQueryTemplate("sum(rate(requests_total[5m]))", { service: "a", window: "1m" })).toBe("sum(rate(requests_total[5m]))");
  });

  it.each([
    { template: "rate(x{s={{service}}}[1m])", message: "{{service}} at character 9 must be inside a double-quoted string" },
    { template: "rate(x{s=`{{service}}`}[1m])", message: "{{service}} at character 10 must be inside a double-quoted string" },
    { template: "rate(x{s='{{service}}'}[1m])", message: "{{service}} at character 10 must be inside a double-quoted string" },
    { template: 'rate(x[1m]) # {{window}}', message: "{{window}} at character 14 must be outside strings and comments" },
    { template: "rate(x[1m]) # {{service}}", message: "{{service}} at character 14 must be inside" },
    { template: 'rate(x{s="{{window}}"}[1m])', message: "{{window}} at character 10 must be outside strings" },
    { template: 'rate(x{s="{{svc}}"}[1m])', message: "unknown placeholder {{svc}} at character 10; known: {{service}}, {{window}}" },
    { template: 'rate(x{s="{{service}}}[1m])', message: 'has an unterminated " string' },
    { template: "   ", message: "must be a non-empty PromQL query" },
  ])("rejects $template", ({ template, message }) => {
    const attempt = () => renderQueryTemplate(template, { service: "a", window: "1m" });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(`template: ${message}`);
  });

  it("validates the window it substitutes", () => {
    expect(() => renderQueryTemplate("rate(x[{{window}}])", { service: "a", window: "1m) or vector(1" })).toThrow(/^window: /);
  });

  it("is what buildRequestRateQuery uses for a custom template", () => {
    expect(buildRequestRateQuery("svc", { window: "1m", template: 'up{job="{{service}}"}' })).toBe('up{job="svc"}');
  });
});

const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;

/**
 * Prometheus' own engine (`promtool test rules`) evaluates the built queries over series whose
 * label values are hostile strings, written here by hand in series notation: each query must
 * return exactly its own service's rate and nothing else.
 */
describe.skipIf(!hasPromtool)("built queries evaluated by promtool", () => {
  const cases = [
    { value: 'a"} or vector(1) #', series: 'a\\"} or vector(1) #' },
    { value: 'a"}[2m])) by (service) or vector(1) or sum(rate(flask_http_request_total{service="a', series: 'a\\"}[2m])) by (service) or vector(1) or sum(rate(flask_http_request_total{service=\\"a' },
    { value: "line1\nline2", series: "line1\\nline2" },
    { value: "back\\slash\\", series: "back\\\\slash\\\\" },
    { value: "replacement \uFFFD rune", series: "replacement \\ufffd rune" },
    { value: "a", series: "a" },
  ];
  const inputSeries = cases.map(({ series }, index) => ({ series: `flask_http_request_total{service="${series}"}`, values: `0+${60 * (index + 1)}x10` }));

  async function runPromtool(tests: { expr: string; service: string; rate: number }[]): Promise<{ code: number; output: string }> {
    const folder = await mkdtemp(join(tmpdir(), "smo-promql-"));
    try {
      const file = join(folder, "queries.test.yml");
      const spec = {
        rule_files: [],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: inputSeries,
            promql_expr_test: tests.map(({ expr, service, rate }) => ({ expr, eval_time: "10m", exp_samples: [{ labels: `{service="${service}"}`, value: rate }] })),
          },
        ],
      };
      await writeFile(file, stringify(spec));
      try {
        const { stdout, stderr } = await promisify(execFile)("promtool", ["test", "rules", file]);
        return { code: 0, output: stdout + stderr };
      } catch (error) {
        const failure = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failure.code ?? -1, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  it("returns exactly the one service's rate for every hostile id", async () => {
    const tests = cases.map(({ value, series }, index) => ({ expr: buildRequestRateQuery(value, { window: "2m" }), service: series, rate: index + 1 }));
    const { code, output } = await runPromtool(tests);
    expect(output).toContain("SUCCESS");
    expect(code).toBe(0);
  });

  it("catches the injection when the id is pasted in unescaped, as the original did", async () => {
    const { value, series } = cases[1]!;
    const naive = `sum(rate(flask_http_request_total{service="${value}"}[2m])) by (service)`;
    const { code, output } = await runPromtool([{ expr: naive, service: series, rate: 2 }]);
    expect(code).toBe(1);
    expect(output).toContain("FAILED");
  });
});
