/**
 * CLI entry of the circuit relay.
 *
 *   npm run relay        (wired as: tsx relay/main.ts)
 *   npx tsx relay/main.ts
 *
 * Environment: RELAY_PORT (WebSockets, default 9090), RELAY_HTTP_PORT (address
 * endpoint, default 9091), RELAY_HOST (default 0.0.0.0), RELAY_DATA_DIR (default
 * relay/data, holds the persisted key), RELAY_ANNOUNCE (extra addresses to advertise, comma-separated, e.g.
 * /dns4/relay.example/tcp/443/wss), RELAY_MAX_RESERVATIONS_PER_IP (64), RELAY_MAX_CONNECTIONS_PER_IP_PER_MIN
 * (300), RELAY_MAX_RELAYED_PER_PAIR_PER_MIN (10). Stops cleanly on SIGINT and SIGTERM.
 */
import '../src/net/polyfill.js';
import { DEFAULT_RELAY_HTTP_PORT, DEFAULT_RELAY_PORT, startRelay } from './relay.js';

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw == null || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name}=${raw} is not a port number (0-65535)`);
    process.exit(2);
  }
  return port;
}

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw == null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name}=${raw} is not a positive whole number`);
    process.exit(2);
  }
  return n;
}

const relay = await startRelay({
  port: envPort('RELAY_PORT', DEFAULT_RELAY_PORT),
  httpPort: envPort('RELAY_HTTP_PORT', DEFAULT_RELAY_HTTP_PORT),
  host: process.env.RELAY_HOST ?? '0.0.0.0',
  ...(process.env.RELAY_DATA_DIR != null ? { dataDir: process.env.RELAY_DATA_DIR } : {}),
  announce: (process.env.RELAY_ANNOUNCE ?? '').split(',').map((a) => a.trim()).filter(Boolean),
  limits: {
    reservationsPerIp: envCount('RELAY_MAX_RESERVATIONS_PER_IP', 64),
    connectionsPerIpPerMinute: envCount('RELAY_MAX_CONNECTIONS_PER_IP_PER_MIN', 300),
    relayedPerPairPerMinute: envCount('RELAY_MAX_RELAYED_PER_PAIR_PER_MIN', 10),
  },
}).catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? `relay: port already in use (${String(err)}); is another relay running?` : err);
  process.exit(1);
});

console.log(`relay: PeerID ${relay.peerId}`);
for (const addr of relay.multiaddrs()) console.log(`relay: listening on ${addr}`);
if (relay.httpPort != null) console.log(`relay: addresses served at http://localhost:${relay.httpPort}/multiaddrs`);

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`relay: ${signal}, stopping`);
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  relay.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('relay: error while stopping', err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
