/** Who may access a private document: add an identity as reader or writer, remove one. Owner only. */
import { useEffect, useRef, useState } from 'react';
import type { Document } from '../../api/index.js';
import { actions, useUi } from '../state.js';
import { Alert } from './Alert.js';

/** "did:key:z6Mk…abcd" for lists (the full identity stays in the title). */
function shortDid(did: string): string {
  return did.length > 28 ? `${did.slice(0, 16)}…${did.slice(-6)}` : did;
}

/** The dialog; `doc` undefined means closed. */
export function ShareDialog({ doc, onClose }: { doc: Document | undefined; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [identity, setIdentity] = useState('');
  const [relation, setRelation] = useState<'reader' | 'writer'>('reader');
  const [busy, setBusy] = useState(false);
  const error = useUi((s) => s.shareError);
  const open = doc !== undefined;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      input.current?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  const members = doc?.access?.members ?? [];
  return (
    <dialog ref={ref} className="share" aria-labelledby="share-heading" onClose={onClose}>
      <h2 id="share-heading">Share document</h2>
      {doc && (
        <>
          <p className="sub">
            Private <code title={doc.id}>{doc.id}</code>: only the identities below can read it. Peers without a relation carry it
            sealed.
          </p>
          <form
            className="share-form"
            onSubmit={async (e) => {
              e.preventDefault();
              setBusy(true);
              const ok = await actions.share(doc.id, identity, relation);
              setBusy(false);
              if (ok) {
                setIdentity('');
                input.current?.focus();
              }
            }}
          >
            <label htmlFor="share-identity">Identity to share with</label>
            <input
              id="share-identity"
              ref={input}
              value={identity}
              placeholder="did:key:z6Mk…"
              spellCheck={false}
              autoComplete="off"
              {...(error ? { 'aria-invalid': true as const, 'aria-describedby': 'share-error' } : {})}
              onChange={(e) => setIdentity(e.target.value)}
            />
            <label htmlFor="share-relation">Relation</label>
            <select id="share-relation" value={relation} onChange={(e) => setRelation(e.target.value as 'reader' | 'writer')}>
              <option value="reader">reader</option>
              <option value="writer">writer</option>
            </select>
            <button type="submit" disabled={busy || identity.trim() === ''}>Add</button>
          </form>
          <Alert message={error} onDismiss={() => actions.dismiss('shareError')} id="share-error" />
          <h3 id="access-heading">Access</h3>
          <ul aria-label="Document access" className="access-list">
            <li>
              <code title={doc.access?.owner}>{shortDid(doc.access?.owner ?? '')}</code> <span className="role">owner (you)</span>
            </li>
            {members.map(([did, rel]) => (
              <li key={did}>
                <code title={did}>{shortDid(did)}</code> <span className="role">{rel}</span>{' '}
                <button type="button" className="secondary" aria-label={`Remove ${did}`} onClick={() => void actions.unshare(doc.id, did)}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          {members.length > 0 && <p className="sub">Removing someone rotates the document's key: they cannot read later changes.</p>}
        </>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
    </dialog>
  );
}
