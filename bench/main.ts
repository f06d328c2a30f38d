/**
 * `npm run bench [-- name…]`: runs every benchmark (or the named ones) and prints tables.
 * Each benchmark lives in bench/<area>.ts and is listed in bench/registry.ts.
 */
import { benchmarks } from "./registry";

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const selected = wanted.length ? benchmarks.filter((benchmark) => wanted.includes(benchmark.name)) : benchmarks;
if (wanted.length && selected.length !== wanted.length) {
  const known = benchmarks.map((benchmark) => benchmark.name).join(", ");
  console.error(`unknown benchmark in "${wanted.join(" ")}"; known: ${known}`);
  process.exit(2);
}
console.log(`# SMO Console benchmarks — ${new Date().toISOString()} — node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
for (const benchmark of selected) {
  console.log(`\n## ${benchmark.name}: ${benchmark.summary}`);
  await benchmark.run();
}
