/** The app shell: node name, then (once the node is open) Network, Collections, Documents and Activity. */
import { useState } from 'react';
import { NodeProvider, useNodeInfo } from '../../api/react.js';
import { copyText } from '../copy.js';
import type { Client } from '../../api/index.js';
import { actions, useUi } from '../state.js';
import { Alert } from './Alert.js';
import { CollectionsPanel } from './CollectionsPanel.js';
import { DocumentsPanel } from './DocumentsPanel.js';
import { NetworkPanel } from './NetworkPanel.js';
import { ActivityPanel } from './ActivityPanel.js';
import { QueryPanel } from './QueryPanel.js';

/** This node's identity (the DID of the key that signs its blocks): what others use to share documents with it. */
function Identity() {
  const { did } = useNodeInfo();
  const [copied, setCopied] = useState(false);
  return (
    <p className="identity">
      <span id="identity-label">Identity</span>{' '}
      <code aria-labelledby="identity-label" className="did" title={did}>{did}</code>{' '}
      <button
        type="button"
        className="link"
        onClick={async () => {
          setCopied(await copyText(did));
          setTimeout(() => setCopied(false), 2000);
        }}
      >
        Copy identity
      </button>
      {copied && <span className="copied" role="status">copied</span>}
    </p>
  );
}

/** The whole app; `client` is null until the node is open. */
export function App({ client }: { client: Client | null }) {
  const status = useUi((s) => s.status);
  const nodeName = useUi((s) => s.nodeName);
  const nodeError = useUi((s) => s.nodeError);
  const heading = (
    <h1>
      P2P DocDB <span className="sub">node</span> <span aria-label="Node name">{nodeName || '…'}</span>
    </h1>
  );
  if (!client || status.kind !== 'ready') {
    return (
      <div className="app">
        <header>{heading}</header>
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
      </div>
    );
  }
  return (
    <NodeProvider node={client}>
      <div className="app">
        <a className="skip-link" href="#documents-heading">Skip to documents</a>
        <header>
          {heading}
          <Identity />
        </header>
        <Alert message={nodeError} onDismiss={() => actions.dismiss('nodeError')} />
        {client.networked && <NetworkPanel />}
        <main className="layout">
          <CollectionsPanel syncing={client.networked} />
          <DocumentsPanel />
        </main>
        <QueryPanel />
        {client.networked && <ActivityPanel />}
      </div>
    </NodeProvider>
  );
}
