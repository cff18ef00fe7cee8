import createClient from "openapi-fetch";
import { describe, expectTypeOf, it } from "vitest";
import {
  type CmdbApiError,
  type CmdbClient,
  type CmdbErrorCode,
  CmdbGatewayError,
  type CmdbRateLimit,
  type CmdbRoute,
  type CreateServiceInstanceParams,
  createCmdbClient,
  isCmdbError,
  type paths,
} from "../../generated/index.ts";

// These cases are checked by `tsc` (npm run typecheck): a `@ts-expect-error` that stops erroring fails the build.
// At run time they only construct values; nothing is sent.
const client: CmdbClient = createCmdbClient({
  baseUrl: "http://127.0.0.1:1",
  auth: { bk_app_code: "demo", bk_app_secret: "s" },
});

describe("generated client types", () => {
  it("resolves a create to number[] and takes the interface parameters without auth", () => {
    expectTypeOf(client.createServiceInstance).returns.resolves.toEqualTypeOf<number[]>();
    expectTypeOf(client.createServiceInstance).parameter(0).toEqualTypeOf<CreateServiceInstanceParams>();
    expectTypeOf<CreateServiceInstanceParams>().toHaveProperty("bk_biz_id").toEqualTypeOf<number>();
    expectTypeOf<CreateServiceInstanceParams>().not.toHaveProperty("bk_app_secret");
  });

  it("rejects a body missing bk_biz_id or with instances of the wrong type", () => {
    const call = () => {
      // @ts-expect-error bk_biz_id is required
      void client.createServiceInstance({ bk_module_id: 61, instances: [{ bk_host_id: 10 }] });
      // @ts-expect-error instances is an array of { bk_host_id, … }
      void client.createServiceInstance({ bk_biz_id: 2, bk_module_id: 61, instances: "10" });
      // @ts-expect-error bk_host_id is a number
      void client.createServiceInstance({ bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: "10" }] });
    };
    expectTypeOf(call).toBeFunction();
  });

  it("types the other methods' data from the spec", () => {
    expectTypeOf(client.deleteServiceInstance).returns.resolves.toEqualTypeOf<null>();
    expectTypeOf(client.getProcTemplate).returns.resolves.toHaveProperty("property");
    expectTypeOf(client.listProcessInstance).returns.resolves.items.toHaveProperty("relation");
  });

  it("takes route esb or apigw and a stage (or null), with the same methods on both routes", () => {
    const auth = { bk_app_code: "demo", bk_app_secret: "s" };
    const gateway = createCmdbClient({ baseUrl: "http://127.0.0.1:1", auth, route: "apigw", stage: null });
    expectTypeOf(gateway).toEqualTypeOf<CmdbClient>();
    expectTypeOf<CmdbRoute>().toEqualTypeOf<"esb" | "apigw">();
    // @ts-expect-error the routes are esb and apigw
    void createCmdbClient({ baseUrl: "http://127.0.0.1:1", auth, route: "gateway" });
    const error: unknown = undefined;
    if (error instanceof CmdbGatewayError) {
      expectTypeOf(error.codeName).toEqualTypeOf<string>();
      expectTypeOf(error.rateLimit).toEqualTypeOf<CmdbRateLimit | null>();
    }
  });

  it("types error codes as the spec's union, and isCmdbError narrows", () => {
    expectTypeOf<1113016>().toExtend<CmdbErrorCode>();
    expectTypeOf<0>().not.toExtend<CmdbErrorCode>();
    const error: unknown = undefined;
    if (isCmdbError(error, 1113016)) expectTypeOf(error.code).toEqualTypeOf<1113016>();
    if (isCmdbError(error)) expectTypeOf(error).toEqualTypeOf<CmdbApiError>();
    // @ts-expect-error 42 is not an error code of the spec
    void isCmdbError(error, 42);
  });

  it("keeps types.gen.ts usable with openapi-fetch's createClient<paths>()", () => {
    const fetchClient = createClient<paths>({ baseUrl: "http://127.0.0.1:1" });
    const request = () =>
      fetchClient.POST("/api/c/compapi/v2/cc/create_service_instance/", {
        body: {
          bk_app_code: "demo",
          bk_app_secret: "s",
          bk_biz_id: 2,
          bk_module_id: 61,
          instances: [{ bk_host_id: 10 }],
        },
      });
    expectTypeOf(request).returns.resolves.toHaveProperty("data");
    const wrong = () =>
      fetchClient.POST("/api/c/compapi/v2/cc/create_service_instance/", {
        // @ts-expect-error the body needs the common args and bk_biz_id
        body: { bk_module_id: 61, instances: [] },
      });
    expectTypeOf(wrong).toBeFunction();
  });
});
