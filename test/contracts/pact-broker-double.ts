/**
 * A TEST DOUBLE of a remote service: a Pact Broker. It speaks the part of the broker's HAL API that Pact's official
 * tools use (the index, provider pacts for verification, a pact, verification results, contract publication, the
 * can-i-deploy matrix), built from the broker's documented resource shapes, on loopback. It keeps what the tools
 * sent so tests can check it. It is not a broker: no versions graph, no webhooks, no persistence.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the double received. */
export interface BrokerRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A pact the double serves for verification. */
export interface StoredPact {
  consumer: string;
  provider: string;
  consumerVersion: string;
  content: Record<string, unknown>;
  /** Reported as `verificationProperties.pending` when the verifier asks for the pending status. */
  pending?: boolean;
}

/** A running broker double: its URL, what it received and what it stores. */
export interface BrokerDouble {
  url: string;
  requests: BrokerRequest[];
  pacts: StoredPact[];
  /** Bodies POSTed to a pact's verification-results resource, with the pact they were for. */
  verificationResults: { pact: StoredPact; body: Record<string, unknown> }[];
  /** Provider versions put on a branch (`pb:branch-version`), as the verifier does before publishing results. */
  branchVersions: { pacticipant: string; branch: string; version: string }[];
  /** Bodies POSTed to `/contracts/publish`. */
  published: Record<string, unknown>[];
  /** The verdict the matrix resource (can-i-deploy) answers. */
  deployable: boolean;
  close(): Promise<void>;
}

/**
 * Starts the broker double on a free loopback port. With `auth`, every request must carry it as its
 * `Authorization` header (for example `Bearer t0k3n` or `Basic …`), else it answers 401.
 */
export async function startBrokerDouble(options: { auth?: string; pacts?: StoredPact[] } = {}): Promise<BrokerDouble> {
  const state: Omit<BrokerDouble, "url" | "close"> = {
    requests: [],
    pacts: [...(options.pacts ?? [])],
    verificationResults: [],
    branchVersions: [],
    published: [],
    deployable: true,
  };
  let base = "";
  const server: Server = createServer((req, res) => {
    readBody(req).then((text) => {
      let body: unknown = text;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        // Kept as text.
      }
      const url = new URL(req.url ?? "/", base);
      const authorization = req.headers.authorization;
      state.requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, authorization, body });
      if (options.auth !== undefined && authorization !== options.auth)
        return send(res, 401, { error: "unauthorized" });
      route(req.method ?? "GET", url, body, res);
    });
  });

  const pactUrl = (p: StoredPact): string =>
    `${base}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/version/${enc(p.consumerVersion)}`;

  function route(method: string, url: URL, body: unknown, res: ServerResponse) {
    const path = url.pathname;
    if (method === "GET" && path === "/") {
      return send(res, 200, {
        _links: {
          self: { href: base },
          "pb:provider-pacts-for-verification": {
            href: `${base}/pacts/provider/{provider}/for-verification`,
            templated: true,
          },
          "pb:publish-contracts": { href: `${base}/contracts/publish` },
          "pb:latest-provider-pacts": { href: `${base}/pacts/provider/{provider}/latest`, templated: true },
        },
      });
    }
    let m = /^\/pacts\/provider\/([^/]+)\/for-verification$/.exec(path);
    if (m && method === "GET") {
      // The verifier navigates to the resource first, then POSTs its selectors to the resource's self link.
      return send(res, 200, { _links: { self: { href: `${base}${path}`, title: "Pacts to be verified" } } });
    }
    if (m && method === "POST") {
      const provider = decodeURIComponent(m[1] as string);
      const includePending = (body as { includePendingStatus?: boolean } | undefined)?.includePendingStatus === true;
      const pacts = state.pacts
        .filter((p) => p.provider === provider)
        .map((p) => ({
          shortDescription: `latest pact between ${p.consumer} and ${p.provider}`,
          verificationProperties: {
            ...(includePending ? { pending: p.pending === true } : {}),
            notices: [{ when: "before_verification", text: `The pact at ${pactUrl(p)} is being verified` }],
          },
          _links: { self: { href: pactUrl(p), name: `Pact between ${p.consumer} and ${p.provider}` } },
        }));
      return send(res, 200, { _embedded: { pacts }, _links: { self: { href: `${base}${path}` } } });
    }
    m = /^\/pacts\/provider\/([^/]+)\/consumer\/([^/]+)\/version\/([^/]+)$/.exec(path);
    const found = m && state.pacts.find((p) => pactUrl(p) === `${base}${path}`);
    if (m && method === "GET" && found) {
      return send(res, 200, {
        ...found.content,
        _links: {
          self: { href: pactUrl(found) },
          "pb:publish-verification-results": { href: `${pactUrl(found)}/verification-results` },
          "pb:provider": { href: `${base}/pacticipants/${enc(found.provider)}` },
          "pb:consumer": { href: `${base}/pacticipants/${enc(found.consumer)}` },
        },
      });
    }
    m = /^\/pacticipants\/([^/]+)$/.exec(path);
    if (m && method === "GET") {
      const name = decodeURIComponent(m[1] as string);
      return send(res, 200, {
        name,
        _links: {
          self: { href: `${base}${path}` },
          "pb:branch-version": { href: `${base}${path}/branches/{branch}/versions/{version}`, templated: true },
        },
      });
    }
    m = /^\/pacticipants\/([^/]+)\/branches\/([^/]+)\/versions\/([^/]+)$/.exec(path);
    if (m && method === "PUT") {
      const [pacticipant, branch, version] = m.slice(1).map((x) => decodeURIComponent(x));
      state.branchVersions.push({ pacticipant: pacticipant ?? "", branch: branch ?? "", version: version ?? "" });
      return send(res, 200, { number: version, _links: { self: { href: `${base}${path}` } } });
    }
    m = /^(.*)\/verification-results$/.exec(path);
    const verified = m && state.pacts.find((p) => pactUrl(p) === `${base}${m?.[1]}`);
    if (m && method === "POST" && verified) {
      state.verificationResults.push({ pact: verified, body: body as Record<string, unknown> });
      return send(res, 201, { ...(body as object), _links: { self: { href: `${base}${path}/1` } } });
    }
    if (method === "POST" && path === "/contracts/publish") {
      const request = body as {
        pacticipantName: string;
        pacticipantVersionNumber: string;
        contracts?: { consumerName: string; providerName: string; content: string }[];
      };
      state.published.push(request as unknown as Record<string, unknown>);
      for (const c of request.contracts ?? []) {
        state.pacts.push({
          consumer: c.consumerName,
          provider: c.providerName,
          consumerVersion: request.pacticipantVersionNumber,
          content: JSON.parse(Buffer.from(c.content, "base64").toString("utf8")) as Record<string, unknown>,
        });
      }
      const pacticipant = `${base}/pacticipants/${enc(request.pacticipantName)}`;
      const version = `${pacticipant}/versions/${enc(request.pacticipantVersionNumber)}`;
      return send(res, 200, {
        notices: [{ type: "success", text: `Published ${request.contracts?.length ?? 0} pact(s)` }],
        _embedded: {
          pacticipant: { name: request.pacticipantName, _links: { self: { href: pacticipant } } },
          version: { number: request.pacticipantVersionNumber, _links: { self: { href: version } } },
        },
        _links: {
          "pb:pacticipant": { href: pacticipant, title: "Pacticipant", name: request.pacticipantName },
          "pb:pacticipant-version": { href: version, title: "Pacticipant version" },
          "pb:contracts": (request.contracts ?? []).map((c) => ({
            href: `${base}/pacts/provider/${enc(c.providerName)}/consumer/${enc(c.consumerName)}/version/${enc(request.pacticipantVersionNumber)}`,
            title: "Pact",
          })),
        },
      });
    }
    if (method === "GET" && path === "/matrix") {
      return send(res, 200, {
        summary: {
          deployable: state.deployable,
          reason: state.deployable ? "All required verification results are published and successful" : "failed",
          success: state.deployable ? 1 : 0,
          failed: state.deployable ? 0 : 1,
          unknown: 0,
        },
        notices: [],
        matrix: [],
      });
    }
    return send(res, 404, { error: `the broker double does not serve ${method} ${path}` });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const double: BrokerDouble = {
    ...state,
    url: base,
    get deployable() {
      return state.deployable;
    },
    set deployable(value: boolean) {
      state.deployable = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return double;
}

function enc(text: string): string {
  return encodeURIComponent(text);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/hal+json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
