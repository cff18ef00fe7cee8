#!/usr/bin/env node
// `npm start`: runs cli/bin.ts from a clone without a TypeScript loader at run time. The sources that `npm run
// build` compiles (tsconfig.build.json's "include") are transpiled with esbuild, file by file, into
// node_modules/.cache/cmdb-contract/<hash of their text>/ and the CLI runs from there on plain Node; a run after
// any source edit transpiles again first (about 0.2 s), every other run reuses the cache. Each module keeps its
// source's `import.meta.url`, so every path it resolves (the spec, the pacts, worker scripts, `require`) is the one
// it resolves under tsx. No type checking, as under tsx: `npm test` type-checks. The same folder keeps which spec
// texts swagger-parser found valid (spec/shared-spec.ts), so an unchanged spec is not validated again on every run.
// Plain JavaScript, so it starts without a loader; the published package runs dist/ (`npm run build`) instead.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** How many transpiled trees the cache keeps (a run that started before an edit may still load from its own). */
const KEPT_BUILDS = 3;

/**
 * Answers the folder that holds the transpiled sources of the project at `root` (transpiling them into `cacheDir`
 * when their text changed) and whether it had to transpile.
 * @param {string} root the project folder, with tsconfig.json and tsconfig.build.json
 * @param {string} cacheDir where transpiled trees are kept, one folder per hash
 * @returns {Promise<{ dir: string, built: boolean }>}
 */
export async function ensureTranspiled(root, cacheDir) {
  const files = listSources(root);
  const hash = createHash("sha256");
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  // esbuild itself loads only when there is something to transpile.
  const esbuildVersion = JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;
  hash.update(`\0${esbuildVersion}\0${readFileSync(join(root, "tsconfig.json"))}`);
  const texts = new Map();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    texts.set(file, text);
    hash.update(`\0${relative(root, file)}\0${text}`);
  }
  const dir = join(cacheDir, hash.digest("hex").slice(0, 20)); // the form pruneCache recognises
  try {
    statSync(join(dir, "package.json"));
    const now = new Date();
    utimesSync(dir, now, now); // most recently used: kept longest
    return { dir, built: false };
  } catch {
    // Not transpiled yet.
  }
  mkdirSync(cacheDir, { recursive: true });
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await transpile(await import("esbuild"), root, files, texts, staging);
    // Node reads a .js file below node_modules as CommonJS unless its own package.json says otherwise.
    writeFileSync(join(staging, "package.json"), '{ "type": "module" }\n');
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run transpiled the same sources at the same time: its tree is as good as this one.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  pruneCache(cacheDir);
  return { dir, built: true };
}

// The .ts files `npm run build` compiles: each "include" entry of tsconfig.build.json names a folder (all of it) or
// `folder/*.ext` (its own files), minus the "exclude" folders.
function listSources(root) {
  const config = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8"));
  const excluded = (config.exclude ?? []).map((path) => join(root, path));
  const files = new Set();
  const walk = (folder, deep) => {
    if (excluded.some((path) => folder === path || folder.startsWith(`${path}${sep}`))) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory() && deep) walk(path, true);
      else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.add(path);
    }
  };
  for (const include of config.include ?? []) {
    const own = /\/\*\.\w+$/.exec(include);
    walk(join(root, own ? include.slice(0, own.index) : include), !own);
  }
  return [...files].sort();
}

async function transpile(esbuild, root, files, texts, outdir) {
  const tsconfigRaw = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8"));
  await esbuild.build({
    entryPoints: files,
    outbase: root,
    outdir,
    // Bundling only to reach the plugin below; every import stays external, so each file becomes one module.
    bundle: true,
    packages: "external",
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    plugins: [
      {
        name: "one-module-per-source",
        setup(build) {
          // An import of another source stays an import, of its transpiled twin.
          build.onResolve({ filter: /^\.\.?\// }, (args) =>
            args.kind === "entry-point" ? undefined : { path: args.path.replace(/\.ts$/, ".js"), external: true },
          );
          // `import.meta.url` is the source's URL, so paths resolved against it are the ones tsx would resolve.
          build.onLoad({ filter: /\.ts$/ }, async (args) => {
            const { code } = await esbuild.transform(texts.get(args.path) ?? readFileSync(args.path, "utf8"), {
              loader: "ts",
              format: "esm",
              target: "node20",
              sourcefile: args.path,
              tsconfigRaw,
              define: { "import.meta.url": JSON.stringify(pathToFileURL(args.path).href) },
            });
            return { contents: code, loader: "js" };
          });
        },
      },
    ],
  });
}

function pruneCache(cacheDir) {
  const builds = readdirSync(cacheDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^[0-9a-f]{20}$/.test(entry.name))
    .map((entry) => ({ path: join(cacheDir, entry.name), used: statSync(join(cacheDir, entry.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of builds.slice(KEPT_BUILDS)) rmSync(old.path, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const cacheDir = join(root, "node_modules", ".cache", "cmdb-contract");
  let dir;
  try {
    ({ dir } = await ensureTranspiled(root, cacheDir));
  } catch (error) {
    process.stderr.write(
      `cmdb-contract: cannot transpile the sources to run them (${error instanceof Error ? error.message : error}); ` +
        "`npm ci` installs esbuild, or run `node --import tsx cli/bin.ts`\n",
    );
    process.exit(2);
  }
  // spec/shared-spec.ts remembers there which spec texts swagger-parser found valid (CACHE_DIR).
  globalThis[Symbol.for("cmdb-contract.cacheDir")] = cacheDir;
  await import(pathToFileURL(join(dir, "cli", "bin.js")).href);
}
