import { createSeededRandom } from "../random";
/**
 * Property: for random valid descriptors, written as YAML or as JSON, the parser returns exactly
 * the normalised graph that the generator computed on its own (from its own size table), and
 * keeps the descriptor verbatim.
 */
import { stringify as stringifyYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { parseHdag } from "./parse";
import type { Hdag, HdagEvent, HdagService, LatencyQos } from "./types";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** The original SMO's table, written out again here as the oracle. */
const CPU = { light: 0.5, small: 1, medium: 4, large: 8 };
const RAM = { light: 500 * MiB, small: GiB, medium: 2 * GiB, large: 8 * GiB };
const STORAGE = { small: 10e9, medium: 20e9, large: 40e9 };

type Random = {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (probability: number) => boolean;
};

function createRandom(seed: number): Random {
  const next = createSeededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)]!, chance: (probability) => next() < probability };
}

const LABEL_EDGE = "abcdefghijklmnopqrstuvwxyz0123456789";
const LABEL_INNER = `${LABEL_EDGE}-`;

function randomLabel(random: Random, used: Set<string>): string {
  for (;;) {
    const length = random.pick([1, 2, 3, 5, 8, 12, 20, 53]);
    let label = random.pick([...LABEL_EDGE]);
    for (let index = 1; index < length - 1; index++) label += random.pick([...LABEL_INNER]);
    if (length > 1) label += random.pick([...LABEL_EDGE]);
    if (!used.has(label)) {
      used.add(label);
      return label;
    }
  }
}

function randomText(random: Random): string {
  const alphabet = [..."abc XYZ 019 :#{}[]\"'&*!|>%@`,-_é漢🙂\\"];
  let text = random.pick(["a", "x", "Q"]);
  for (let index = random.int(0, 30); index > 0; index--) text += random.pick(alphabet);
  return text;
}

function spellBoolean(random: Random, value: boolean): unknown {
  const spellings = value ? [true, "True", "true", "yes", "on", "Y"] : [false, "False", "false", "no", "off", "N"];
  return random.pick(spellings);
}

function randomCase(random: Random, word: string): string {
  return random.pick([word, word.toUpperCase(), word[0]!.toUpperCase() + word.slice(1)]);
}

type Amount = { given: unknown; amount: number; shown: string };

function randomCpu(random: Random): Amount {
  switch (random.int(0, 3)) {
    case 0: {
      const name = random.pick(Object.keys(CPU) as (keyof typeof CPU)[]);
      const given = randomCase(random, name);
      return { given, amount: CPU[name], shown: given };
    }
    case 1: {
      const cores = random.int(1, 64);
      return { given: cores, amount: cores, shown: String(cores) };
    }
    case 2: {
      const millis = random.int(1, 64_000);
      return { given: `${millis}m`, amount: millis / 1000, shown: `${millis}m` };
    }
    default: {
      const quarters = random.int(1, 32);
      return { given: String(quarters / 4), amount: quarters / 4, shown: String(quarters / 4) };
    }
  }
}

function randomBytes(random: Random, classes: Record<string, number>): Amount {
  if (random.chance(0.4)) {
    const name = random.pick(Object.keys(classes));
    const given = randomCase(random, name);
    return { given, amount: classes[name]!, shown: given };
  }
  const count = random.int(1, 64);
  const [unit, factor] = random.pick([
    ["Mi", MiB],
    ["MiB", MiB],
    ["Gi", GiB],
    ["GiB", GiB],
    ["G", 1e9],
    ["GB", 1e9],
    ["MB", 1e6],
    ["M", 1e6],
  ] as const);
  return { given: `${count}${unit}`, amount: count * factor, shown: `${count}${unit}` };
}

function randomSubset(random: Random, names: string[]): string[] {
  return names.filter(() => random.chance(0.3));
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

type Generated = { descriptor: Record<string, unknown>; expected: Omit<Hdag, "raw"> };

function generateDescriptor(random: Random): Generated {
  const used = new Set<string>();
  const graphId = randomLabel(random, used);
  const serviceIds = Array.from({ length: random.int(1, 8) }, () => randomLabel(random, used));

  const graph: Record<string, unknown> = { id: graphId };
  const expectedIntent = { useStaticPlacement: false, highAvailability: false, energyEfficiency: false, highPerformance: false, security: false };
  if (random.chance(0.7)) {
    const intent: Record<string, unknown> = {};
    if (random.chance(0.5)) {
      expectedIntent.useStaticPlacement = random.chance(0.5);
      intent.useStaticPlacement = spellBoolean(random, expectedIntent.useStaticPlacement);
    }
    for (const key of ["highAvailability", "energyEfficiency", "highPerformance", "security"] as const) {
      if (!random.chance(0.6)) continue;
      expectedIntent[key] = random.chance(0.5);
      const spelled = spellBoolean(random, expectedIntent[key]);
      intent[key] = random.chance(0.7) ? { enabled: spelled } : spelled;
    }
    graph.hdaGraphIntent = intent;
  }
  const version = random.chance(0.5) ? `${random.int(0, 9)}.${random.int(0, 9)}.${random.int(0, 9)}` : undefined;
  if (version) graph.version = version;
  const description = random.chance(0.5) ? randomText(random) : undefined;
  if (description) graph.description = description;

  const services: Record<string, unknown>[] = [];
  const expectedServices: HdagService[] = [];
  for (const id of serviceIds) {
    const others = serviceIds.filter((other) => other !== id);
    const service: Record<string, unknown> = { id };
    const deployment: Record<string, unknown> = {};
    const intent: Record<string, unknown> = {};
    const network: Record<string, unknown> = {};

    let trigger: HdagService["trigger"] = { kind: "auto", dependencies: [] };
    if (random.chance(0.3)) {
      const eventIds = new Set<string>();
      const events: Record<string, unknown>[] = [];
      const expectedEvents: HdagEvent[] = [];
      for (let count = random.int(1, 3); count > 0; count--) {
        const eventId = randomLabel(random, eventIds);
        const promQuery = randomText(random);
        const condition: Record<string, unknown> = { promQuery };
        const expectedEvent: HdagEvent = { id: eventId, promQuery, source: [] };
        if (random.chance(0.7)) {
          condition.gracePeriod = random.pick(["30s", "2m", "1h30m", "5m", "1d", "0"]);
          expectedEvent.gracePeriod = condition.gracePeriod as string;
        }
        if (random.chance(0.5)) {
          condition.description = randomText(random);
          expectedEvent.description = condition.description as string;
        }
        const event: Record<string, unknown> = { id: eventId, condition };
        if (random.chance(0.5)) {
          event.source = [{ serviceId: randomText(random), metricId: randomText(random) }];
          expectedEvent.source = event.source as HdagEvent["source"];
        }
        events.push(event);
        expectedEvents.push(expectedEvent);
      }
      const condition = random.chance(0.5) ? random.pick(["ANY", "ALL"]) : undefined;
      deployment.trigger = { event: { ...(condition ? { condition } : {}), events } };
      trigger = { kind: "event", condition: condition ?? "ANY", events: expectedEvents };
    } else if (random.chance(0.7)) {
      const dependencies = randomSubset(random, [...others, ...others]);
      deployment.trigger = { auto: { dependencies } };
      trigger = { kind: "auto", dependencies: unique(dependencies) };
    }

    const cpu = randomCpu(random);
    const memory = randomBytes(random, RAM);
    const storage = randomBytes(random, STORAGE);
    const gpu = random.chance(0.3);
    const computeGiven = random.chance(0.85);
    if (computeGiven) {
      intent.compute = {
        cpu: cpu.given,
        ram: memory.given,
        storage: storage.given,
        gpu: random.chance(0.5) ? { enabled: spellBoolean(random, gpu) } : spellBoolean(random, gpu),
      };
    }

    const direct = randomSubset(random, others);
    const viaNetwork = randomSubset(random, others);
    if (direct.length > 0 || random.chance(0.5)) intent.connectionPoints = direct;
    if (viaNetwork.length > 0 || random.chance(0.3)) network.connectionPoints = viaNetwork;

    const latencies: Record<string, LatencyQos> = {};
    const latencyEntries: Record<string, unknown>[] = random.chance(0.5) ? [{ connectionPoint: "", qos: "best-effort" }] : [];
    for (const target of randomSubset(random, others)) {
      const qos = random.pick(["ultralow", "low", "best-effort"] as const);
      latencies[target] = qos;
      latencyEntries.push({ connectionPoint: target, qos: randomCase(random, qos) });
    }
    if (latencyEntries.length > 0) network.latencies = latencyEntries;

    const coLocation = randomSubset(random, others);
    if (coLocation.length > 0) intent.coLocation = coLocation;
    const metrics = random.chance(0.3) ? [{ name: randomText(random), target: random.int(1, 100) }] : [];
    if (metrics.length > 0 || random.chance(0.3)) intent.metrics = metrics;

    let serviceHa: { enabled?: boolean; replicasAcrossClusters?: number } = {};
    if (random.chance(0.3)) {
      serviceHa = {
        ...(random.chance(0.5) ? { enabled: random.chance(0.5) } : {}),
        ...(random.chance(0.5) ? { replicasAcrossClusters: random.int(1, 10) } : {}),
      };
      intent.highAvailability = serviceHa;
    }
    const haApplies = serviceHa.enabled ?? expectedIntent.highAvailability;
    const spread = haApplies ? (serviceHa.replicasAcrossClusters ?? 2) : 1;

    if (Object.keys(network).length > 0) intent.network = network;
    if (Object.keys(intent).length > 0) deployment.intent = intent;
    if (Object.keys(deployment).length > 0) service.deployment = deployment;

    const ociImage = `oci://127.0.0.1:5000/${random.pick(["test", "demo", "a/b"])}/${id}${random.chance(0.3) ? ":1.0.0" : ""}`;
    const artifact: Record<string, unknown> = { ociImage };
    const implementer = random.chance(0.5) ? random.pick(["HELM", "WOT"]) : undefined;
    if (implementer) artifact.ociConfig = { type: implementer === "WOT" ? "VO" : "App", implementer };
    const valuesOverwrite = random.chance(0.5) ? { replicaCount: random.int(1, 5), image: { tag: randomText(random) }, list: [randomText(random)] } : undefined;
    if (valuesOverwrite) artifact.valuesOverwrite = valuesOverwrite;
    service.artifact = artifact;
    services.push(service);

    expectedServices.push({
      id,
      trigger,
      compute: computeGiven
        ? { cpu: cpu.amount, memory: memory.amount, storage: storage.amount, gpu, given: { cpu: cpu.shown, memory: memory.shown, storage: storage.shown } }
        : { cpu: 1, memory: GiB, storage: 10e9, gpu: false, given: { cpu: "small", memory: "small", storage: "small" } },
      connectionPoints: unique([...direct, ...viaNetwork]),
      latencies,
      coLocation,
      metrics,
      spread,
      artifact: {
        ociImage,
        type: implementer === "WOT" ? "VO" : "App",
        implementer: implementer ?? "HELM",
        run: { name: "HELM", version: "v3" },
        valuesOverwrite: valuesOverwrite ?? {},
      },
    });
  }
  graph.services = services;
  return {
    descriptor: { hdaGraph: graph },
    expected: { id: graphId, version: version ?? "", designer: "", description: description ?? "", intent: expectedIntent, services: expectedServices },
  };
}

describe("parseHdag on random valid descriptors", () => {
  const seeds = Array.from({ length: 150 }, (_, index) => index + 1);

  it.each(seeds)("seed %i: YAML and JSON forms give the generator's graph and keep the descriptor", (seed) => {
    const { descriptor, expected } = generateDescriptor(createRandom(seed));
    for (const text of [stringifyYaml(descriptor), JSON.stringify(descriptor), JSON.stringify(descriptor, null, "\t")]) {
      const graph = parseHdag(text);
      expect(graph).toEqual({ ...expected, raw: descriptor });
    }
  });

  it("generates every shape the parser distinguishes (the property is not vacuous)", () => {
    const graphs = seeds.map((seed) => generateDescriptor(createRandom(seed)).expected);
    const services = graphs.flatMap((graph) => graph.services);
    expect(services.some((entry) => entry.trigger.kind === "event")).toBe(true);
    expect(services.some((entry) => entry.trigger.kind === "auto" && entry.trigger.dependencies.length > 0)).toBe(true);
    expect(services.some((entry) => entry.connectionPoints.length > 1)).toBe(true);
    expect(services.some((entry) => Object.keys(entry.latencies).length > 0)).toBe(true);
    expect(new Set(services.map((entry) => entry.spread)).size).toBeGreaterThan(2);
    expect(services.some((entry) => entry.compute.gpu)).toBe(true);
    expect(services.some((entry) => entry.compute.given.cpu.endsWith("m"))).toBe(true);
    expect(services.some((entry) => entry.id.length === 53)).toBe(true);
  });
});
