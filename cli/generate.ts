import { rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { diffFiles, findStaleFiles, writeFiles } from "../generator/write-files.ts";
import { readSpec, SPEC_PATH, validateSpec } from "../spec/load-spec.ts";
import { type CliIo, parseCommandArgs } from "./io.ts";

/** Where `generate` writes by default: `generated/` at the repo root. */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL("../generated/", import.meta.url));

const HELP = `Usage: cmdb-contract generate [--spec FILE] [--out DIR] [--check]

Generates from the OpenAPI spec: types.gen.ts (openapi-typescript), client.gen.ts (a typed fetch client),
index.ts and the docs pages. The output imports nothing but its own files, so --out can target another repo.

Options:
  --spec FILE   the spec to read (default: spec/cmdb.openapi.yaml of this toolkit)
  --out DIR     the folder to write (default: generated/ of this toolkit)
  --check       write nothing; exit 1 listing every file that differs from what the spec generates
                (and every *.gen.ts or docs/ file it no longer generates)
  -h, --help    show this help

Writes are atomic: a failed run leaves the previous files untouched. Files an earlier spec generated
(*.gen.ts, docs/…) and this one does not are removed; other files in the folder are left alone.
Exit codes: 0 written or up to date; 1 --check found differences; 2 bad arguments or an invalid spec.
`;

/**
 * `cmdb-contract generate`: loads the spec, generates every file and writes them atomically, or with `--check`
 * lists the files that differ.
 * @throws SpecError when the spec is invalid (the CLI prints it and exits 2).
 */
export async function runGenerate(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs("generate", args, {
    spec: { type: "string" },
    out: { type: "string" },
    check: { type: "boolean" },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  // Imported here so `--help` and bad arguments answer without loading the generators. The worker thread (started
  // by cli/bin.js before tsx, or here) loads openapi-typescript while this one reads the spec, then renders the types
  // and validates the spec while this one emits the client and docs. Nothing is written unless the spec is valid,
  // and a spec problem wins over a generator error.
  const { startSpecWorker } = await import("../generator/workers.ts");
  const worker = startSpecWorker();
  const { generateFiles } = await import("../generator/generate.ts");
  const spec = await readSpec(values.spec === undefined ? SPEC_PATH : resolve(values.spec));
  const generating = generateFiles(spec.document, { specFile: spec.file, renderTypes: worker.renderTypes });
  const validating = validateSpec(spec, { validateSchema: worker.validateSchema });
  const [validated, generated] = await Promise.allSettled([validating, generating]);
  if (validated.status === "rejected") throw validated.reason;
  if (generated.status === "rejected") throw generated.reason;
  const { file } = spec;
  const files = generated.value;
  const outDir = values.out === undefined ? DEFAULT_OUT_DIR : resolve(values.out);
  const shown = displayPath(outDir);
  const stale = await findStaleFiles(outDir, files);
  if (values.check) {
    const differing = await diffFiles(outDir, files);
    if (differing.length === 0 && stale.length === 0) {
      io.stdout(`generate --check: ${files.length} files in ${shown} match the spec\n`);
      return 0;
    }
    io.stderr(
      [
        `generate --check: ${differing.length} of ${files.length} files in ${shown} differ from what the spec generates` +
          (stale.length > 0 ? `, and ${stale.length} are no longer generated:` : ":"),
        ...differing.map((path) => `  ${join(shown, path)}`),
        ...stale.map((path) => `  ${join(shown, path)} (no longer generated)`),
        "Run `npm run generate` (or `cmdb-contract generate` with the same --spec/--out) and commit the result.",
        "",
      ].join("\n"),
    );
    return 1;
  }
  // Unchanged files are left alone (mtime included), so watchers and incremental builds see only real changes.
  const changed = new Set(await diffFiles(outDir, files));
  await writeFiles(
    outDir,
    files.filter((f) => changed.has(f.path)),
  );
  // Left over from an earlier spec (an operation's docs page, say); removed only after every new file is in place.
  await Promise.all(stale.map((path) => rm(join(outDir, path), { force: true })));
  for (const generated of files) {
    io.stdout(`${changed.has(generated.path) ? "wrote    " : "unchanged"} ${join(shown, generated.path)}\n`);
  }
  for (const path of stale) io.stdout(`removed   ${join(shown, path)}\n`);
  io.stdout(
    `generate: ${changed.size} of ${files.length} files written to ${shown}` +
      `${stale.length > 0 ? `, ${stale.length} stale removed` : ""} from ${displayPath(file)}\n`,
  );
  return 0;
}

/** A path relative to the working folder when it is inside it, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
