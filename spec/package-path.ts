import { join } from "node:path";
import { fileURLToPath } from "node:url";

// This module runs from source (`spec/package-path.ts`, under tsx or vitest) and compiled (`dist/spec/package-path.js`,
// the published package); the package root is one folder up from the first and two from the second.
const ROOT = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../" : "../../", import.meta.url));

/**
 * The absolute path of a file the package ships beside its code (`spec/cmdb.openapi.yaml`, `contracts/pacts/`),
 * the same whether the caller runs from source or from the compiled `dist/`.
 */
export function packagePath(path: string): string {
  return join(ROOT, path);
}
