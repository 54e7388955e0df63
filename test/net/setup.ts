/** Shared set-up of the network tests: Node 20 polyfills, and starting a relay in a temp folder. */
import '../../src/net/polyfill.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelay, type Relay } from '../../relay/relay.js';
import { installNodeWebSocket } from '../../src/net/node-websocket.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import { afterEach } from 'vitest';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { NetNode } from '../../src/net/services.js';

installNodeWebSocket();

/** A fresh temporary folder for a relay's key; remove it with `removeDir`. */
export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'p2p-relay-test-'));
}

/** Deletes a folder made by `tempDir`. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Starts a relay on loopback with free ports and the key kept in `dataDir`. */
export async function startTestRelay(dataDir: string, port = 0): Promise<Relay> {
  return startRelay({ port, host: '127.0.0.1', httpPort: 0, dataDir });
}

/** Resolves when `predicate` holds, checking after each of `events` on `target` (and once now). */
export async function until(
  target: EventTarget,
  events: string[],
  predicate: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  if (predicate()) return;
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (!predicate()) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      for (const e of events) target.removeEventListener(e, check);
    };
    for (const e of events) target.addEventListener(e, check);
  });
}

/** The node's plain TCP listen address (no WebSockets, no circuit). */
export function tcpAddr(node: NetNode): Multiaddr {
  const found = node.getMultiaddrs().find((ma) => {
    const names = ma.getComponents().map((c) => c.name);
    return names.includes('tcp') && !names.includes('ws') && !names.includes('p2p-circuit');
  });
  if (found == null) throw new Error('node has no TCP address');
  return found;
}

/**
 * Work to undo after each test of a file, last first: call `cleanupAfterEach()` once at the top of the file,
 * then push onto the list it returns.
 */
export function cleanupAfterEach(): Array<() => Promise<void>> {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined); });
  return cleanup;
}

/** A libp2p node on TCP loopback, stopped after the test (through `cleanup`). */
export async function tcpNode(cleanup: Array<() => Promise<void>>): Promise<NetNode> {
  const n = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
  cleanup.push(async () => { await n.stop(); });
  return n;
}
