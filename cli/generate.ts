import { readSpec, validateSpec } from "../spec/load-spec.ts";
import type { CliIo } from "./io.ts";
import { checkOrWriteFiles, parseOutputArgs } from "./output-files.ts";

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
  const options = parseOutputArgs("generate", args);
  if (options.help) {
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
  const spec = await readSpec(options.specFile);
  const generating = generateFiles(spec.document, { specFile: spec.file, renderTypes: worker.renderTypes });
  const validating = validateSpec(spec, { validateSchema: worker.validateSchema });
  const [validated, generated] = await Promise.allSettled([validating, generating]);
  if (validated.status === "rejected") throw validated.reason;
  if (generated.status === "rejected") throw generated.reason;
  return checkOrWriteFiles(
    {
      command: "generate",
      outDir: options.outDir,
      files: generated.value,
      check: options.check,
      specFile: spec.file,
    },
    io,
  );
}
