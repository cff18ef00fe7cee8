// The worker thread of `cmdb-contract diff`: it reads both specs (a file, or git:REF:PATH through `git show`), parses
// them and validates them with swagger-parser on the other core, starting while the main thread is still loading
// the command. Plain CommonJS, so cli/bin.js can start it before tsx loads. A spec is parsed the quick way
// (spec/quick-yaml.cjs), else with `yaml`; a text that is not valid YAML comes back unparsed: the main thread's
// parser then reports it with lines and columns (spec/load-spec.ts).
const { execFile } = require("node:child_process");
const { readFile } = require("node:fs/promises");
const { parentPort } = require("node:worker_threads");
const { parseDocument } = require("yaml");
const { loadQuickly } = require("../spec/quick-yaml.cjs");
const SwaggerParser = require("@apidevtools/swagger-parser");

function readSource(source) {
  if (!source.startsWith("git:")) {
    return readFile(source, "utf8").catch((error) => {
      throw new Error(`cannot read the file (${error.message})`);
    });
  }
  const git = /^git:([^:]+):(.+)$/.exec(source);
  if (!git) return Promise.reject(new Error("write a git revision as git:REF:PATH"));
  const [, ref, path] = git;
  // A ref that starts with "-" would read as an option of git show.
  if (ref.startsWith("-")) return Promise.reject(new Error(`"${ref}" is not a git revision`));
  return new Promise((resolve, reject) => {
    execFile("git", ["show", `${ref}:${path}`], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const why = (stderr.trim().split("\n")[0] || "").replace(/^fatal: /, "") || error?.message;
      if (error) reject(new Error(`git show ${ref}:${path} failed: ${why}`));
      else resolve(stdout);
    });
  });
}

async function parse(source) {
  let text;
  try {
    text = await readSource(source);
  } catch (error) {
    return { unreadable: error.message };
  }
  const quick = loadQuickly(text, source)?.value;
  if (quick !== null && typeof quick === "object" && !Array.isArray(quick)) return { text, document: quick };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  let document;
  try {
    document = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  } catch {
    // An alias bomb: the main thread's parser says so, for this spec alone.
  }
  return document !== null && typeof document === "object" && !Array.isArray(document) ? { text, document } : { text };
}

async function validate(document) {
  try {
    await SwaggerParser.validate(document);
    return { valid: true };
  } catch (error) {
    const details = Array.isArray(error?.details) ? JSON.parse(JSON.stringify(error.details)) : undefined;
    return { valid: false, message: error instanceof Error ? error.message : String(error), details };
  }
}

// Every spec is parsed and sent first, so the main thread can compare them while this one validates; then each is
// validated, the second in about a third of the time of the first, with swagger-parser loaded and warm. A parsed
// document is copied when it is posted, so swagger-parser may then change this thread's copy as it validates.
// `first` is the index of this worker's first source among the command's (one worker per spec, one per core).
parentPort.on("message", async ({ sources, first = 0 }) => {
  const parsed = [];
  for (const [index, source] of sources.entries()) {
    parsed.push(await parse(source));
    parentPort.postMessage({ index: first + index, stage: "parsed", ...parsed[index] });
  }
  for (const [index, { document }] of parsed.entries()) {
    if (document) parentPort.postMessage({ index: first + index, stage: "validated", ...(await validate(document)) });
  }
});
