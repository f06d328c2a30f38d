/**
 * The shared sample descriptors (examples/hdag/*.yaml) for the deploy editor and the placement
 * lab: read on the server at request time and handed to the client page as plain data.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

export type SampleDescriptor = {
  /** The file name, e.g. "gpu-offloading-graph.yaml". */
  file: string;
  /** What the sample shows, from the folder's README table (empty when it says nothing). */
  shows: string;
  text: string;
};

const SAMPLES_FOLDER = path.join(process.cwd(), "examples", "hdag");

/** `| file | source | shows |` rows of the README: file name → what it shows. */
function describedSamples(readme: string): Map<string, string> {
  const described = new Map<string, string>();
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    // A table row: "", file, source, shows, "".
    if (cells.length >= 5 && /\.ya?ml$/.test(cells[1]!)) described.set(cells[1]!, cells[3]!);
  }
  return described;
}

export async function readSampleDescriptors(): Promise<SampleDescriptor[]> {
  let files: string[];
  try {
    files = (await readdir(SAMPLES_FOLDER)).filter((file) => /\.ya?ml$/.test(file)).sort();
  } catch {
    // A deployment without the examples folder offers no samples; the editor still works.
    return [];
  }
  const readme = await readFile(path.join(SAMPLES_FOLDER, "README.md"), "utf8").catch(() => "");
  const shows = describedSamples(readme);
  return Promise.all(files.map(async (file) => ({ file, shows: shows.get(file) ?? "", text: await readFile(path.join(SAMPLES_FOLDER, file), "utf8") })));
}
