/** The app shell: node name, Collections and Documents. */
import { useUi } from '../state.js';
import { CollectionsPanel } from './CollectionsPanel.js';
import { DocumentsPanel } from './DocumentsPanel.js';
import { NetworkPanel } from './NetworkPanel.js';
import { ActivityPanel } from './ActivityPanel.js';

/** The whole app. */
export function App() {
  const status = useUi((s) => s.status);
  const nodeName = useUi((s) => s.nodeName);
  const publicKey = useUi((s) => s.publicKey);
  return (
    <div className="app">
      <header>
        <h1>
          P2P DocDB <span className="sub">node</span> <span aria-label="Node name">{nodeName || '…'}</span>
        </h1>
        {publicKey && (
          <p className="identity" title={publicKey}>
            identity <code>{publicKey.slice(0, 16)}…</code>
          </p>
        )}
      </header>
      {status.kind === 'opening' && <p role="status">Opening node…</p>}
      {(status.kind === 'locked' || status.kind === 'failed') && (
        <div className="panel">
          <div role="alert" className="alert">
            {status.message}
          </div>
          <p>
            <a href={`${location.pathname}`}>Open another node</a>
          </p>
        </div>
      )}
      {status.kind === 'ready' && <NetworkPanel />}
      {status.kind === 'ready' && (
        <main className="layout">
          <CollectionsPanel />
          <DocumentsPanel />
        </main>
      )}
      {status.kind === 'ready' && <ActivityPanel />}
    </div>
  );
}
