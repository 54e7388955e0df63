/** Entry point: choose the node from `?node=`, lock it, open it through the client API, bind it, render. */
import { createRoot } from 'react-dom/client';
import { browserNetwork, lockFirstFreeName, parseNodeName, tryLockNode, type Client } from '../api/index.js';
import { openNodeWithInternals } from '../api/open.js';
import { App } from './components/App.js';
import { bindClient } from './bind.js';
import { actions, useUi } from './state.js';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

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
    const relayPort = url.searchParams.get('relayHttpPort') ?? String((await pageConfig()).relayHttpPort ?? 9091);
    const { client, internals } = await openNodeWithInternals({
      name,
      lock,
      network: browserNetwork({
        relay: relayParam
          ? relayParam.split(',').map((a) => a.trim()).filter(Boolean)
          : { url: `${location.protocol}//${location.hostname}:${relayPort}/multiaddrs` },
      }),
    });
    root.render(<App client={client} />);
    bindClient(client);
    // Test and benchmark hooks: the client, and the engine below it (the app itself uses only the client).
    Object.assign(globalThis, { __client: client, __node: internals });
    addEventListener('pagehide', () => void client.close());
    connectStartPeers(client, url.searchParams.get('peers'));
  } catch (err) {
    useUi.setState({ status: { kind: 'failed', message: `Could not open node "${name}": ${(err as Error).message}` } });
  }
}

/**
 * What the server the page was loaded from says (`npm start` serves /p2pdb-config.json: the relay's address
 * endpoint port, so RELAY_HTTP_PORT works without URL parameters). Empty when there is none (vite dev, tests).
 */
async function pageConfig(): Promise<{ relayHttpPort?: number }> {
  try {
    const res = await fetch(new URL('p2pdb-config.json', location.href), { cache: 'no-store', signal: AbortSignal.timeout(2000) });
    if (!res.ok) return {};
    const c = (await res.json()) as { relayHttpPort?: unknown };
    return typeof c.relayHttpPort === 'number' && Number.isInteger(c.relayHttpPort) && c.relayHttpPort > 0 && c.relayHttpPort < 65536 ? { relayHttpPort: c.relayHttpPort } : {};
  } catch {
    return {};
  }
}

/** `?peers=<addr>,<addr>` connects at start (like `defradb start --peers`), once the relay is reached. */
function connectStartPeers(client: Client, param: string | null): void {
  const addrs = (param ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  if (!addrs.length || !client.networked) return;
  let started = false;
  const go = async (): Promise<void> => {
    if (started) return;
    started = true;
    off();
    for (const a of addrs) await actions.connect(a);
  };
  const off = client.on('relay', (r) => r.state === 'connected' && void go());
  if (client.relay()?.state === 'connected') void go();
}

root.render(<App client={null} />);
void start();
