import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseYamlQuickly } from "../../spec/load-spec.ts";
import { packagePath } from "../../spec/package-path.ts";

// What the consumer contracts and the verification engine both read: the fixture worlds and the auth they call with.
// It sits below both, so neither imports the other (DESIGN.md, data flow).

/** The folder of the committed fixtures: worlds, scenarios and the lock table. */
export const FIXTURES_DIR = packagePath("contracts/fixtures/");

/** A world as DESIGN.md describes it (validated by the provider against spec/world.schema.json). */
export type World = Record<string, unknown>;

/** Loads every `worlds/*.yaml` by its file name without extension. */
export async function loadWorlds(dir: string = join(FIXTURES_DIR, "worlds")): Promise<Map<string, World>> {
  const worlds = new Map<string, World>();
  for (const file of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const path = join(dir, file);
    worlds.set(file.replace(/\.ya?ml$/, ""), parseYamlQuickly(path, await readFile(path, "utf8")) as World);
  }
  return worlds;
}

/** The auth every scenario sends unless it overrides it: the world's first app, acting as `admin`. */
export function defaultAuth(world: World): Record<string, string> {
  const app = (world.apps as { bk_app_code: string; bk_app_secret: string }[] | undefined)?.[0];
  return { bk_app_code: app?.bk_app_code ?? "", bk_app_secret: app?.bk_app_secret ?? "", bk_username: "admin" };
}
