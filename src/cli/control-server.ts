/**
 * The control API of a headless node (what `p2pdb client …` talks to): JSON over HTTP on one address,
 * loopback by default. It answers only requests whose Host header names that address (or localhost on a
 * loopback address), so a web page cannot reach it by DNS rebinding; it refuses every request a browser made
 * for a page (one carrying `Origin` or a cross-site `Sec-Fetch-Site`) and every body that is not declared JSON,
 * so a page cannot send it a write blindly either (cross-site request forgery); and it sends no CORS headers,
 * so other origins cannot read its answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Client } from '../api/client.js';

/** Largest request body accepted. */
const MAX_BODY = 4 * 1024 * 1024;

/** An error with the HTTP status to answer. */
class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The Host header values this server answers on `host:port`. */
export function allowedHosts(host: string, port: number): Set<string> {
  const out = new Set([`${host}:${port}`]);
  if (LOOPBACK.has(host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) out.add(`${h}:${port}`);
  return out;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'the request body is not a JSON object');
  }
}

const text = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || !v.trim()) throw new HttpError(400, `${what} is missing`);
  return v;
};

/**
 * Why a request must be refused although its Host header is right, or undefined. `p2pdb client` (and curl)
 * send neither `Origin` nor `Sec-Fetch-Site`; a browser sends `Origin` with every cross-origin write and
 * `Sec-Fetch-Site` with everything. A body must say it is JSON: a page can send `text/plain` or a form without
 * asking first, but not `application/json`.
 */
export function browserRefusal(method: string, headers: IncomingMessage['headers']): string | undefined {
  if (headers.origin !== undefined) return `it came from a web page (Origin ${JSON.stringify(headers.origin)})`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'none') return `it came from a web page (Sec-Fetch-Site ${JSON.stringify(site)})`;
  if (method !== 'GET' && method !== 'HEAD') {
    const type = String(headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return `its body is not declared application/json (Content-Type ${JSON.stringify(headers['content-type'] ?? '')})`;
  }
  return undefined;
}

/** The routes: `METHOD path` → handler. */
function routes(client: Client, log: (line: string) => void): Record<string, (b: Record<string, unknown>) => Promise<unknown>> {
  return {
    'POST /api/v0/collections': async (b) => (await client.addSchema(text(b.sdl, 'the SDL'))).map(describe),
    'GET /api/v0/collections': async () => client.collections().map(describe),
    'GET /api/v0/p2p/info': async () => client.info().addresses,
    'POST /api/v0/p2p/connect': async (b) => {
      const address = text(b.address, 'the multiaddress');
      try {
        return (await client.connect(address)).address;
      } catch (err) {
        log(`could not connect to ${address}: ${(err as Error).message}`);
        throw err;
      }
    },
    'GET /api/v0/p2p/active-peers': async () => client.activePeers().map((p) => p.address),
    'POST /api/v0/p2p/collections': async (b) => (await client.subscribe(text(b.names, 'the collection names'))).map(describe),
    'DELETE /api/v0/p2p/collections': async (b) => (await client.unsubscribe(text(b.names, 'the collection names'))).map(describe),
    'GET /api/v0/p2p/collections': async () => client.subscriptions().map(describe),
    'POST /api/v0/graphql': async (b) => client.query(text(b.query, 'the GraphQL request'), (b.variables ?? {}) as Record<string, unknown>),
  };
}

function describe(c: { id: string; name: string; def: { fields: ReadonlyArray<{ name: string; kind: string; list: boolean; required: boolean }> } }) {
  return { name: c.name, id: c.id, fields: c.def.fields.map((f) => ({ name: f.name, kind: f.list ? `[${f.kind}]` : f.kind, ...(f.required ? { required: true } : {}) })) };
}

/** A running control API. */
export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the control API of `client` on host:port. */
export async function startControlServer(
  client: Client,
  host: string,
  port: number,
  log: (line: string) => void = () => undefined,
  logNet: (line: string) => void = log,
): Promise<ControlServer> {
  const table = routes(client, logNet);
  const hosts = allowedHosts(host, port);
  const send = (res: ServerResponse, status: number, value: unknown): void => {
    const json = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'cache-control': 'no-store' });
    res.end(json);
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const hostHeader = (req.headers.host ?? '').toLowerCase();
        if (!hosts.has(hostHeader)) {
          log(`refused a control request for Host ${JSON.stringify(req.headers.host ?? '')} (only ${[...hosts].join(', ')})`);
          throw new HttpError(403, `this node's control API answers only on ${[...hosts].join(', ')}`);
        }
        const refusal = browserRefusal(req.method ?? 'GET', req.headers);
        if (refusal) {
          log(`refused a control request ${req.method} ${req.url}: ${refusal}`);
          throw new HttpError(403, `this node's control API refused the request: ${refusal}`);
        }
        const path = (req.url ?? '/').split('?')[0]!;
        const handler = table[`${req.method} ${path}`];
        if (!handler) throw new HttpError(404, `no such endpoint: ${req.method} ${path}`);
        send(res, 200, await handler(await body(req)));
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 400;
        send(res, status, { error: (err as Error).message, ...(err instanceof Error && !(err instanceof HttpError) ? { name: err.name } : {}) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve());
  });
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
