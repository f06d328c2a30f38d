/** Descriptors for the lifecycle tests and the deploy benchmark: the shared samples and generated graphs. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SAMPLE_GRAPHS = ["image-detection-graph", "gpu-offloading-graph", "resilience-critical-graph"] as const;
export type SampleGraph = (typeof SAMPLE_GRAPHS)[number];

export function sampleDescriptorPath(name: SampleGraph): string {
  return fileURLToPath(new URL(`../../../examples/hdag/${name}.yaml`, import.meta.url));
}

export function sampleDescriptorText(name: SampleGraph): string {
  return readFileSync(sampleDescriptorPath(name), "utf8");
}

export type GeneratedGraphOptions = {
  name: string;
  services: number;
  /** Prefix of the service ids (they must be unique within a project). */
  servicePrefix?: string;
  useStaticPlacement?: boolean;
  /** Each service connects to the next one (a chain), so serviceImportClusters are set. */
  chain?: boolean;
  /** clustersAffinity given in the valuesOverwrite of some services (by index). */
  staticClusters?: Record<number, string[]>;
};

/** A graph of `services` light services from the sandbox registry, as HDAG YAML. */
export function generateGraphDescriptor(options: GeneratedGraphOptions): string {
  const prefix = options.servicePrefix ?? "svc";
  const services = Array.from({ length: options.services }, (_, index) => {
    const next = options.chain && index + 1 < options.services ? [`${prefix}-${index + 1}`] : [];
    return `    - id: ${prefix}-${index}
      deployment:
        trigger:
          auto:
            dependencies: []
        intent:
          compute:
            cpu: "light"
            ram: "light"
            storage: "small"
            gpu:
              enabled: False
          coLocation: []
          connectionPoints: ${JSON.stringify(next)}
          metrics: []
      artifact:
        ociImage: "oci://127.0.0.1:5000/generated/${prefix}-${index}"
        ociConfig:
          type: App
          implementer: HELM
        ociRun:
          name: HELM
          version: v3
        valuesOverwrite: ${options.staticClusters?.[index] ? JSON.stringify({ clustersAffinity: options.staticClusters[index] }) : "{}"}`;
  });
  return `hdaGraph:
  imVersion: 0.4.0
  id: ${options.name}
  version: "1.0.0"
  designer: SMO tests
  hdaGraphIntent:
    useStaticPlacement: ${options.useStaticPlacement ? "True" : "False"}
    security:
      enabled: False
    highAvailability:
      enabled: False
    highPerformance:
      enabled: False
    energyEfficiency:
      enabled: False
  description: generated graph of ${options.services} services
  services:
${services.join("\n")}
`;
}
