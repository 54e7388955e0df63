/** Documents of the open collection: the table, the new-document form, and the edit form. */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FieldValue } from '../../api/index.js';
import type { Document } from '../../api/index.js';
import { useCollections, useDocuments, useNode, useNodeInfo } from '../../api/react.js';
import { actions, useUi } from '../state.js';
import { Alert } from './Alert.js';
import { DocumentForm } from './DocumentForm.js';
import { HistoryDialog } from './HistoryDialog.js';
import { ConfirmDeleteDialog } from './ConfirmDeleteDialog.js';
import { ShareDialog } from './ShareDialog.js';

const PAGE = 100;

function show(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A document's first non-empty text field: what names it to the user. */
function firstText(d: { fields: Record<string, FieldValue> } | undefined): string | undefined {
  const text = d ? Object.values(d.fields).find((v) => typeof v === 'string' && v.trim() !== '') : undefined;
  return typeof text === 'string' ? text : undefined;
}

/** How the delete dialog names a document: its first text field and DocID, else the DocID. */
function describeDoc(d: { id: string; fields: Record<string, FieldValue> } | undefined, id: string): string {
  const text = firstText(d);
  return text !== undefined ? `"${text}" (${id})` : id;
}

/** A row's document in a button's accessible name: its first text field, else the start of its DocID. */
function shortName(d: { id: string; fields: Record<string, FieldValue> }): string {
  return firstText(d) ?? d.id.slice(0, 12);
}

/** Puts the focus back on a row's Edit button once its form is gone. */
function focusEditButton(id: string): void {
  setTimeout(() => document.getElementById(`edit-${id}`)?.focus(), 0);
}

/** True when this identity may change the document (public ones: anyone; private ones: owner and writers). */
function mayWrite(d: Document, me: string): boolean {
  return !d.access || d.access.owner === me || d.access.members.some(([did, rel]) => did === me && rel === 'writer');
}

/** How many private documents of the collection this node carries but cannot read, kept up to date. */
function useUnreadable(collection: string | null): number {
  const node = useNode();
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!collection) return setN(0);
    let live = true;
    let id: string | undefined;
    try {
      id = node.collection(collection).id;
    } catch {
      return setN(0);
    }
    const load = (): void => { void node.unreadableCount(collection).then((c) => { if (live) setN(c); }, () => undefined); };
    load();
    const off = node.on('change', (e) => { if (e.collectionId === id) load(); });
    return () => {
      live = false;
      off();
    };
  }, [node, collection]);
  return n;
}

/** The Documents area. */
export function DocumentsPanel() {
  const collections = useCollections();
  const open = useUi((s) => s.open);
  const [limit, setLimit] = useState(PAGE);
  useEffect(() => setLimit(PAGE), [open]);
  const { docs, total, error: listError } = useDocuments(open, { limit });
  const editing = useUi((s) => s.editing);
  const history = useUi((s) => s.history);
  const confirmDelete = useUi((s) => s.confirmDelete);
  const heading = useRef<HTMLHeadingElement>(null);
  const createError = useUi((s) => s.createError);
  const editError = useUi((s) => s.editError);
  const rowError = useUi((s) => s.rowError);
  const overwritten = useUi((s) => s.overwritten);
  const sharing = useUi((s) => s.sharing);
  const { did: me } = useNodeInfo();
  const unreadable = useUnreadable(open);
  const col = useMemo(() => collections.find((c) => c.name === open), [collections, open]);
  const editDoc = docs.find((d) => d.id === editing);

  if (!col) {
    return (
      <section className="panel" aria-labelledby="documents-heading">
        <h2 id="documents-heading" tabIndex={-1}>Documents</h2>
        <p className="empty">{collections.length ? 'Open a collection to see its documents.' : 'Add a collection first.'}</p>
      </section>
    );
  }
  const name = col.name;
  const fields = col.def.fields;
  return (
    <section className="panel" aria-labelledby="documents-heading">
      <h2 id="documents-heading" ref={heading} tabIndex={-1}>
        Documents <span className="sub">in {name}</span>
      </h2>
      <h3>New document</h3>
      <DocumentForm
        key={`new-${col.id}`}
        mode="create"
        def={col.def}
        label={`New ${name} document`}
        submitLabel="Create document"
        error={createError}
        onDismissError={() => actions.dismiss('createError')}
        onSubmit={actions.createDoc}
        privateOption
      />
      {editDoc && (
        <>
          <h3>Edit {editDoc.id}</h3>
          <DocumentForm
            key={`edit-${editDoc.id}`}
            mode="edit"
            def={col.def}
            label={`Edit ${name} document`}
            submitLabel="Save"
            fields={editDoc.fields}
            error={editError}
            onDismissError={() => actions.dismiss('editError')}
            autoFocus
            onSubmit={async (patch) => {
              const ok = await actions.saveDoc(editDoc.id, patch);
              if (ok) focusEditButton(editDoc.id);
              return ok;
            }}
            onCancel={() => {
              actions.startEdit(null);
              focusEditButton(editDoc.id);
            }}
          />
        </>
      )}
      <Alert message={rowError} onDismiss={() => actions.dismiss('rowError')} />
      {overwritten && <p role="status" className="notice overwritten">{overwritten}</p>}
      <Alert message={listError?.message ?? null} />
      <p className="count" aria-live="polite">
        {total === 1 ? '1 document' : `${total} documents`}
      </p>
      {unreadable > 0 && (
        <p role="status" className="sub unreadable">
          {unreadable === 1 ? '1 private document you cannot read' : `${unreadable} private documents you cannot read`}: this node carries {unreadable === 1 ? 'it' : 'them'} sealed for the peers it is shared with.
        </p>
      )}
      <div className="table-wrap">
        <table aria-label={`${name} documents`} className="docs">
          <thead>
            <tr>
              <th scope="col">DocID</th>
              {fields.map((f) => (
                <th scope="col" key={f.name}>
                  {f.name}
                </th>
              ))}
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {docs.length === 0 && (
              <tr>
                <td colSpan={fields.length + 2} className="empty">
                  No documents yet.
                </td>
              </tr>
            )}
            {docs.map((d) => (
              <tr key={d.id} className={d.id === editing ? 'editing' : ''}>
                <td className="docid">
                  <code title={d.id} id={`doc-${d.id}`}>{d.id}</code>
                  {d.access && <span className="badge private" title={`Owner ${d.access.owner}`}>private</span>}
                </td>
                {fields.map((f) => (
                  <td key={f.name} data-label={f.name}>{show(d.fields[f.name])}</td>
                ))}
                <td className="actions">
                  {mayWrite(d, me) && (
                    <button type="button" className="secondary" id={`edit-${d.id}`} aria-label={`Edit ${shortName(d)}`} onClick={() => actions.startEdit(d.id)}>
                      Edit
                    </button>
                  )}
                  {d.access?.owner === me && (
                    <button type="button" className="secondary" aria-label={`Share ${shortName(d)}`} onClick={() => actions.showShare(d.id)}>
                      Share
                    </button>
                  )}
                  <button type="button" className="secondary" aria-describedby={`doc-${d.id}`} onClick={() => actions.showHistory(d.id)}>
                    History
                  </button>
                  {mayWrite(d, me) && (
                    <button type="button" className="danger" aria-label={`Delete ${shortName(d)}`} onClick={() => actions.askDelete(d.id)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <HistoryDialog docId={history} onClose={() => actions.showHistory(null)} />
      <ShareDialog doc={sharing ? docs.find((d) => d.id === sharing) : undefined} onClose={() => actions.showShare(null)} />
      <ConfirmDeleteDialog
        label={confirmDelete ? describeDoc(docs.find((d) => d.id === confirmDelete), confirmDelete) : null}
        collection={name}
        onCancel={() => actions.askDelete(null)}
        onConfirm={async () => {
          await actions.deleteDoc(confirmDelete!);
          heading.current?.focus(); // the row is gone: focus goes back to the documents
        }}
      />
      {total > docs.length && (
        <button type="button" className="secondary" onClick={() => setLimit(limit + PAGE)}>
          Show more ({total - docs.length} not shown)
        </button>
      )}
    </section>
  );
}
