/** The client façade over a local-only node: what an embedding app relies on. */
import { afterEach, expect, it } from 'vitest';
import { MemoryStore, createMemoryData, openNode, type ChangeEvent, type Client } from 'p2p-docdb/node';

const open: Client[] = [];
afterEach(async () => { for (const c of open.splice(0)) await c.close(); });

async function local(name = 'local'): Promise<Client> {
  const c = await openNode({ name, store: new MemoryStore(createMemoryData()), lockInit: { fallback: true, probeMs: 5 } });
  open.push(c);
  return c;
}

it('adds collections, writes and pages documents, and tells listeners by collection name', async () => {
  const c = await local();
  const seen: string[] = [];
  c.on('collections', (list) => seen.push(`collections:${list.map((x) => x.name).join(',')}`));
  c.on('change', (e: ChangeEvent) => seen.push(`${e.collection}:${e.docs.length}:${e.origin}`));
  await c.addSchema('type Note { text: String n: Int }');
  expect(c.collection('Note').def.fields.map((f) => f.name)).toEqual(['text', 'n']);
  await c.createMany('Note', Array.from({ length: 120 }, (_, i) => ({ text: `t${i}`, n: i % 2 })));
  const first = await c.list('Note');
  expect(first.docs).toHaveLength(100);
  expect(first.total).toBe(120);
  expect(first.hasMore).toBe(true);
  const rest = await c.list('Note', { offset: 100 });
  expect(rest.docs.map((d) => d.fields.text)).toEqual(Array.from({ length: 20 }, (_, i) => `t${100 + i}`));
  const odd = await c.list('Note', { where: { n: 1 }, order: { field: 'text', direction: 'desc' }, limit: 2 });
  expect(odd.total).toBe(60);
  expect(odd.docs.map((d) => d.fields.text)).toEqual(['t99', 't97']);
  const doc = await c.update('Note', first.docs[0]!.id, { text: 'changed' });
  expect((await c.get('Note', doc.id))!.fields.text).toBe('changed');
  await c.delete('Note', doc.id);
  expect(await c.get('Note', doc.id)).toBeUndefined();
  expect(seen).toEqual(['collections:Note', 'Note:120:local', 'Note:1:local', 'Note:1:local']);
});

it('a local-only node has no peers or subscriptions, and says why network calls fail', async () => {
  const c = await local('alone');
  await c.addSchema('type Note { text: String }');
  expect(c.networked).toBe(false);
  expect(c.info()).toMatchObject({ name: 'alone', peerId: '', addresses: [] });
  expect(c.info().publicKey).toMatch(/^[0-9a-f]{64}$/);
  expect(c.activePeers()).toEqual([]);
  expect(c.subscriptions()).toEqual([]);
  expect(c.syncStatus('Note')).toEqual([]);
  const err = await c.subscribe('Note').then(() => undefined, (e: Error) => e);
  expect(err?.name).toBe('NoNetworkError');
  await expect(c.connect('/ip4/127.0.0.1/tcp/1')).rejects.toThrow(/without a network/);
  await c.close();
  await c.close(); // idempotent
  const late = await c.create('Note', { text: 'x' }).then(() => undefined, (e: Error) => e);
  expect(late?.message).toMatch(/closed/);
});
