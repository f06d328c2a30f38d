/** Reading a descriptor file from disk (Node only; the parser itself is isomorphic). */
import { readFile, stat } from "node:fs/promises";
import { NotFoundError, ValidationError } from "../errors";
import { parseHdag, type ParseHdagOptions } from "./parse";
import type { Hdag } from "./types";
import { assertWithinSize, DEFAULT_YAML_LIMITS } from "./yaml";

/**
 * Reads and parses the descriptor at `path`. Its size is checked with `stat` before reading,
 * so an oversized file is rejected without being loaded. A missing file is a NotFoundError.
 */
export async function loadHdagFile(path: string, options: Omit<ParseHdagOptions, "source"> = {}): Promise<Hdag> {
  const maxBytes = options.limits?.maxBytes ?? DEFAULT_YAML_LIMITS.maxBytes;
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ValidationError([{ path: "", message: `${path} is not a file` }]);
    size = info.size;
  } catch (error) {
    if (isErrnoError(error) && (error.code === "ENOENT" || error.code === "ENOTDIR")) throw new NotFoundError("descriptor file", path);
    throw error;
  }
  try {
    assertWithinSize(size, maxBytes);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.issues, `${path}: ${error.message}`);
    throw error;
  }
  const text = await readFile(path, "utf8");
  return parseHdag(text, { ...options, source: path });
}

function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
}
