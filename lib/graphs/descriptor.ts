/** Where a deployed descriptor comes from: text, a file on the server, an http(s) URL or an OCI artifact. */
import { readFile, stat } from "node:fs/promises";
import type { CoreContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { parseHdag } from "../hdag/parse";
import type { Hdag } from "../hdag/types";
import { assertWithinSize, DEFAULT_YAML_LIMITS } from "../hdag/yaml";

export type DescriptorSource = { text: string } | { file: string } | { url: string } | { artifact: string };

export type ReadDescriptor = { text: string; source: string; hdag: Hdag };

/** Reads and parses the descriptor; a ValidationError names what is wrong and where. */
export async function readDescriptor(ctx: Pick<CoreContext, "clients">, descriptor: DescriptorSource): Promise<ReadDescriptor> {
  const { text, source } = await readDescriptorText(ctx, descriptor);
  return { text, source, hdag: parseHdag(text, { source: source === "text" ? undefined : source }) };
}

/** The descriptor's text as its source holds it, not parsed: an editor shows it even when it is invalid. */
export async function readDescriptorText(ctx: Pick<CoreContext, "clients">, descriptor: DescriptorSource): Promise<{ text: string; source: string }> {
  if (typeof descriptor !== "object" || descriptor === null) throw invalid("descriptor", "must be one of { text }, { file }, { url }, { artifact }");
  if ("text" in descriptor) {
    if (typeof descriptor.text !== "string" || descriptor.text.trim() === "") throw invalid("descriptor.text", "must be non-empty YAML or JSON text");
    return { text: descriptor.text, source: "text" };
  }
  if ("file" in descriptor) {
    if (typeof descriptor.file !== "string" || descriptor.file === "") throw invalid("descriptor.file", "must be a file path");
    return { text: await readDescriptorFile(descriptor.file), source: descriptor.file };
  }
  if ("url" in descriptor) {
    if (typeof descriptor.url !== "string" || !/^https?:\/\//i.test(descriptor.url)) throw invalid("descriptor.url", "must be an http:// or https:// URL");
    const fetched = await ctx.clients.fetchDescriptor(descriptor.url);
    return { text: fetched.text, source: descriptor.url };
  }
  if ("artifact" in descriptor) {
    if (typeof descriptor.artifact !== "string" || !descriptor.artifact.startsWith("oci://")) throw invalid("descriptor.artifact", "must be an oci:// reference");
    const fetched = await ctx.clients.fetchDescriptor(descriptor.artifact);
    return { text: fetched.text, source: descriptor.artifact };
  }
  throw invalid("descriptor", "must be one of { text }, { file }, { url }, { artifact }");
}

async function readDescriptorFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalid("descriptor.file", `${path} is not a file`);
    assertWithinSize(info.size, DEFAULT_YAML_LIMITS.maxBytes);
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new NotFoundError("descriptor file", path);
    if (error instanceof ValidationError) throw new ValidationError(error.issues.map((issue) => ({ ...issue, path: issue.path || "descriptor.file" })), `${path}: ${error.message}`);
    throw error;
  }
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }]);
}
