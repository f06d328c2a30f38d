/**
 * The zod schemas of the SMO-compatible REST API (/api/v1): the handlers parse inputs with them
 * and type their outputs by them, and the OpenAPI document is generated from them (openapi.ts).
 * Shapes follow the original smo-web's `to_dict`; extra fields are allowed.
 */
import { z } from "zod";
import { nameSchema } from "../../lib/names";
import { PLACEMENT_ALGORITHMS, type PlacementAlgorithm } from "../../lib/placement/types";

/** A DNS-1123 label (projects and graphs become namespaces and release names). */
export const NameSchema = nameSchema().meta({ description: "A DNS-1123 label: lower-case letters, digits and '-', at most 53 characters", example: "image-detection-graph" });

export const ProjectParamsSchema = z.object({ project: NameSchema });
export const GraphParamsSchema = z.object({ name: NameSchema });

export const ClusterSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    location: z.string().nullable(),
    available_cpu: z.number().meta({ description: "Available CPU cores" }),
    available_ram: z.number().meta({ description: "Available memory in bytes" }),
    availability: z.boolean().meta({ description: "The cluster is Ready in Karmada" }),
    acceleration: z.boolean().meta({ description: "The cluster has GPUs" }),
    grafana: z.string().nullable(),
    gpus: z.number().int(),
    available_gpus: z.number().int(),
    region: z.string().nullable(),
    carbon_intensity: z.number().nullable(),
  })
  .meta({ id: "Cluster" });

export const ServiceSchema = z
  .object({
    name: z.string(),
    status: z.string(),
    grafana: z.string().nullable(),
    cluster_affinity: z.string().nullable().meta({ description: "The first cluster the service is placed on (the original's single affinity)" }),
    clusters: z.array(z.string()).meta({ description: "Every cluster the service is placed on" }),
    cpu: z.number().meta({ description: "CPU cores per replica" }),
    memory: z.number().meta({ description: "Memory bytes per replica" }),
    storage: z.number().meta({ description: "Storage bytes" }),
    gpu: z.boolean(),
    replicas: z.number().int(),
    values_overwrite: z.record(z.string(), z.unknown()),
    alert: z.record(z.string(), z.unknown()).nullable().meta({ description: "The event trigger of an event-triggered service" }),
    artifact_ref: z.string(),
    artifact_type: z.string().nullable(),
    artifact_implementer: z.string().nullable(),
  })
  .meta({ id: "Service" });

export const OperationRefSchema = z
  .object({ id: z.string(), kind: z.string(), status: z.string() })
  .meta({ id: "OperationRef", description: "The durable operation a request started; follow it by reading the graph" });

export const GraphSchema = z
  .object({
    name: z.string(),
    status: z.string(),
    project: z.string(),
    grafana: z.string().nullable(),
    hdaGraph: z.record(z.string(), z.unknown()).meta({ description: "The descriptor as deployed" }),
    placement: z.record(z.string(), z.array(z.string())).meta({ description: "Service name → clusters" }),
    placement_algorithm: z.string(),
    services: z.array(ServiceSchema),
    operation: OperationRefSchema.optional(),
  })
  .meta({ id: "Graph" });

export const ArtifactBodySchema = z
  .object({ artifact: z.string().startsWith("oci://", { message: "must be an oci:// reference" }) })
  .strict()
  .meta({ id: "ArtifactDescriptor", description: "A descriptor stored as an OCI artifact" });

export const DescriptorBodySchema = z
  .union([ArtifactBodySchema, z.record(z.string(), z.unknown()).meta({ id: "HdagDescriptor", description: "An HDAG descriptor (JSON, or YAML with Content-Type application/yaml)" })])
  .meta({ description: "An HDAG descriptor, or a reference to one" });

export const PlacementBodySchema = z
  .object({
    algorithm: z.enum(PLACEMENT_ALGORITHMS as [PlacementAlgorithm, ...PlacementAlgorithm[]]).optional(),
    weights: z
      .object({ migration: z.number().nonnegative(), carbon: z.number().nonnegative(), communication: z.number().nonnegative(), balance: z.number().nonnegative() })
      .partial()
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: "PlacementRequest", description: "Optional: the algorithm and weights of the new placement" });

export const AlertmanagerBodySchema = z
  .object({ version: z.string().optional(), status: z.string().optional(), alerts: z.array(z.record(z.string(), z.unknown())) })
  .loose()
  .meta({ id: "AlertmanagerWebhook", description: "Alertmanager's webhook payload (version 4)" });

export const AlertsResultSchema = z
  .object({
    alerts: z.array(
      z.object({
        fingerprint: z.string(),
        status: z.string(),
        alertName: z.string(),
        service: z.string().optional(),
        graph: z.string().optional(),
        outcome: z.string(),
        operationId: z.string().optional(),
        error: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "AlertsResult" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)" });

export type ClusterJson = z.infer<typeof ClusterSchema>;
export type ServiceJson = z.infer<typeof ServiceSchema>;
export type GraphJson = z.infer<typeof GraphSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
