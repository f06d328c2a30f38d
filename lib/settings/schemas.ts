/** Admin-editable console settings: one zod schema per key of the `settings` table. */
import { z } from "zod";
import { PLACEMENT_ALGORITHMS, type PlacementAlgorithm } from "../placement/types";

const weight = z.number().finite().min(0).max(1_000);

export const PlacementSettings = z
  .object({
    /** The algorithm of a graph's first placement. */
    initialAlgorithm: z.enum(PLACEMENT_ALGORITHMS as unknown as [PlacementAlgorithm, ...PlacementAlgorithm[]]),
    /** The algorithm of re-placements. */
    replaceAlgorithm: z.enum(PLACEMENT_ALGORITHMS as unknown as [PlacementAlgorithm, ...PlacementAlgorithm[]]),
    weights: z.object({ migration: weight, carbon: weight, communication: weight, balance: weight }).strict(),
    timeLimitSeconds: z.number().int().min(1).max(600),
  })
  .strict();
export type PlacementSettings = z.infer<typeof PlacementSettings>;

/** What `settings.set` accepts: one key and its whole value. */
export const SettingUpdate = z.discriminatedUnion("key", [z.object({ key: z.literal("placement"), value: PlacementSettings }).strict()]);
export type SettingUpdate = z.infer<typeof SettingUpdate>;

export type ConsoleSettings = { placement: PlacementSettings };
export type SettingKey = keyof ConsoleSettings;
