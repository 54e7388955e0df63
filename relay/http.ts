/** The relay's small HTTP endpoint: `GET /multiaddrs` lists how to dial it, so browsers need no configuration. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the endpoint answers: the relay's PeerID and its dialable addresses, best first. */
export interface RelayInfo {
  peerId: string;
  multiaddrs: string[];
}

/** A running HTTP endpoint. */
export interface RelayHttpServer {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  /** Closes the server and any open keep-alive sockets. */
  close(): Promise<void>;
}

/** Starts the endpoint; `info` is computed per request (it may use the Host header). */
export async function startRelayHttp(
  port: number,
  host: string,
  info: (hostHeader: string | undefined) => RelayInfo,
): Promise<RelayHttpServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, OPTIONS');
    // Chrome's Private Network Access preflight: a LAN page may ask the relay on localhost.
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
    res.setHeader('Cache-Control', 'no-store');
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
    } else if (req.method === 'GET' && (path === '/multiaddrs' || path === '/')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(info(req.headers.host)));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try GET /multiaddrs\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
