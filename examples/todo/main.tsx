// A shared task list in under 100 lines, using only the package's public exports.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { browserNetwork, lockFirstFreeName, openNode, type Client } from 'p2p-docdb';
import { NodeProvider, useDocument, useDocuments, useNode, useNodeInfo, usePeers, useSyncStatus } from 'p2p-docdb/react';

function Selected({ id }: { id: string }) {
  const { doc } = useDocument('Task', id);
  return <p aria-label="Selected task">{doc ? `${String(doc.fields.title)}: ${doc.fields.done ? 'done' : 'to do'}` : '…'}</p>;
}

function Tasks() {
  const node = useNode();
  const { docs, total } = useDocuments('Task', { limit: 50 });
  const [title, setTitle] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section aria-label="Tasks">
      {selected && <Selected id={selected} />}
      <form onSubmit={async (e) => { e.preventDefault(); await node.create('Task', { title, done: false }); setTitle(''); }}>
        <label>New task <input value={title} onChange={(e) => setTitle(e.target.value)} /></label>
        <button type="submit">Add task</button>
      </form>
      <p>{total} tasks</p>
      <ul aria-label="Task list">
        {docs.map((d) => (
          <li key={d.id}>
            <label>
              <input type="checkbox" checked={d.fields.done === true} onChange={(e) => void node.update('Task', d.id, { done: e.target.checked })} />
              {String(d.fields.title)}
            </label>
            <button type="button" onClick={() => setSelected(d.id)}>Select</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Peers() {
  const node = useNode();
  const { addresses } = useNodeInfo();
  const peers = usePeers();
  const status = useSyncStatus('Task');
  const [addr, setAddr] = useState('');
  const [error, setError] = useState('');
  const mine = addresses.find((a) => a.includes('/webrtc/')) ?? '';
  return (
    <section aria-label="Peers">
      <p>My address: <output aria-label="My address">{mine || 'waiting for the relay…'}</output></p>
      <form onSubmit={async (e) => {
        e.preventDefault();
        try { await node.connect(addr); setAddr(''); setError(''); } catch (err) { setError((err as Error).message); }
      }}>
        <label>Peer address <input value={addr} onChange={(e) => setAddr(e.target.value)} /></label>
        <button type="submit">Connect</button>
      </form>
      {error && <p role="alert">{error}</p>}
      <ul aria-label="Peers">
        {peers.map((p) => (
          <li key={p.peerId}>{p.peerId.slice(-6)} {p.kind} {status.find((s) => s.peer === p.peerId)?.state ?? ''}</li>
        ))}
      </ul>
    </section>
  );
}

async function start(): Promise<Client> {
  const lock = await lockFirstFreeName({ prefix: 'todo' });
  const relayHttpPort = new URL(location.href).searchParams.get('relayHttpPort') ?? '9091';
  const node = await openNode({
    name: lock.name,
    lock,
    network: browserNetwork({ relay: { url: `${location.protocol}//${location.hostname}:${relayHttpPort}/multiaddrs` } }),
  });
  await node.addSchema('type Task { title: String done: Boolean }');
  await node.subscribe('Task');
  return node;
}

const root = createRoot(document.getElementById('root')!);
start().then(
  (node) => root.render(
    <NodeProvider node={node}>
      <h1>Tasks of {node.name}</h1>
      <Tasks />
      <Peers />
    </NodeProvider>,
  ),
  (err: Error) => root.render(<p role="alert">{err.message}</p>),
);
