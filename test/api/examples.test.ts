/** The README's embedding example compiles (tsc checks this import) and runs: two nodes made by it sync. */
import { afterEach, expect, it, vi } from 'vitest';
import { MemoryStore, createMemoryData, nodeNetwork, type Client } from 'p2p-docdb/node';
import { todoDemo } from '../../examples/embed.js';
import { waitFor } from '../sync/harness.js';

const open: Client[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  vi.restoreAllMocks();
});

it('runs the README example on two Node peers, which then sync each other\'s tasks', async () => {
  const logged: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  const make = async (name: string) => {
    const c = await todoDemo({ name, store: new MemoryStore(createMemoryData()), network: nodeNetwork({ transports: ['tcp'] }), lockInit: { fallback: true, probeMs: 5 } });
    open.push(c);
    return c;
  };
  const a = await make('todo-a');
  const b = await make('todo-b');
  expect(logged).toContain('1 Write the docs');
  const tcp = a.info().addresses.find((x) => x.includes('/tcp/'))!;
  await b.connect(tcp);
  const extra = await a.create('Task', { title: 'Only on A first', done: false });
  await waitFor(async () => (await b.get('Task', extra.id)) !== undefined, 'B to receive A\'s task');
  await waitFor(() => b.syncStatus('Task').some((s) => s.peer === a.info().peerId && (s.state === 'in-sync' || s.state === 'caught-up')), 'B to report its sync state with A');
  expect((await b.list('Task')).total).toBe(2);
  expect(logged.some((l) => l.includes('Task changed ('))).toBe(true);
});

it('the README shows examples/embed.ts exactly as it is compiled and run', async () => {
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const root = resolve(import.meta.dirname, '../..');
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embed it in your app'));
  const start = section.indexOf('```ts\n') + 6;
  const shown = section.slice(start, section.indexOf('\n```', start));
  const file = readFileSync(resolve(root, 'examples/embed.ts'), 'utf8').split('\n').slice(1).join('\n').trim();
  expect(shown.trim()).toBe(file);
  expect(file.split('\n').length).toBeLessThanOrEqual(16);
});
