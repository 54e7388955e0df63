/** Entry point: choose the node from `?node=`, lock it, open it, bind it, render. */
import { createRoot } from 'react-dom/client';
import { openNode } from '../node/node.js';
import { createBrowserLibp2p } from '../net/browser-node.js';
import { lockFirstFreeName, tryLockNode } from '../node/tab-lock.js';
import { parseNodeName } from '../node/node-name.js';
import { App } from './components/App.js';
import { bindNode } from './bind.js';
import { actions, useUi } from './state.js';
import './styles.css';

async function start(): Promise<void> {
  const url = new URL(location.href);
  const requested = url.searchParams.get('node');
  let name: string;
  try {
    name = requested !== null ? parseNodeName(requested) : '';
  } catch (err) {
    useUi.setState({ status: { kind: 'failed', message: (err as Error).message } });
    return;
  }
  const lock = name ? await tryLockNode(name) : await lockFirstFreeName();
  if (!name) {
    name = lock!.name;
    url.searchParams.set('node', name);
    history.replaceState(null, '', url);
  }
  useUi.setState({ nodeName: name });
  document.title = `${name} · P2P DocDB`;
  if (!lock) {
    useUi.setState({ status: { kind: 'locked', message: `Node "${name}" is already open in another tab. Close it there, or open another node.` } });
    return;
  }
  try {
    const relayParam = url.searchParams.get('relay');
    const relayPort = url.searchParams.get('relayHttpPort') ?? '9091';
    const node = await openNode({
      name,
      lock,
      network: {
        create: (privateKey) => createBrowserLibp2p({ privateKey }),
        relay: relayParam
          ? { addrs: relayParam.split(',').map((a) => a.trim()).filter(Boolean) }
          : { url: `${location.protocol}//${location.hostname}:${relayPort}/multiaddrs` },
      },
    });
    bindNode(node);
    (globalThis as { __node?: unknown }).__node = node; // for browser tests and benchmarks
    addEventListener('pagehide', () => void node.close());
    connectStartPeers(node, url.searchParams.get('peers'));
  } catch (err) {
    useUi.setState({ status: { kind: 'failed', message: `Could not open node "${name}": ${(err as Error).message}` } });
  }
}

/** `?peers=<addr>,<addr>` connects at start (like `defradb start --peers`), once the relay is reached. */
function connectStartPeers(node: Awaited<ReturnType<typeof openNode>>, param: string | null): void {
  const addrs = (param ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const net = node.network;
  if (!addrs.length || !net) return;
  let started = false;
  const go = async (): Promise<void> => {
    if (started) return;
    started = true;
    off();
    for (const a of addrs) await actions.connect(a);
  };
  const off = net.on('relay', (r) => r.state === 'connected' && void go());
  if (net.relay().state === 'connected') void go();
}

createRoot(document.getElementById('root')!).render(<App />);
void start();
