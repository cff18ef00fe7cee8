import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
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
  const createdFolders: string[] = [];
  let current: Target | undefined;
  try {
    for (const target of targets) {
      current = target;
      const { file, absolute } = target;
      const created = await mkdir(dirname(absolute), { recursive: true });
      if (created !== undefined) createdFolders.push(created);
      // A folder in a file's place would only fail at rename time, after other files were replaced.
      if ((await stat(absolute).catch(() => undefined))?.isDirectory()) throw new Error("a folder is in the way");
      const temporary = `${absolute}${suffix}`;
      written.push(temporary);
      await writeFile(temporary, file.contents, "utf8");
    }
  } catch (error) {
    await Promise.all(written.map((t) => rm(t, { force: true })));
    // Only folders this run created, which now hold nothing but removed temporary files.
    await Promise.all(createdFolders.map((f) => rm(f, { recursive: true, force: true })));
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
 * Answers the files (sorted, relative to `outDir`) that look generated but are not in `files`, i.e. left over from
 * an earlier spec: `*.gen.ts` at the top of the folder and anything under a folder some generated file lives in
 * (`docs/`). Other files in the folder are the user's and never listed.
 */
export async function findStaleFiles(outDir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const root = resolve(outDir);
  const wanted = new Set(files.map((f) => f.path));
  const folders = [...new Set(files.filter((f) => f.path.includes("/")).map((f) => f.path.split("/")[0] ?? ""))];
  const found: string[] = [];
  const top = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of top) {
    if (entry.isFile() && entry.name.endsWith(".gen.ts")) found.push(entry.name);
  }
  for (const folder of folders) {
    const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join("/");
      found.push(path);
    }
  }
  return found.filter((path) => !wanted.has(path)).sort();
}

/**
 * Resolves each file's absolute path, refusing paths that would escape the output folder.
 * @throws Error naming a path that is absolute, climbs out with `..` or is not a plain POSIX path.
 */
function resolveTargets(outDir: string, files: readonly GeneratedFile[]): Target[] {
  const root = resolve(outDir);
  return files.map((file) => {
    const segments = file.path.split("/");
    const absolute = resolve(root, ...segments);
    const plain = segments.every((s) => s !== "" && s !== "." && s !== ".." && !s.includes("\\"));
    if (!plain || !absolute.startsWith(root + sep)) {
      throw new Error(
        `generated path "${file.path}" must stay inside the output folder ${root} (a relative POSIX path)`,
      );
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
