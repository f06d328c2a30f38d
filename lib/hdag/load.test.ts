import { fileURLToPath } from "node:url";
import { mkdtemp, mkdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../errors";
import { loadHdagFile } from "./load";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "smo-hdag-load-"));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("loadHdagFile", () => {
  it("loads and parses a sample descriptor", async () => {
    const graph = await loadHdagFile(fileURLToPath(new URL("../../examples/hdag/gpu-offloading-graph.yaml", import.meta.url)));
    expect(graph.id).toBe("gpu-offloading-graph");
    expect(graph.services.find((service) => service.id === "ml-inference")?.compute.gpu).toBe(true);
  });

  it("refuses an oversized file from its size alone, without reading it", async () => {
    // A sparse 3 GiB file: reading it would fail differently (node refuses to read files over 2 GiB).
    const file = join(folder, "huge.yaml");
    await writeFile(file, "");
    await truncate(file, 3 * 2 ** 30);
    const error = await loadHdagFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      `${file}: the descriptor is 3221225472 bytes long; at most 1048576 bytes (1 MiB) are accepted`,
    );
  });

  it("names the file in the summary of a rejected descriptor", async () => {
    const file = join(folder, "bad.yaml");
    await writeFile(file, "hdaGraph:\n  id: Bad\n  services: []\n");
    const error = await loadHdagFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(["hdaGraph.id", "hdaGraph.services"]);
    expect((error as ValidationError).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not a valid HDAG descriptor: `));
  });

  it("reports a missing file as not found, and a folder as not a file", async () => {
    await expect(loadHdagFile(join(folder, "absent.yaml"))).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadHdagFile(join(folder, "absent", "deeper.yaml"))).rejects.toBeInstanceOf(NotFoundError);
    const directory = join(folder, "a-folder");
    await mkdir(directory);
    await expect(loadHdagFile(directory)).rejects.toThrow(`${directory} is not a file`);
  });
});
