/**
 * The HDAG descriptor reader (SPEC §2): strict about what cannot be meant, forgiving about how
 * real descriptors are written. Every problem found is collected, each with the path of the
 * field from the document root (`hdaGraph.services[2].deployment.intent.compute.cpu`) and,
 * when it can be located, its line and column.
 *
 * Forgiving: booleans in any YAML 1.1 spelling, quoted or not (`True`, `"yes"`, `off`), and
 * `{enabled: x}` blocks given as a bare boolean; every optional block missing or empty; connection
 * points under `intent` and `intent.network` (united, first occurrence kept); latency entries
 * with an empty target skipped; `memory` for `ram`; numbers where text is expected, read as written.
 * Defaults: trigger auto with no dependencies; cpu, ram and storage `small` (1 core, 1 GiB, 10 GB);
 * no GPU; qos best-effort; ociConfig App/HELM; ociRun HELM/v3; event condition ANY.
 * Unknown keys are ignored (and kept in `raw`).
 */
import { ValidationError } from "../errors";
import { explainInvalidName } from "../names";
import { DEFAULT_SIZE_CLASS, readResourceAmount, type ResourceKind } from "./sizes";
import type { Hdag, HdagCompute, HdagEvent, HdagIntent, HdagService, HdagTrigger, LatencyQos } from "./types";
import {
  capIssues,
  formatPath,
  MAX_REPORTED_ISSUES,
  parseYamlSafely,
  type LocatedIssue,
  type ParsedYaml,
  type PathSegment,
  type YamlLimits,
} from "./yaml";

export const MAX_SERVICES = 1_000;
/** Upper bound of `intent.highAvailability.replicasAcrossClusters`. */
export const MAX_REPLICAS_ACROSS_CLUSTERS = 10;
/** Clusters a service spans under high availability when it does not say how many. */
export const DEFAULT_HA_SPREAD = 2;

export const LATENCY_QOS_VALUES: readonly LatencyQos[] = ["ultralow", "low", "best-effort"];

export type ParseHdagOptions = {
  /** Where the text comes from (a file name, a URL), quoted in the error's summary. */
  source?: string;
  /** Tighter or looser YAML limits than the defaults (1 MiB, depth 64, 1,000 aliases, 100,000 expanded nodes). */
  limits?: Partial<YamlLimits>;
};

/**
 * Parses and validates an HDAG descriptor (YAML or JSON, root key `hdaGraph`) into its
 * normalised form. Throws a ValidationError whose `issues` list every problem found.
 */
export function parseHdag(text: string, options: ParseHdagOptions = {}): Hdag {
  if (typeof text !== "string") {
    throw new ValidationError([{ path: "", message: `the descriptor must be text, got ${describeValue(text)}` }]);
  }
  let parsed: ParsedYaml;
  try {
    parsed = parseYamlSafely(text, options.limits);
  } catch (error) {
    if (error instanceof ValidationError && options.source) throw new ValidationError(error.issues, summarize(options.source, error.issues));
    throw error;
  }
  const reader = new DescriptorReader(parsed);
  const hdag = reader.readDescriptor(parsed.value);
  if (reader.issues.length > 0 || !hdag) {
    const issues = reader.locatedIssues();
    throw new ValidationError(issues, options.source ? summarize(options.source, issues) : undefined);
  }
  return hdag;
}

function summarize(source: string, issues: LocatedIssue[]): string {
  const lines = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return `${source} is not a valid HDAG descriptor: ${lines.join("; ")}`;
}

/**
 * How many distinct clusters a service must run on. 1 normally. High availability applies to a
 * service when the graph enables it (`hdaGraphIntent.highAvailability.enabled`) and the service
 * does not opt out (`intent.highAvailability.enabled: false`), or when the service enables it
 * itself; it then runs on `intent.highAvailability.replicasAcrossClusters` clusters (1..10), or 2.
 */
export function computeSpread(graphHighAvailability: boolean, service: { enabled?: boolean; replicasAcrossClusters?: number }): number {
  const applies = service.enabled ?? graphHighAvailability;
  if (!applies) return 1;
  return service.replicasAcrossClusters ?? DEFAULT_HA_SPREAD;
}

type Mapping = Record<string, unknown>;
type Issue = { path: PathSegment[]; message: string };

/** YAML 1.1 spellings of booleans, which real descriptors use in quoted and unquoted forms. */
const TRUE_WORDS = new Set(["true", "yes", "y", "on"]);
const FALSE_WORDS = new Set(["false", "no", "n", "off"]);

const PROMETHEUS_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * An OCI chart reference as helm pulls it: `oci://host[:port]/path/chart[:tag][@sha256:digest]`,
 * repository path in lowercase as the distribution spec requires. Also keeps option-like or
 * whitespace-bearing text away from the helm command line.
 */
const OCI_REFERENCE =
  /^oci:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const MAX_REFERENCE_LENGTH = 1_000;

class DescriptorReader {
  readonly issues: Issue[] = [];

  constructor(private readonly parsed: ParsedYaml) {}

  /** The first issues with their positions (locating costs a walk each), then how many more. */
  locatedIssues(): LocatedIssue[] {
    const located = this.issues
      .slice(0, MAX_REPORTED_ISSUES)
      .map((issue) => ({ path: formatPath(issue.path), message: issue.message, ...this.parsed.locate(issue.path) }));
    return capIssues(located, this.issues.length);
  }

  private report(path: PathSegment[], message: string): void {
    this.issues.push({ path, message });
  }

  readDescriptor(root: unknown): Hdag | undefined {
    if (!isMapping(root)) {
      this.report([], `the descriptor must be a mapping with the root key hdaGraph, got ${describeValue(root)}`);
      return undefined;
    }
    if (!Object.hasOwn(root, "hdaGraph") || root.hdaGraph === null) {
      const looksUnwrapped = Object.hasOwn(root, "services") || Object.hasOwn(root, "id");
      const hint = looksUnwrapped ? " (id and services are at the top level: put them under hdaGraph:)" : "";
      this.report(["hdaGraph"], `is required: the descriptor's root key must be hdaGraph${hint}`);
      return undefined;
    }
    const path = ["hdaGraph"];
    const graph = this.mapping(root.hdaGraph, path);
    if (!graph) return undefined;

    const id = this.name(graph, "id", path);
    const version = this.text(graph, "version", path) ?? "";
    const designer = this.text(graph, "designer", path) ?? "";
    const description = this.text(graph, "description", path) ?? "";
    const intent = this.graphIntent(field(graph, "hdaGraphIntent"), [...path, "hdaGraphIntent"]);
    const services = this.services(graph, path, intent);
    if (this.issues.length > 0 || id === undefined || services === undefined) return undefined;
    return { id, version, designer, description, intent, services, raw: root };
  }

  private graphIntent(value: unknown, path: PathSegment[]): HdagIntent {
    const intent = value === undefined || value === null ? {} : this.mapping(value, path) ?? {};
    return {
      useStaticPlacement: this.boolean(field(intent, "useStaticPlacement"), [...path, "useStaticPlacement"]) ?? false,
      highAvailability: this.enabled(field(intent, "highAvailability"), [...path, "highAvailability"]),
      energyEfficiency: this.enabled(field(intent, "energyEfficiency"), [...path, "energyEfficiency"]),
      highPerformance: this.enabled(field(intent, "highPerformance"), [...path, "highPerformance"]),
      security: this.enabled(field(intent, "security"), [...path, "security"]),
    };
  }

  private services(graph: Mapping, graphPath: PathSegment[], intent: HdagIntent): HdagService[] | undefined {
    const path = [...graphPath, "services"];
    const value = field(graph, "services");
    if (value === undefined || value === null) {
      this.report(path, "is required: list the graph's services");
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.report(path, `must be a list of services, got ${describeValue(value)}`);
      return undefined;
    }
    if (value.length === 0) {
      this.report(path, "must list at least one service");
      return undefined;
    }
    // Checked before reading any service: the cost of what follows grows with the count.
    if (value.length > MAX_SERVICES) {
      this.report(path, `lists ${value.length} services; at most ${MAX_SERVICES} are accepted`);
      return undefined;
    }

    // First the ids, so that references can be checked against the whole graph.
    const firstIndexOf = new Map<string, number>();
    value.forEach((service, index) => {
      const id = isMapping(service) ? this.idText(field(service, "id"), [...path, index, "id"]) : undefined;
      if (typeof id === "string" && !firstIndexOf.has(id)) firstIndexOf.set(id, index);
    });
    const references = new ReferenceChecker(firstIndexOf, (referencePath, message) => this.report(referencePath, message));

    const services: HdagService[] = [];
    value.forEach((entry, index) => {
      const servicePath = [...path, index];
      const service = this.mapping(entry, servicePath);
      if (!service) return;
      const id = this.name(service, "id", servicePath);
      if (id !== undefined && firstIndexOf.get(id) !== index) {
        this.report([...servicePath, "id"], `duplicate service id "${id}": services[${firstIndexOf.get(id)}] has it already`);
      }
      const normalised = this.service(service, servicePath, id ?? "", intent, references);
      if (normalised) services.push(normalised);
    });
    return services;
  }

  private service(
    service: Mapping,
    path: PathSegment[],
    id: string,
    graphIntent: HdagIntent,
    references: ReferenceChecker,
  ): HdagService | undefined {
    const deploymentPath = [...path, "deployment"];
    const deployment = this.optionalMapping(field(service, "deployment"), deploymentPath);
    const trigger = this.trigger(field(deployment, "trigger"), [...deploymentPath, "trigger"], id, references);

    const intentPath = [...deploymentPath, "intent"];
    const intent = this.optionalMapping(field(deployment, "intent"), intentPath);
    const networkPath = [...intentPath, "network"];
    const network = this.optionalMapping(field(intent, "network"), networkPath);

    const compute = this.compute(field(intent, "compute"), [...intentPath, "compute"]);
    const connectionPoints = unique([
      ...this.serviceReferences(field(intent, "connectionPoints"), [...intentPath, "connectionPoints"], id, references),
      ...this.serviceReferences(field(network, "connectionPoints"), [...networkPath, "connectionPoints"], id, references),
    ]);
    const latencies = this.latencies(field(network, "latencies"), [...networkPath, "latencies"], id, references);
    const coLocation = unique(this.serviceReferences(field(intent, "coLocation"), [...intentPath, "coLocation"], id, references));
    const metrics = this.list(field(intent, "metrics"), [...intentPath, "metrics"]) ?? [];
    const highAvailability = this.serviceHighAvailability(field(intent, "highAvailability"), [...intentPath, "highAvailability"]);
    const artifact = this.artifact(field(service, "artifact"), [...path, "artifact"]);
    if (!trigger || !compute || !artifact) return undefined;
    return {
      id,
      trigger,
      compute,
      connectionPoints,
      latencies,
      coLocation,
      metrics,
      spread: computeSpread(graphIntent.highAvailability, highAvailability),
      artifact,
    };
  }

  private trigger(value: unknown, path: PathSegment[], serviceId: string, references: ReferenceChecker): HdagTrigger | undefined {
    if (value === undefined || value === null) return { kind: "auto", dependencies: [] };
    const trigger = this.mapping(value, path);
    if (!trigger) return undefined;
    const hasAuto = Object.hasOwn(trigger, "auto");
    const hasEvent = Object.hasOwn(trigger, "event");
    if (hasAuto && hasEvent) {
      this.report(path, "give either auto or event, not both");
      return undefined;
    }
    if (hasEvent) return this.eventTrigger(trigger.event, [...path, "event"]);
    if (!hasAuto) {
      this.report(path, "must be auto: {dependencies: [...]} or event: {condition, events: [...]}");
      return undefined;
    }
    const autoPath = [...path, "auto"];
    const auto = this.optionalMapping(trigger.auto, autoPath);
    const dependencies = unique(this.serviceReferences(field(auto, "dependencies"), [...autoPath, "dependencies"], serviceId, references));
    return { kind: "auto", dependencies };
  }

  private eventTrigger(value: unknown, path: PathSegment[]): HdagTrigger | undefined {
    const event = this.mapping(value, path);
    if (!event) return undefined;
    const condition = this.text(event, "condition", path) ?? "ANY";
    const eventsPath = [...path, "events"];
    const list = field(event, "events");
    if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
      this.report(eventsPath, "an event trigger needs at least one event (id and condition.promQuery)");
      return undefined;
    }
    const entries = this.list(list, eventsPath);
    if (!entries) return undefined;
    const events: HdagEvent[] = [];
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      const entryPath = [...eventsPath, index];
      const item = this.mapping(entry, entryPath);
      if (!item) return;
      const id = this.text(item, "id", entryPath, { required: true });
      if (id !== undefined && seen.has(id)) this.report([...entryPath, "id"], `duplicate event id "${id}" in this service`);
      if (id !== undefined) seen.add(id);
      const conditionPath = [...entryPath, "condition"];
      const conditionValue = field(item, "condition");
      if (conditionValue === undefined || conditionValue === null) {
        this.report(conditionPath, "is required: give promQuery (and optionally gracePeriod, description)");
        return;
      }
      const eventCondition = this.mapping(conditionValue, conditionPath);
      if (!eventCondition) return;
      const promQuery = this.text(eventCondition, "promQuery", conditionPath, { required: true });
      const gracePeriod = this.gracePeriod(field(eventCondition, "gracePeriod"), [...conditionPath, "gracePeriod"]);
      const description = this.text(eventCondition, "description", conditionPath);
      const source = this.eventSources(field(item, "source"), [...entryPath, "source"]);
      if (id === undefined || promQuery === undefined) return;
      events.push({
        id,
        promQuery,
        ...(gracePeriod !== undefined ? { gracePeriod } : {}),
        ...(description !== undefined ? { description } : {}),
        source,
      });
    });
    if (events.length !== entries.length) return undefined;
    return { kind: "event", condition, events };
  }

  private gracePeriod(value: unknown, path: PathSegment[]): string | undefined {
    if (value === undefined || value === null) return undefined;
    const text = typeof value === "string" ? value.trim() : undefined;
    if (text === undefined || text === "" || (!PROMETHEUS_DURATION.test(text) && text !== "0")) {
      this.report(path, `must be a Prometheus duration such as 30s, 2m or 1h30m, got ${describeValue(value)}`);
      return undefined;
    }
    return text;
  }

  private eventSources(value: unknown, path: PathSegment[]): HdagEvent["source"] {
    if (value === undefined || value === null) return [];
    const entries = Array.isArray(value) ? value : [value];
    const sources: HdagEvent["source"] = [];
    entries.forEach((entry, index) => {
      const entryPath = Array.isArray(value) ? [...path, index] : path;
      const source = this.mapping(entry, entryPath);
      if (!source) return;
      const serviceId = this.text(source, "serviceId", entryPath);
      const metricId = this.text(source, "metricId", entryPath);
      sources.push({ ...(serviceId !== undefined ? { serviceId } : {}), ...(metricId !== undefined ? { metricId } : {}) });
    });
    return sources;
  }

  private compute(value: unknown, path: PathSegment[]): HdagCompute | undefined {
    if (value !== undefined && value !== null && !isMapping(value)) {
      this.report(path, `must be a mapping of cpu, ram, storage and gpu, got ${describeValue(value)}`);
      return undefined;
    }
    const compute: Mapping = isMapping(value) ? value : {};
    let ramKey = "ram";
    if (Object.hasOwn(compute, "memory")) {
      if (Object.hasOwn(compute, "ram")) this.report([...path, "memory"], "give ram or memory, not both");
      else ramKey = "memory";
    }
    const cpu = this.resource("cpu", compute, "cpu", path);
    const memory = this.resource("memory", compute, ramKey, path);
    const storage = this.resource("storage", compute, "storage", path);
    const gpu = this.enabled(field(compute, "gpu"), [...path, "gpu"]);
    if (!cpu || !memory || !storage) return undefined;
    return {
      cpu: cpu.amount,
      memory: memory.amount,
      storage: storage.amount,
      gpu,
      given: { cpu: cpu.given, memory: memory.given, storage: storage.given },
    };
  }

  private resource(kind: ResourceKind, compute: Mapping, key: string, path: PathSegment[]): { amount: number; given: string } | undefined {
    const value = field(compute, key);
    const given = value === undefined || value === null ? DEFAULT_SIZE_CLASS : value;
    const reading = readResourceAmount(kind, given);
    if (!reading.ok) {
      this.report([...path, key], reading.reason);
      return undefined;
    }
    const written = typeof given === "string" ? given : (this.sourceText([...path, key]) ?? String(given));
    return { amount: reading.amount, given: written };
  }

  private latencies(value: unknown, path: PathSegment[], serviceId: string, references: ReferenceChecker): Record<string, LatencyQos> {
    const entries = this.list(value, path) ?? [];
    const latencies: Record<string, LatencyQos> = {};
    entries.forEach((entry, index) => {
      const entryPath = [...path, index];
      const latency = this.mapping(entry, entryPath);
      if (!latency) return;
      const target = field(latency, "connectionPoint");
      // Real descriptors carry a placeholder entry with an empty target: it says nothing.
      if (target === undefined || target === null || target === "") return;
      const targetPath = [...entryPath, "connectionPoint"];
      if (!references.check(target, targetPath, serviceId)) return;
      const qos = this.qos(field(latency, "qos"), [...entryPath, "qos"]);
      if (qos === undefined) return;
      const name = target as string;
      if (Object.hasOwn(latencies, name) && latencies[name] !== qos) {
        this.report(targetPath, `the latency to "${name}" is given twice, as ${latencies[name]} and as ${qos}`);
        return;
      }
      latencies[name] = qos;
    });
    return latencies;
  }

  private qos(value: unknown, path: PathSegment[]): LatencyQos | undefined {
    if (value === undefined || value === null) return "best-effort";
    const normalised = typeof value === "string" ? value.trim().toLowerCase() : undefined;
    const known = LATENCY_QOS_VALUES.find((qos) => qos === normalised);
    if (!known) this.report(path, `unknown qos ${describeValue(value)}: use ${LATENCY_QOS_VALUES.join(", ")}`);
    return known;
  }

  private serviceHighAvailability(value: unknown, path: PathSegment[]): { enabled?: boolean; replicasAcrossClusters?: number } {
    if (value === undefined || value === null) return {};
    if (typeof value === "boolean" || typeof value === "string") {
      const enabled = this.boolean(value, path);
      return enabled === undefined ? {} : { enabled };
    }
    const block = this.mapping(value, path);
    if (!block) return {};
    const enabled = this.boolean(field(block, "enabled"), [...path, "enabled"]);
    const replicasPath = [...path, "replicasAcrossClusters"];
    const replicasValue = field(block, "replicasAcrossClusters");
    let replicasAcrossClusters: number | undefined;
    if (replicasValue !== undefined && replicasValue !== null) {
      const count = typeof replicasValue === "string" && /^\s*\d+\s*$/.test(replicasValue) ? Number(replicasValue) : replicasValue;
      if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_REPLICAS_ACROSS_CLUSTERS) {
        this.report(replicasPath, `must be a whole number from 1 to ${MAX_REPLICAS_ACROSS_CLUSTERS}, got ${describeValue(replicasValue)}`);
      } else replicasAcrossClusters = count;
    }
    return { ...(enabled !== undefined ? { enabled } : {}), ...(replicasAcrossClusters !== undefined ? { replicasAcrossClusters } : {}) };
  }

  private artifact(value: unknown, path: PathSegment[]): HdagService["artifact"] | undefined {
    if (value === undefined || value === null) {
      this.report(path, "is required: give at least artifact.ociImage, the service's Helm chart");
      return undefined;
    }
    const artifact = this.mapping(value, path);
    if (!artifact) return undefined;
    const ociImage = this.text(artifact, "ociImage", path, { required: true });
    if (ociImage !== undefined && (ociImage.length > MAX_REFERENCE_LENGTH || !OCI_REFERENCE.test(ociImage))) {
      this.report(
        [...path, "ociImage"],
        `"${ociImage.length > 80 ? `${ociImage.slice(0, 77)}...` : ociImage}" is not an OCI chart reference such as oci://127.0.0.1:5000/project/chart (lowercase repository path, optional :tag or @sha256:digest)`,
      );
    }
    const configPath = [...path, "ociConfig"];
    const config = this.optionalMapping(field(artifact, "ociConfig"), configPath);
    const runPath = [...path, "ociRun"];
    const run = this.optionalMapping(field(artifact, "ociRun"), runPath);
    const valuesPath = [...path, "valuesOverwrite"];
    const valuesOverwrite = this.optionalMapping(field(artifact, "valuesOverwrite"), valuesPath);
    const type = this.text(config, "type", configPath) ?? "App";
    const implementer = this.text(config, "implementer", configPath) ?? "HELM";
    const runName = this.text(run, "name", runPath) ?? "HELM";
    const runVersion = this.text(run, "version", runPath) ?? "v3";
    if (ociImage === undefined) return undefined;
    return { ociImage, type, implementer, run: { name: runName, version: runVersion }, valuesOverwrite };
  }

  /** A list of names of other services of this graph. */
  private serviceReferences(value: unknown, path: PathSegment[], serviceId: string, references: ReferenceChecker): string[] {
    const entries = this.list(value, path) ?? [];
    const names: string[] = [];
    entries.forEach((entry, index) => {
      if (references.check(entry, [...path, index], serviceId)) names.push(entry as string);
    });
    return names;
  }

  // ---- typed field readers: each reports what is wrong at its path and returns undefined ----

  private mapping(value: unknown, path: PathSegment[]): Mapping | undefined {
    if (isMapping(value)) return value;
    this.report(path, `must be a mapping, got ${describeValue(value)}`);
    return undefined;
  }

  /** An optional block: missing or null reads as empty; any other non-mapping is reported. */
  private optionalMapping(value: unknown, path: PathSegment[]): Mapping {
    if (value === undefined || value === null) return {};
    return this.mapping(value, path) ?? {};
  }

  private list(value: unknown, path: PathSegment[]): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    this.report(path, `must be a list, got ${describeValue(value)}`);
    return undefined;
  }

  /** Free text; numbers and booleans are taken as written (`version: 1.0` stays "1.0"). */
  private text(block: Mapping, key: string, path: PathSegment[], options: { required?: boolean } = {}): string | undefined {
    const value = field(block, key);
    const fieldPath = [...path, key];
    if (value === undefined || value === null || value === "") {
      if (options.required) this.report(fieldPath, value === "" ? "must not be empty" : "is required");
      return undefined;
    }
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return this.sourceText(fieldPath) ?? String(value);
    this.report(fieldPath, `must be text, got ${describeValue(value)}`);
    return undefined;
  }

  /** A DNS-1123 label of at most 53 characters (it becomes a Helm release name). */
  private name(block: Mapping, key: string, path: PathSegment[]): string | undefined {
    const value = field(block, key);
    const fieldPath = [...path, key];
    if (value === undefined || value === null) {
      this.report(fieldPath, "is required");
      return undefined;
    }
    const name = this.idText(value, fieldPath);
    const problem = explainInvalidName(name);
    if (problem) {
      this.report(fieldPath, problem);
      return undefined;
    }
    return name as string;
  }

  /** `id: 42` is a valid label once read as written. */
  private idText(value: unknown, path: PathSegment[]): unknown {
    return typeof value === "number" ? (this.sourceText(path) ?? String(value)) : value;
  }

  private boolean(value: unknown, path: PathSegment[]): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    if (typeof value === "string") {
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
    }
    this.report(path, `must be true or false, got ${describeValue(value)}`);
    return undefined;
  }

  /** `{enabled: true}`, or the shorthand `true`; missing means false. */
  private enabled(value: unknown, path: PathSegment[]): boolean {
    if (value === undefined || value === null) return false;
    if (isMapping(value)) return this.boolean(field(value, "enabled"), [...path, "enabled"]) ?? false;
    return this.boolean(value, path) ?? false;
  }

  private sourceText(path: PathSegment[]): string | undefined {
    return this.parsed.sourceText(path);
  }
}

/** Checks that a name refers to another service of the graph. */
class ReferenceChecker {
  constructor(
    private readonly serviceIndex: Map<string, number>,
    private readonly report: (path: PathSegment[], message: string) => void,
  ) {}

  check(target: unknown, path: PathSegment[], serviceId: string): target is string {
    if (typeof target !== "string" || target === "") {
      this.report(path, `must name a service of this graph, got ${describeValue(target)}`);
      return false;
    }
    if (target === serviceId) {
      this.report(path, `"${target}" is this service itself; name another service`);
      return false;
    }
    if (!this.serviceIndex.has(target)) {
      const known = [...this.serviceIndex.keys()];
      const list = known.length > 10 ? `${known.slice(0, 10).join(", ")}, ...` : known.join(", ");
      this.report(path, `names no service of this graph: "${truncate(target)}" (services: ${list})`);
      return false;
    }
    return true;
  }
}

function field(block: Mapping | undefined, key: string): unknown {
  return block && Object.hasOwn(block, key) ? block[key] : undefined;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `"${truncate(value)}"`;
  return `${typeof value} ${String(value)}`;
}
