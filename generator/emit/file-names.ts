/** The path of the types file inside the output folder. */
export const TYPES_FILE = "types.gen.ts";

/** The path of the client file inside the output folder (kept apart from client.ts, which loads ts-morph). */
export const CLIENT_FILE = "client.gen.ts";
