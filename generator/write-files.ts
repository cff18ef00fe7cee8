import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { GeneratedFile } from "./generated-file.ts";

/** How a file that can be written is addressed: its POSIX path under the output folder and its absolute path. */
interface Target {
  file: GeneratedFile;
  absolute: string;
}

/**
 * Writes every file under `outDir` atomically: all contents go to temporary files beside their targets first,
 * and only when every one is written are they renamed into place, so a failed run leaves the previous files
 * byte-identical.
 * @throws Error naming the file that could not be written (its temporary files are removed first).
 */
export async function writeFiles(outDir: string, files: readonly GeneratedFile[]): Promise<void> {
  const targets = resolveTargets(outDir, files);
  const suffix = `.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  const written: string[] = [];
  let current: Target | undefined;
  try {
    for (const target of targets) {
      current = target;
      const { file, absolute } = target;
      await mkdir(dirname(absolute), { recursive: true });
      const temporary = `${absolute}${suffix}`;
      written.push(temporary);
      await writeFile(temporary, file.contents, "utf8");
    }
  } catch (error) {
    await Promise.all(written.map((t) => rm(t, { force: true })));
    throw new Error(`cannot write ${describeTarget(outDir, current)}: ${describe(error)}`);
  }
  for (const { absolute } of targets) {
    await rename(`${absolute}${suffix}`, absolute);
  }
}

/** Answers the paths (sorted, relative to `outDir`) whose file is missing or whose contents differ. */
export async function diffFiles(outDir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const differing: string[] = [];
  for (const { file, absolute } of resolveTargets(outDir, files)) {
    const current = await readFile(absolute, "utf8").catch(() => undefined);
    if (current !== file.contents) differing.push(file.path);
  }
  return differing.sort();
}

/**
 * Resolves each file's absolute path, refusing paths that would escape the output folder.
 * @throws Error naming a path that is absolute or climbs out with `..`.
 */
function resolveTargets(outDir: string, files: readonly GeneratedFile[]): Target[] {
  const root = resolve(outDir);
  return files.map((file) => {
    const absolute = resolve(root, ...file.path.split("/"));
    if (!absolute.startsWith(root + sep) || file.path.includes("\\")) {
      throw new Error(`generated path "${file.path}" must stay inside the output folder ${root}`);
    }
    return { file, absolute };
  });
}

function describeTarget(outDir: string, target: Target | undefined): string {
  return target ? join(outDir, target.file.path) : outDir;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
