import { describe, expect, it } from "vitest";
import { emitTypes } from "../../generator/emit/types.ts";
import { startSpecWorker } from "../../generator/workers.ts";
import { loadSpec } from "../../spec/load-spec.ts";

const { document } = await loadSpec();

describe("startSpecWorker", () => {
  it("renders the same types file in the worker thread as in this one", async () => {
    const worker = startSpecWorker();
    const inWorker = await emitTypes(document, { render: worker.renderTypes });
    expect(inWorker).toEqual(await emitTypes(document));
  });

  it("reuses one worker thread per process", () => {
    expect(startSpecWorker()).toBe(startSpecWorker());
  });

  it.each([
    [
      "a document that breaks the OpenAPI schema, with swagger-parser's details",
      { ...document, info: { version: "1.0.0" } },
      { details: [expect.objectContaining({ instancePath: "/info", params: { missingProperty: "title" } })] },
    ],
    [
      "an unsupported OpenAPI version, with swagger-parser's message",
      { ...document, openapi: "9.9.9" },
      { message: expect.stringContaining("Unsupported OpenAPI version: 9.9.9") },
    ],
  ])("rejects %s", async (_name, given, want) => {
    const error = await startSpecWorker()
      .validateSchema(given)
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(error).toMatchObject(want);
  });

  it("accepts the spec", async () => {
    await expect(startSpecWorker().validateSchema(structuredClone(document))).resolves.toBeUndefined();
  });
});
