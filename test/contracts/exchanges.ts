import type { HttpExchange } from "../../contracts/verify/http.ts";

/** An HTTP answer with a JSON body, as the verifier's HTTP layer hands it to the envelope checks. */
export function jsonExchange(json: unknown, status = 200, headers: Record<string, string> = {}): HttpExchange {
  return {
    ok: true,
    url: "http://127.0.0.1/x",
    requestBody: {},
    status,
    contentType: "application/json",
    headers: { "content-type": "application/json", ...headers },
    text: JSON.stringify(json),
    json,
    isJson: true,
  };
}
