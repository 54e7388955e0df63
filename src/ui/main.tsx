/** Entry point: choose the node from `?node=`, lock it, open it, bind it, render. */
import { createRoot } from 'react-dom/client';
import { openNode } from '../node/node.js';
import { lockFirstFreeName, tryLockNode } from '../node/tab-lock.js';
import { parseNodeName } from '../node/node-name.js';
import { App } from './components/App.js';
import { bindNode } from './bind.js';
import { useUi } from './state.js';
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
    const node = await openNode({ name, lock });
    bindNode(node);
    (globalThis as { __node?: unknown }).__node = node; // for browser tests and benchmarks
    addEventListener('pagehide', () => void node.close());
  } catch (err) {
    useUi.setState({ status: { kind: 'failed', message: `Could not open node "${name}": ${(err as Error).message}` } });
  }
}

createRoot(document.getElementById('root')!).render(<App />);
void start();
