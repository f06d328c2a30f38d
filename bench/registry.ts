import type { Benchmark } from "./table";

/** Every benchmark of `npm run bench`; each area's module adds its own entries here. */
export const benchmarks: Benchmark[] = [];
