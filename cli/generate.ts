import type { CliIo } from "./io.ts";
import { runGeneratorCommand } from "./output-files.ts";

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
  return runGeneratorCommand("generate", HELP, args, io);
}
