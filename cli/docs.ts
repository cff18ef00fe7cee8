import type { CliIo } from "./io.ts";
import { runGeneratorCommand } from "./output-files.ts";

const HELP = `Usage: cmdb-contract docs [--spec FILE] [--out DIR] [--check]

Writes the API docs from the OpenAPI spec, and nothing else:
  docs/<api>.zh.md, docs/<api>.en.md   one page per operation and language, in the layout of BlueKing's
                                       published API pages, plus lock rules, error codes and the differences
                                       from the published page
  docs/index.html                      a self-contained HTML reference (loads nothing from the network)
\`cmdb-contract generate\` writes the same files together with the types and the client.

Options:
  --spec FILE   the spec to read (default: cmdb.openapi.yaml of this toolkit)
  --out DIR     the folder to write docs/ into (default: ./generated in the current folder)
  --check       write nothing; exit 1 listing every docs file that differs from what the spec generates
                (and every docs/ file it no longer generates)
  -h, --help    show this help

Exit codes: 0 written or up to date; 1 --check found differences; 2 bad arguments or an invalid spec.
`;

/**
 * `cmdb-contract docs`: loads the spec and writes only the docs files (atomically), or with `--check` lists the
 * docs files that differ.
 * @throws SpecError when the spec is invalid (the CLI prints it and exits 2).
 */
export async function runDocs(args: string[], io: CliIo): Promise<number> {
  return runGeneratorCommand("docs", HELP, args, io);
}
