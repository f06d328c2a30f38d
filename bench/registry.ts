import { scalingBenchmark } from "./scaling";
import { metricsEmulatorsBenchmark } from "./metrics-emulators";
import { helmBenchmark } from "./helm";
import { hdagBenchmark } from "./hdag";
import { placementBenchmark } from "./placement";
import { authBenchmark } from "./auth";
import { deployBenchmark } from "./deploy";
import { apiLoadBenchmark } from "./api-load";
import { bundlesBenchmark } from "./bundles";
import type { Benchmark } from "./table";

/** Every benchmark of `npm run bench`; each area's module adds its own entries here. */
export const benchmarks: Benchmark[] = [scalingBenchmark, metricsEmulatorsBenchmark, helmBenchmark, hdagBenchmark, placementBenchmark, authBenchmark, deployBenchmark, apiLoadBenchmark, bundlesBenchmark];
