// Stand-ins for the spec-dependent names the client runtime (client-runtime.ts) refers to. In the generated client
// the emitter declares the real ones from the spec (the `CommonArgs` schema, the operation IDs, `x-cmdb-error-codes`,
// the envelope's `permission`); here they are as wide as any spec allows, so the runtime type-checks, and is tested,
// on its own. The emitter drops the runtime's import of this file when it copies the runtime in.

/** The ESB common args merged into every request body (the spec's `CommonArgs`). */
export type CmdbAuth = { bk_app_code: string; bk_app_secret: string; bk_username?: string; bk_token?: string };

/** The name of a client method (in the generated client, the union of the spec's operation IDs). */
export type CmdbOperation = string;

/** An error code (in the generated client, the union of the codes of `x-cmdb-error-codes`). */
export type CmdbErrorCode = number;

/** The envelope's `permission`: what to apply for on a 9900403 denial, null otherwise. */
export type CmdbPermission = Record<string, unknown> | null;
