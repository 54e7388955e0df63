/**
 * A Node peer that writes as fast as it can: the "flood" of the hostile-peer tests. Run with tsx; it prints
 * JSON lines on stdout ({ address }, then { created, elapsedMs } every second, then { done, created }),
 * starts flooding when it reads "go <seconds>" on stdin, and exits on "stop" or when stdin closes.
 */
import { createInterface } from 'node:readline';
import { MemoryStore, createMemoryData, nodeNetwork, openNode } from '../../src/api/node.js';

const SDL = 'type User { name: String age: Int verified: Boolean points: Float }';
/** Creates kept in flight at once (a writer that does not wait for each one). */
const IN_FLIGHT = Number(process.env.FLOOD_IN_FLIGHT ?? 16);

const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

const client = await openNode({
  name: `flood-${process.pid}`,
  store: new MemoryStore(createMemoryData()),
  network: nodeNetwork({ transports: ['ws'], listen: ['/ip4/127.0.0.1/tcp/0/ws'] }),
  lockInit: { fallback: true, probeMs: 5 },
});
await client.addSchema(SDL);
await client.subscribe('User');
say({ address: client.info().addresses.find((a) => a.includes('/ws/')), peerId: client.info().peerId });

async function flood(seconds: number): Promise<void> {
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  let created = 0;
  let next = 0;
  const tick = setInterval(() => say({ created, elapsedMs: Date.now() - t0 }), 1000);
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      const i = next++;
      await client.create('User', { name: `flood ${i}`, age: i % 100, verified: i % 2 === 0, points: i / 7 });
      created++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  clearInterval(tick);
  say({ done: true, created, elapsedMs: Date.now() - t0 });
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'go') void flood(Number(arg ?? 30));
  if (cmd === 'stop') void client.close().then(() => process.exit(0));
});
lines.on('close', () => void client.close().then(() => process.exit(0)));
