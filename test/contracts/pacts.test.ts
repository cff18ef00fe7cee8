import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CANARY_SECRET } from "../../contracts/shared/canary.ts";
import {
  BREAKS_COMMENT,
  checkInteractionAgainstSpec,
  normalizePactText,
  PACTS_DIR,
  type PactInteraction,
} from "../../contracts/shared/pact-format.ts";
import {
  checkPactsAgainstSpec,
  loadPacts,
  type PactFile,
  PactLoadError,
  selectEsbPacts,
} from "../../contracts/verify/pacts.ts";
import { loadSpec, type OpenApiDocument } from "../../spec/load-spec.ts";
import { createSchemaValidator, loadWorldSchema, type SchemaValidator } from "../../spec/schema-validator.ts";

let document: OpenApiDocument;
let validator: SchemaValidator;
let pacts: PactFile[];

beforeAll(async () => {
  document = (await loadSpec()).document;
  validator = createSchemaValidator(document, await loadWorldSchema());
  pacts = await loadPacts();
});

function interaction(description: string, provider = "bk-cmdb"): PactInteraction {
  const found = pacts
    .filter((p) => p.provider === provider)
    .flatMap((p) => p.interactions)
    .find((i) => i.description === description);
  if (!found) throw new Error(`no interaction "${description}" in the committed ${provider} pact`);
  return structuredClone(found);
}

describe("loadPacts", () => {
  it("loads the committed pacts of both routes with every interaction the issue lists", () => {
    expect(pacts.map((p) => `${p.consumer}→${p.provider}`)).toEqual([
      "cmdb-contract-consumer→bk-cmdb-apigw",
      "cmdb-contract-consumer→bk-cmdb",
    ]);
    for (const pact of pacts) {
      expect(pact.interactions.length, pact.provider).toBeGreaterThanOrEqual(15);
      for (const i of pact.interactions) {
        // Every provider state carries its world, so any provider with the one state-setup endpoint can verify it.
        expect(i.providerStates?.[0]?.params?.world, i.description).toBeTypeOf("object");
      }
    }
    // The same interactions, the same states: a provider verifies the same rules through either door.
    const names = (pact: PactFile | undefined) =>
      (pact?.interactions ?? []).map((i) => `${i.description} / ${i.providerStates?.[0]?.name}`);
    expect(names(pacts[0])).toEqual(names(pacts[1]));
  });

  it("keeps the gateway pact to the gateway route: stage-relative paths, auth in the header only, native envelope", () => {
    const gateway = pacts.find((p) => p.provider === "bk-cmdb-apigw");
    for (const i of gateway?.interactions ?? []) {
      const request = i.request as PactInteraction["request"] & { headers?: Record<string, string[]> };
      expect(request.path, i.description).toMatch(/^\/api\/v3\//);
      expect(JSON.stringify(request.body?.content ?? {}), i.description).not.toContain("bk_app_secret");
      // Pact records the header's JSON in its comma-separated parts; joined, they are the world's auth.
      const header = JSON.parse((request.headers?.["X-Bkapi-Authorization"] ?? []).join(","));
      expect(header, i.description).toMatchObject({ bk_app_code: "cmdb-contract", bk_username: "admin" });
      const body = i.response.body?.content as Record<string, unknown>;
      if (i.response.status === 200) expect(Object.keys(body), i.description).toContain("bk_error_code");
      else expect(body, i.description).toMatchObject({ code_name: "INVALID_ARGS", code: 1640001 });
    }
    expect(interaction("a request for process template 7", "bk-cmdb-apigw").request.path).toBe(
      "/api/v3/find/proc/proc_template/id/7",
    );
    expect(interaction("a request to delete service instance 100", "bk-cmdb-apigw").request.method).toBe("DELETE");
  });

  it("reports an unreadable pact as a PactLoadError naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pacts-"));
    await writeFile(join(dir, "broken.json"), "{ not json");
    await expect(loadPacts(dir)).rejects.toThrow(PactLoadError);
    await expect(loadPacts(dir)).rejects.toThrow(/broken\.json/);
  });
});

describe("committed pact files", () => {
  it("never carry the canary secret", async () => {
    for (const name of await readdir(PACTS_DIR)) {
      expect(await readFile(join(PACTS_DIR, name), "utf8")).not.toContain(CANARY_SECRET);
    }
  });

  it("are in canonical form (sorted, final newline), so regenerating them changes no byte", async () => {
    for (const name of (await readdir(PACTS_DIR)).filter((n) => n.endsWith(".json"))) {
      const text = await readFile(join(PACTS_DIR, name), "utf8");
      expect(normalizePactText(text)).toBe(text);
    }
  });
});

describe("checkPactsAgainstSpec", () => {
  it("accepts every committed interaction of both routes, request and response", () => {
    expect(pacts).toHaveLength(2);
    const failures = checkPactsAgainstSpec(pacts, document, validator).flatMap((c) => c.failures);
    expect(failures).toEqual([]);
  });

  it("holds a gateway interaction to the native envelope and the gateway's error schema", () => {
    const wrong = interaction("a request for process template 7", "bk-cmdb-apigw");
    (wrong.response.body as { content: Record<string, unknown> }).content.bk_error_code = "0";
    expect(checkInteractionAgainstSpec(wrong, document, validator).map((f) => f.pointer)).toContain(
      "response body /bk_error_code",
    );
    const gatewayError = interaction("a request with a wrong app secret", "bk-cmdb-apigw");
    (gatewayError.response.body as { content: Record<string, unknown> }).content.code = 1640401;
    expect(checkInteractionAgainstSpec(gatewayError, document, validator).map((f) => f.expected)).toContainEqual(
      expect.stringContaining("cmdb.openapi.yaml#/components/responses/GatewayInvalidArgs"),
    );
  });
});

describe("selectEsbPacts", () => {
  it("leaves the gateway route's pact out of an ESB verification", () => {
    expect(selectEsbPacts(pacts).map((p) => p.provider)).toEqual(["bk-cmdb"]);
  });
});

describe("checkInteractionAgainstSpec", () => {
  it("rejects a response that drifted from the spec with a pointer into the spec", () => {
    const wrong = interaction("a request to create one service instance on a module without a template");
    (wrong.response.body as { content: Record<string, unknown> }).content.code = "0";
    const failures = checkInteractionAgainstSpec(wrong, document, validator);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.some((f) => f.pointer === "response body /code")).toBe(true);
    expect(failures.every((f) => f.expected.startsWith("cmdb.openapi.yaml#/"))).toBe(true);
    expect(failures.map((f) => f.expected)).toContain(
      "cmdb.openapi.yaml#/components/schemas/Envelope/properties/code/type",
    );
  });

  it("rejects a response status the spec does not list, naming the statuses it does (a broker pact may carry one)", () => {
    const wrong = interaction("a request to create one service instance on a module without a template");
    wrong.response.status = 500;
    const failures = checkInteractionAgainstSpec(wrong, document, validator);
    expect(failures).toEqual([
      expect.objectContaining({
        pointer: "response status",
        actual: "HTTP 500",
        expected: expect.stringContaining("(200)"),
      }),
    ]);
  });

  it("rejects a request that breaks the spec without declaring it", () => {
    const wrong = interaction("a request to create one service instance on a module without a template");
    (wrong.request.body as { content: Record<string, unknown> }).content.bk_biz_id = "2";
    const failures = checkInteractionAgainstSpec(wrong, document, validator);
    expect(failures.map((f) => [f.pointer, f.expected])).toContainEqual([
      "request body /bk_biz_id",
      "cmdb.openapi.yaml#/components/schemas/CreateServiceInstanceParams/properties/bk_biz_id/type",
    ]);
  });

  it("accepts exactly the declared violation, and no other one beside it", () => {
    const declared = interaction("a request to create 101 service instances");
    expect(declared.comments?.[BREAKS_COMMENT]).toBe("/instances maxItems");
    expect(checkInteractionAgainstSpec(declared, document, validator)).toEqual([]);
    (declared.request.body as { content: Record<string, unknown> }).content.bk_module_id = "61";
    const failures = checkInteractionAgainstSpec(declared, document, validator);
    expect(failures.map((f) => f.pointer)).toEqual(["request body /bk_module_id"]);
  });

  it("rejects a declaration the body does not actually break", () => {
    const declared = interaction("a request to create 101 service instances");
    const body = declared.request.body as { content: { instances: unknown[] } };
    body.content.instances = body.content.instances.slice(0, 3);
    const failures = checkInteractionAgainstSpec(declared, document, validator);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.expected).toContain("/instances maxItems");
  });
});

describe("normalizePactText", () => {
  it("sorts interactions and keys whatever order they were written in", () => {
    const a = JSON.stringify({ z: 1, interactions: [{ description: "b" }, { description: "a" }], a: 2 });
    const b = JSON.stringify({ a: 2, interactions: [{ description: "a" }, { description: "b" }], z: 1 });
    expect(normalizePactText(a)).toBe(normalizePactText(b));
    expect(normalizePactText(a).endsWith("}\n")).toBe(true);
  });
});
