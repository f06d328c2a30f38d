import { createSeededRandom } from "../lib/random";
/**
 * Seeded, realistic placement instances for the benchmark: services of common sizes with sparse
 * connection graphs (≈ 1.5 connection points per service), clusters of a few flavours whose total
 * capacity is ≈ 1.75× the demand, and a current placement disturbed by one cluster going NotReady
 * and another shrinking (so that re-placement has work to do).
 */
import { energyEfficientCarbonWeight } from "../lib/placement/from-hdag";
import type { LatencyQos } from "../lib/hdag/types";
import type { PlacementCluster, PlacementInput, PlacementService } from "../lib/placement/types";

export type InstanceKind = "original" | "full";

const GI = 2 ** 30;
const MI = 2 ** 20;

export type InstanceOptions = { randomCurrent?: boolean };

/** Services grouped as co-location makes them run: a group is placed together. */
function currentGroups(services: PlacementService[]): PlacementService[][] {
  const byId = new Map(services.map((service) => [service.id, service]));
  const seen = new Set<string>();
  const groups: PlacementService[][] = [];
  for (const service of services) {
    if (seen.has(service.id)) continue;
    const group = [service];
    seen.add(service.id);
    for (const partner of service.coLocation) {
      if (!seen.has(partner)) {
        seen.add(partner);
        group.push(byId.get(partner)!);
      }
    }
    groups.push(group);
  }
  return groups;
}

export function generatePlacementInstance(seed: number, serviceCount: number, clusterCount: number, kind: InstanceKind, options: InstanceOptions = {}): PlacementInput {
  const random = createSeededRandom(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const full = kind === "full";

  const sizes = [
    { cpu: 0.25, memory: 256 * MI },
    { cpu: 0.5, memory: 512 * MI },
    { cpu: 0.5, memory: 1 * GI },
    { cpu: 1, memory: 1 * GI },
    { cpu: 1, memory: 2 * GI },
    { cpu: 2, memory: 4 * GI },
    { cpu: 4, memory: 8 * GI },
  ];
  const services: PlacementService[] = [];
  for (let index = 0; index < serviceCount; index += 1) {
    const size = pick(sizes);
    services.push({
      id: `svc-${index}`,
      cpu: size.cpu,
      memory: size.memory,
      replicas: random() < 0.7 ? 1 : random() < 0.7 ? 2 : 3,
      gpu: random() < 0.05,
      connectionPoints: [],
      latencies: {},
      coLocation: [],
      spread: full && random() < 0.05 && clusterCount > 2 ? 2 : 1,
      current: [],
    });
  }
  if (full) {
    // Applications of 3–12 services; inside each, every service calls 1–2 later ones (a sparse DAG).
    for (let first = 0; first < serviceCount; ) {
      const size = Math.min(serviceCount - first, 3 + Math.floor(random() * 10));
      for (let offset = 0; offset < size - 1; offset += 1) {
        const service = services[first + offset]!;
        const count = random() < 0.5 ? 1 : 2;
        for (let link = 0; link < count; link += 1) {
          const target = services[first + offset + 1 + Math.floor(random() * (size - offset - 1))]!;
          if (service.connectionPoints.includes(target.id)) continue;
          service.connectionPoints.push(target.id);
          const roll = random();
          const qos: LatencyQos | undefined = roll < 0.2 ? "ultralow" : roll < 0.5 ? "low" : undefined;
          if (qos) service.latencies[target.id] = qos;
        }
      }
      first += size;
    }
    // A few co-located pairs.
    for (let index = 0; index + 1 < serviceCount; index += 20) {
      const a = services[index]!;
      const b = services[index + 1]!;
      if (a.spread === b.spread) a.coLocation.push(b.id);
    }
  }

  let cpuDemand = 0;
  let memoryDemand = 0;
  let gpuCpuDemand = 0;
  for (const service of services) {
    cpuDemand += service.cpu * service.replicas * service.spread;
    memoryDemand += service.memory * service.replicas * service.spread;
    if (service.gpu) gpuCpuDemand += service.cpu * service.replicas * service.spread;
  }
  const flavours = [
    { cpu: 1, memory: 4, weight: 0.5 },
    { cpu: 2, memory: 8, weight: 0.3 },
    { cpu: 4, memory: 16, weight: 0.2 },
  ];
  const carbonLevels = [50, 120, 250, 400, 600];
  const shapes = Array.from({ length: clusterCount }, (_, index) => {
    const roll = random();
    const flavour = roll < flavours[0]!.weight ? flavours[0]! : roll < flavours[0]!.weight + flavours[1]!.weight ? flavours[1]! : flavours[2]!;
    return { flavour, gpu: index === 2 || random() < 0.2, carbon: pick(carbonLevels) };
  });
  const units = shapes.reduce((total, shape) => total + shape.flavour.cpu, 0);
  const ratio = 1.75;
  const coresPerUnit = Math.max(1, Math.ceil((ratio * cpuDemand) / units));
  const memoryRatio = (ratio * memoryDemand) / (units * coresPerUnit * 4 * GI);
  const clusters: PlacementCluster[] = shapes.map((shape, index) => ({
    name: `cluster-${index}`,
    cpu: shape.flavour.cpu * coresPerUnit,
    memory: Math.ceil(shape.flavour.memory * coresPerUnit * Math.max(1, memoryRatio)) * GI,
    gpu: shape.gpu,
    ready: true,
    carbon: shape.carbon,
  }));
  // GPU clusters must be able to take the GPU services.
  const gpuCapacity = clusters.filter((cluster) => cluster.gpu).reduce((total, cluster) => total + cluster.cpu, 0);
  if (gpuCapacity < 2 * gpuCpuDemand) clusters[Math.min(2, clusterCount - 1)]!.cpu += Math.ceil(2 * gpuCpuDemand - gpuCapacity);

  // The current placement: what first-fit (SMO's initial placement) gave on the undisturbed federation
  // (or, with `randomCurrent`, a random fit: an adversarial history with linked services far apart).
  const cpuLoad = new Float64Array(clusterCount);
  const memoryLoad = new Float64Array(clusterCount);
  for (const group of currentGroups(services)) {
    if (full && random() < 0.3) continue; // new services have no current cluster
    const lead = group[0]!;
    const demandCpu = group.reduce((total, service) => total + service.cpu * service.replicas, 0);
    const demandMemory = group.reduce((total, service) => total + service.memory * service.replicas, 0);
    const gpu = group.some((service) => service.gpu);
    const start = options.randomCurrent ? Math.floor(random() * clusterCount) : 0;
    const chosen: string[] = [];
    for (let step = 0; step < clusterCount && chosen.length < lead.spread; step += 1) {
      const index = (start + step) % clusterCount;
      const cluster = clusters[index]!;
      if (gpu && !cluster.gpu) continue;
      if (cpuLoad[index]! + demandCpu > cluster.cpu || memoryLoad[index]! + demandMemory > cluster.memory) continue;
      cpuLoad[index]! += demandCpu;
      memoryLoad[index]! += demandMemory;
      chosen.push(cluster.name);
    }
    for (const service of group) service.current = [...chosen];
  }
  // The disturbance: with 5 clusters or more the first one goes NotReady; the second loses 40 % of its CPU.
  if (clusterCount >= 5) clusters[0]!.ready = false;
  if (clusterCount >= 2) clusters[1]!.cpu = Math.floor(clusters[1]!.cpu * 0.6);

  const weights = full
    ? { migration: 1, carbon: energyEfficientCarbonWeight(clusters), communication: 1, balance: 5 }
    : { migration: 1, carbon: 0, communication: 0, balance: 0 };
  return { clusters, services, weights };
}
