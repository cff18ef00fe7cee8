import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec, type OpenApiDocument } from "../../spec/load-spec.ts";

/** Debian's chromium package; `.ci/run` installs it when it is missing. */
const CHROMIUM = "/usr/bin/chromium";
const INDEX = fileURLToPath(new URL("../../generated/docs/index.html", import.meta.url));
const OUTPUT = fileURLToPath(new URL("../../test-output/docs/", import.meta.url));
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let userDataDir: string;
let context: BrowserContext;
let document: OpenApiDocument;

/**
 * Opens a file:// page with every request routed: the page's own file continues, anything else is aborted and
 * recorded, so a reference that tried to load a font, script or image from anywhere fails the test.
 */
async function openRecorded(url: string): Promise<{ page: Page; requests: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.route("**/*", (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url, { waitUntil: "load" });
  return { page, requests };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does`,
    );
  }
  if (!existsSync(INDEX)) throw new Error(`${INDEX} is missing: run \`npm run generate\``);
  document = (await loadSpec()).document;
  userDataDir = await mkdtemp(join(tmpdir(), "cmdb-docs-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
    offline: true,
  });
  await mkdir(OUTPUT, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe("generated/docs/index.html in headless Chromium", () => {
  it("shows the four operations on both routes, the error-code tables and the lock rules, and requests nothing else", async () => {
    const url = pathToFileURL(INDEX).href;
    const { page, requests } = await openRecorded(url);

    const operations = Object.keys(document.paths)
      .filter((path) => path.startsWith("/api/c/compapi/"))
      .map((path) => path.split("/").filter(Boolean).at(-1) as string);
    expect(operations).toHaveLength(4);
    for (const api of operations) {
      const heading = page.locator(`#op-${api} h2`);
      expect(await heading.isVisible(), `${api} heading`).toBe(true);
      expect(await heading.textContent()).toContain(api);
      expect(await page.locator(`#op-${api} table`).first().isVisible(), `${api} parameter table`).toBe(true);
    }

    // Both routes of every operation, side by side, and its gateway request and answer below.
    for (const api of operations) {
      const routes = page.locator(`#op-${api} table.routes`);
      expect(await routes.isVisible(), `${api} routes`).toBe(true);
      const text = (await routes.textContent()) ?? "";
      expect(text, api).toContain(`/api/c/compapi/v2/cc/${api}/`);
      expect(text, api).toMatch(/\{gateway\}\/api\/bk-cmdb\/\{stage\}\/api\/v3\//);
      expect(text, api).toContain("X-Bkapi-Authorization");
      expect(text, api).toContain("NativeEnvelope");
      expect(await page.locator(`#apigw-${api}`).isVisible(), `${api} gateway section`).toBe(true);
    }
    const gatewayErrors = page.locator("#gateway-errors table.gateway-errors tbody tr");
    expect(await gatewayErrors.count()).toBe(document["x-cmdb-gateway-error-codes"]?.length);
    expect(await page.locator("#gateway-code-1642902").textContent()).toContain("RATE_LIMIT_RESTRICTION");

    const codes = page.locator("#error-codes table.error-codes tbody tr");
    expect(await page.locator("#error-codes table.error-codes").isVisible()).toBe(true);
    expect(await codes.count()).toBe(document["x-cmdb-error-codes"].length);
    expect(await page.locator("#code-1113016").textContent()).toContain("CCErrCoreServiceInstanceAlreadyExist");

    const lock = page.locator("#template-lock");
    expect(await lock.isVisible()).toBe(true);
    expect(await lock.locator("table.worked").isVisible()).toBe(true);
    const lockText = (await lock.textContent()) ?? "";
    for (const field of document["x-cmdb-template-lock"].always_locked) expect(lockText).toContain(field);
    expect(lockText).toContain("template_row_id");

    expect(requests).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, "index.png") });
    await lock.screenshot({ path: join(OUTPUT, "template-lock.png") });
    await page.locator("#error-codes").screenshot({ path: join(OUTPUT, "error-codes.png") });
    await page.locator("#op-create_service_instance table.routes").screenshot({ path: join(OUTPUT, "routes.png") });
    await page.close();
  });

  it("would notice a page that requests something from elsewhere", async () => {
    // Proves the request check above can fail: the same recorder sees an image a page tries to load.
    const probe = join(userDataDir, "probe.html");
    await writeFile(probe, `<!doctype html><img src="http://127.0.0.1:9/logo.png">`);
    const { page, requests } = await openRecorded(pathToFileURL(probe).href);
    expect(requests).toEqual(["http://127.0.0.1:9/logo.png"]);
    await page.close();
  });
});
