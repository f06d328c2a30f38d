/**
 * Reading untrusted YAML (or JSON, which is YAML) into plain data, with limits checked before
 * the expensive work: the byte size before anything, the nesting depth on the lazy token stream
 * before composing (the `yaml` composer recurses and its parser slows down badly on deep flow
 * nesting), then alias expansion, prototype keys, duplicate keys and depth on the syntax tree.
 * Duplicate keys are found with a set: the parser's own `uniqueKeys` check compares each key
 * with every earlier one, minutes of CPU for a flat 1 MiB mapping.
 *
 * The syntax tree is converted here rather than with `Document.toJS()`: toJS's alias guard
 * (`maxAliasCount`) re-visits the whole document for every alias nested in an aliased node,
 * which is quadratic on a crafted 1 MiB file, and it shares objects between aliases. Here a
 * first pass measures what aliases would expand to (nodes and depth) without expanding them, so
 * an alias bomb is refused by arithmetic; only then is each alias read into fresh objects.
 *
 * Isomorphic on purpose (no node: imports) so that the console's editor can validate as you type.
 */
import { CST, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument } from "yaml";
import type { Alias, Document, Node, ParsedNode, YAMLError } from "yaml";
import { ValidationError, type ValidationIssue } from "../errors";

export type PathSegment = string | number;

/** A validation issue with the position of its node in the text, when it could be located. */
export type LocatedIssue = ValidationIssue & { line?: number; column?: number };

export type YamlLimits = {
  /** UTF-8 bytes of text, checked before parsing. */
  maxBytes: number;
  /** Nested mappings and sequences, the root one counting as 1. */
  maxDepth: number;
  /** Alias nodes (`*name`) in the document. */
  maxAliases: number;
  /** Nodes that aliases add to the document once expanded. */
  maxAliasExpansion: number;
};

/** Issues reported at most; the rest are counted in a last issue. Locating each one has a cost. */
export const MAX_REPORTED_ISSUES = 100;

/** Keeps the first MAX_REPORTED_ISSUES issues and says how many more there were. */
export function capIssues<T extends ValidationIssue>(issues: T[], total: number = issues.length): (T | ValidationIssue)[] {
  if (total <= MAX_REPORTED_ISSUES) return issues;
  return [...issues.slice(0, MAX_REPORTED_ISSUES), { path: "", message: `... and ${total - MAX_REPORTED_ISSUES} more problems` }];
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxAliases: 1_000,
  maxAliasExpansion: 100_000,
};

/** Keys that would reach or replace an object's prototype once the data is used as an object. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export type ParsedYaml = {
  /** Plain data: objects with own string keys, arrays, strings, finite or non-finite numbers, booleans, null. */
  value: unknown;
  format: "yaml" | "json";
  /** Line and column (1-based) of the node at `path`, or of its deepest existing ancestor. */
  locate: (path: PathSegment[]) => { line: number; column: number } | undefined;
  /** The text of the scalar at `path` as written (`1.0`, not 1), when there is one. */
  sourceText: (path: PathSegment[]) => string | undefined;
};

/** `hdaGraph.services[2].deployment`; keys that are not plain words are quoted: `values["a.b"]`. */
export function formatPath(path: PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Bytes of `text` encoded as UTF-8, without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Throws the size issue when `bytes` is over the limit; shared with the file loader, which checks before reading. */
export function assertWithinSize(bytes: number, maxBytes: number = DEFAULT_YAML_LIMITS.maxBytes): void {
  if (bytes > maxBytes) {
    throw new ValidationError([
      { path: "", message: `the descriptor is ${bytes} bytes long; at most ${maxBytes} bytes (${formatByteLimit(maxBytes)}) are accepted` },
    ]);
  }
}

/**
 * Parses one YAML or JSON document into plain data. Throws a ValidationError listing every
 * problem found (syntax errors with line and column, or limit and key problems with paths).
 */
export function parseYamlSafely(text: string, limits: Partial<YamlLimits> = {}): ParsedYaml {
  const limit: YamlLimits = { ...DEFAULT_YAML_LIMITS, ...limits };
  // A UTF-16 unit is at least one UTF-8 byte: a string longer than the limit is rejected without counting.
  assertWithinSize(text.length > limit.maxBytes ? text.length : utf8ByteLength(text), limit.maxBytes);
  const format = /^[\s\uFEFF]*[{[]/.test(text) ? "json" : "yaml";
  const label = format === "json" ? "JSON" : "YAML";
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: Math.max(line, 1), column: col };
  };

  const tokenProblem = scanTokens(text, limit);
  if (tokenProblem) {
    const at = positionInText(text, tokenProblem.offset);
    const message =
      tokenProblem.kind === "depth"
        ? `${label} nesting goes deeper than ${limit.maxDepth} levels at line ${at.line}, column ${at.column}`
        : `more than ${limit.maxAliases} YAML aliases (the next one at line ${at.line}, column ${at.column}); this looks like an alias bomb and is refused`;
    throw new ValidationError([{ path: "", message, ...at } satisfies LocatedIssue]);
  }

  const document = parseDocument(text, {
    version: "1.2",
    schema: "core",
    // The parser's own check compares each key with every earlier one (quadratic: minutes for a
    // flat 1 MiB mapping); the inspection below finds duplicates with a set instead.
    uniqueKeys: false,
    resolveKnownTags: false,
    prettyErrors: false,
    lineCounter,
  });
  const syntaxProblems = [
    ...document.errors,
    ...document.warnings.filter((warning) => warning.code !== "BAD_INDENT"),
  ];
  if (syntaxProblems.length > 0) {
    const described = syntaxProblems.slice(0, MAX_REPORTED_ISSUES).map((problem) => describeSyntaxProblem(problem, document, label, position));
    throw new ValidationError(capIssues(described, syntaxProblems.length));
  }

  const inspector = new TreeInspector(limit, (node) => (node.range ? position(node.range[0]) : undefined));
  inspector.inspectRoot(document.contents as ParsedNode | null);
  if (inspector.issues.length > 0) throw new ValidationError(capIssues(inspector.issues, inspector.issueCount));
  const value = buildValue(document.contents, inspector.aliasTargets);

  return {
    value,
    format,
    locate: (path) => {
      const { node } = findNodeAtPath(document.contents as ParsedNode | null, path, inspector.aliasTargets);
      return node?.range ? position(node.range[0]) : undefined;
    },
    sourceText: (path) => {
      const { node, complete } = findNodeAtPath(document.contents as ParsedNode | null, path, inspector.aliasTargets);
      const target = isAlias(node) ? inspector.aliasTargets.get(node) : node;
      if (!complete || !isScalar(target)) return undefined;
      return target.source ?? String(target.value);
    },
  };
}

function formatByteLimit(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Walks the lexer's tokens lazily, so that a hostile document is refused after a few tokens
 * rather than composed: flow collections (`[[[[`) or compact block indicators on one line
 * (`- - - -`) nesting deeper than the limit, or more alias nodes than allowed.
 */
function scanTokens(text: string, limits: YamlLimits): { offset: number; kind: "depth" | "aliases" } | undefined {
  let flowDepth = 0;
  let indicatorsOnLine = 0;
  let aliases = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    switch (CST.tokenType(token)) {
      case "flow-map-start":
      case "flow-seq-start":
        flowDepth++;
        if (flowDepth > limits.maxDepth) return { offset, kind: "depth" };
        break;
      case "flow-map-end":
      case "flow-seq-end":
        flowDepth = Math.max(0, flowDepth - 1);
        break;
      case "seq-item-ind":
      case "explicit-key-ind":
      case "map-value-ind":
        // Inside flow collections `:` separates keys and values of one level (`{a: 1, b: 2}`).
        if (flowDepth > 0) break;
        indicatorsOnLine++;
        if (indicatorsOnLine > limits.maxDepth) return { offset, kind: "depth" };
        break;
      case "newline":
        indicatorsOnLine = 0;
        break;
      case "alias":
        aliases++;
        if (aliases > limits.maxAliases) return { offset, kind: "aliases" };
        break;
      default:
        break;
    }
    // Control tokens of the lexer are not characters of the source.
    if (token !== CST.DOCUMENT && token !== CST.FLOW_END && token !== CST.SCALAR) offset += token.length;
  }
  return undefined;
}

function positionInText(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function describeSyntaxProblem(
  problem: YAMLError,
  document: Document.Parsed,
  label: string,
  position: (offset: number) => { line: number; column: number },
): LocatedIssue {
  const offset = problem.pos[0];
  const at = position(offset);
  const path = formatPath(findPathAtOffset(document.contents as ParsedNode | null, offset));
  const where = `line ${at.line}, column ${at.column}`;
  switch (problem.code) {
    case "MULTIPLE_DOCS":
      return { path: "", message: `the text holds more than one ${label} document (the second starts at ${where}); give exactly one`, ...at };
    case "TAG_RESOLVE_FAILED":
    case "BAD_COLLECTION_TYPE":
      return { path, message: `unsupported ${label} tag at ${where}: ${problem.message}`, ...at };
    default:
      return { path, message: `${label} syntax error at ${where}: ${problem.message}`, ...at };
  }
}

/** The path of the deepest node whose source range contains `offset` (for locating syntax errors). */
function findPathAtOffset(root: ParsedNode | null, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = root;
  // Bounded by the nesting depth; syntax errors are found before the depth check, so cap the walk too.
  for (let step = 0; step < DEFAULT_YAML_LIMITS.maxDepth * 2; step++) {
    if (isMap(node)) {
      const pair = node.items[lastStartingAtOrBefore(node.items, (item) => startOf(item.key) ?? startOf(item.value), offset)];
      if (!pair) break;
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      path.push(key);
      if (contains(pair.key, offset) || !contains(pair.value, offset)) break;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = lastStartingAtOrBefore(node.items, startOf, offset);
      if (index === -1 || !contains(node.items[index], offset)) break;
      path.push(index);
      node = node.items[index];
    } else break;
  }
  return path;
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null)?.range;
  return !!range && offset >= range[0] && offset < Math.max(range[2], range[0] + 1);
}

/** Binary search over items in document order: the last one that starts at or before `offset`, or -1. */
function lastStartingAtOrBefore<T>(items: T[], start: (item: T) => number | undefined, offset: number): number {
  let low = 0;
  let high = items.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const itemStart = start(items[middle]!);
    if (itemStart !== undefined && itemStart <= offset) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** The node at `path`, or its deepest existing ancestor (`complete` false); aliases are followed. */
function findNodeAtPath(
  root: ParsedNode | null,
  path: PathSegment[],
  aliasTargets: Map<Alias, Node>,
): { node: Node | undefined; complete: boolean } {
  let node: Node | undefined = root ?? undefined;
  for (const segment of path) {
    if (isAlias(node)) node = aliasTargets.get(node);
    let next: unknown;
    if (isMap(node) && typeof segment === "string") {
      next = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === segment)?.value;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    }
    if (!next || typeof next !== "object") return { node, complete: false };
    node = next as Node;
  }
  return { node, complete: true };
}

const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`));

/** Thrown by the inspection when reading further is pointless (an alias bomb): its issue is already recorded. */
class InspectionStopped extends Error {}

type Shape = { size: number; height: number };

/**
 * First pass over the syntax tree, without expanding anything: reports depth, alias, key, tag
 * and value problems with their paths, resolves every alias to its anchor (document order), and
 * measures what the document would be once aliases are expanded (node count and height) so that
 * an alias bomb is refused from arithmetic, before a single copy is made.
 */
class TreeInspector {
  readonly issues: LocatedIssue[] = [];
  /** Each alias and the node it names: the anchor defined last before it. */
  readonly aliasTargets = new Map<Alias, Node>();
  private readonly anchors = new Map<string, Node>();
  private readonly shapes = new Map<Node, Shape>();
  private readonly inProgress = new Set<Node>();
  private readonly path: PathSegment[] = [];
  private aliasCount = 0;
  private expandedNodes = 0;

  constructor(
    private readonly limits: YamlLimits,
    private readonly position: (node: Node) => { line: number; column: number } | undefined,
  ) {}

  inspectRoot(root: ParsedNode | null): void {
    try {
      this.inspect(root, 0);
    } catch (error) {
      if (!(error instanceof InspectionStopped)) throw error;
    }
  }

  /** Every issue found, including those beyond the ones kept. */
  issueCount = 0;

  private report(node: Node | null | undefined, message: string, extraSegment?: PathSegment): void {
    if (++this.issueCount > MAX_REPORTED_ISSUES) return;
    const at = node ? this.position(node) : undefined;
    const path = extraSegment === undefined ? this.path : [...this.path, extraSegment];
    this.issues.push({ path: formatPath(path), message, ...at });
  }

  /** `depth` counts the collections above `node`. Returns the node's expanded size and height. */
  private inspect(node: Node | null | undefined, depth: number): Shape {
    if (node === null || node === undefined) return { size: 1, height: 0 };
    if (node.anchor) this.anchors.set(node.anchor, node);
    if (node.tag && !CORE_TAGS.has(node.tag)) {
      this.report(node, `unsupported YAML tag ${node.tag}`);
      return { size: 1, height: 0 };
    }
    if (isAlias(node)) return this.inspectAlias(node, depth);
    if (isScalar(node)) {
      const value = node.value;
      if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        this.report(node, `unsupported YAML value of type ${typeof value}`);
      }
      return this.remember(node, { size: 1, height: 0 });
    }
    if (!isMap(node) && !isSeq(node)) {
      this.report(node, "unsupported YAML node");
      return { size: 1, height: 0 };
    }
    if (depth + 1 > this.limits.maxDepth) {
      this.report(node, `nested deeper than ${this.limits.maxDepth} levels`);
      return { size: 1, height: 0 };
    }
    this.inProgress.add(node);
    const shape: Shape = { size: 1, height: 1 };
    const add = (child: Shape) => {
      shape.size += child.size;
      shape.height = Math.max(shape.height, child.height + 1);
    };
    if (isSeq(node)) {
      node.items.forEach((item, index) => {
        this.path.push(index);
        add(this.inspect(item as Node | null, depth + 1));
        this.path.pop();
      });
    } else {
      const keys = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (isScalar(keyNode) && keyNode.value === "<<" && keyNode.type === "PLAIN") {
          this.path.push("<<");
          add(this.inspectMergeSources(pair.value as Node | null, depth));
          this.path.pop();
          continue;
        }
        const key = this.inspectKey(keyNode);
        if (key === undefined) continue;
        if (PROTOTYPE_KEYS.has(key)) {
          this.report(keyNode, `"${key}" is not accepted as a key: it could change object prototypes`, key);
          continue;
        }
        // Compared as strings: `1` and `"1"` would collide in the data too.
        if (keys.has(key)) {
          const at = keyNode ? this.position(keyNode) : undefined;
          this.report(keyNode, `this key appears more than once in its mapping${at ? ` (again at line ${at.line}, column ${at.column})` : ""}`, key);
        }
        keys.add(key);
        this.path.push(key);
        add(this.inspect(pair.value as Node | null, depth + 1));
        this.path.pop();
      }
    }
    this.inProgress.delete(node);
    return this.remember(node, shape);
  }

  private remember(node: Node, shape: Shape): Shape {
    if (node.anchor) this.shapes.set(node, shape);
    return shape;
  }

  private inspectAlias(alias: Alias, depth: number): Shape {
    if (++this.aliasCount > this.limits.maxAliases) {
      this.report(alias, `more than ${this.limits.maxAliases} YAML aliases; this looks like an alias bomb and is refused`);
      throw new InspectionStopped();
    }
    const target = this.anchors.get(alias.source);
    if (!target) {
      this.report(alias, `alias *${alias.source} names no anchor defined before it`);
      return { size: 1, height: 0 };
    }
    if (this.inProgress.has(target)) {
      this.report(alias, `alias *${alias.source} refers to a node that contains it; recursive data is not accepted`);
      return { size: 1, height: 0 };
    }
    this.aliasTargets.set(alias, target);
    const shape = this.shapes.get(target) ?? { size: 1, height: 0 };
    this.expandedNodes += shape.size;
    if (this.expandedNodes > this.limits.maxAliasExpansion) {
      this.report(alias, `YAML aliases expand to more than ${this.limits.maxAliasExpansion} nodes; this looks like an alias bomb and is refused`);
      throw new InspectionStopped();
    }
    if (depth + shape.height > this.limits.maxDepth) {
      this.report(alias, `nested deeper than ${this.limits.maxDepth} levels once alias *${alias.source} is expanded`);
    }
    return shape;
  }

  /** `<<: *defaults` or `<<: [*a, *b]` (YAML merge keys, as PyYAML reads them). */
  private inspectMergeSources(node: Node | null, depth: number): Shape {
    const sources = isSeq(node) ? (node.items as (Node | null)[]) : [node];
    const shape: Shape = { size: 0, height: 0 };
    sources.forEach((source, index) => {
      if (isSeq(node)) this.path.push(index);
      const resolved = isAlias(source) ? this.anchors.get(source.source) : source;
      if (!isMap(resolved)) this.report(source, "a merge key (<<) takes a mapping or a list of mappings");
      else {
        const child = this.inspect(source, depth);
        shape.size += child.size;
        shape.height = Math.max(shape.height, child.height);
      }
      if (isSeq(node)) this.path.pop();
    });
    return shape;
  }

  private inspectKey(keyNode: Node | null): string | undefined {
    if (isScalar(keyNode)) {
      const value = keyNode.value;
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      this.report(keyNode, "a mapping key is empty");
      return undefined;
    }
    this.report(keyNode, "mapping keys must be plain strings, not collections or aliases");
    return undefined;
  }
}

/**
 * Second pass, once the inspection found nothing wrong: plain data, every alias read again into
 * fresh objects (so that changing one service's values never changes another's).
 */
function buildValue(node: Node | null | undefined, aliasTargets: Map<Alias, Node>): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return buildValue(aliasTargets.get(node), aliasTargets);
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return node.items.map((item) => buildValue(item as Node | null, aliasTargets));
  if (!isMap(node)) return null;
  const result: Record<string, unknown> = {};
  const merged: unknown[] = [];
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    if (isScalar(keyNode) && keyNode.value === "<<" && keyNode.type === "PLAIN") {
      const sources = isSeq(pair.value) ? (pair.value.items as Node[]) : [pair.value as Node];
      for (const source of sources) merged.push(buildValue(source, aliasTargets));
      continue;
    }
    result[String((keyNode as { value: unknown }).value)] = buildValue(pair.value as Node | null, aliasTargets);
  }
  // Explicit keys win over merged ones; among merged mappings, the first listed wins.
  for (const source of merged) {
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) if (!Object.hasOwn(result, key)) result[key] = value;
  }
  return result;
}
