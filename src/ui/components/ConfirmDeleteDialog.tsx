/** Asks before deleting a document: a delete reaches every subscribed peer and cannot be undone. */
import { useEffect, useRef } from 'react';

/** The dialog; `label` null means closed. */
export function ConfirmDeleteDialog({ label, collection, onConfirm, onCancel }: { label: string | null; collection: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (label !== null && !d.open) {
      d.showModal();
      cancel.current?.focus(); // the safe choice has the focus
    }
    if (label === null && d.open) d.close();
  }, [label]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-delete-heading" aria-describedby="confirm-delete-text" onClose={onCancel}>
      <h2 id="confirm-delete-heading">Delete document?</h2>
      <p id="confirm-delete-text">
        Delete <strong>{label}</strong>? Every peer subscribed to {collection} deletes it too, and it cannot be undone.
      </p>
      <div className="row">
        <button type="button" className="danger" onClick={onConfirm}>Delete</button>
        <button type="button" className="secondary" ref={cancel} onClick={onCancel}>Cancel</button>
      </div>
    </dialog>
  );
}
