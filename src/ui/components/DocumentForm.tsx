/** A form with an input per field: creates a document, or edits one. */
import { useEffect, useRef, useState } from 'react';
import { coerceFormText, formatFieldType, formatFormText, type CollectionDef, type FieldDef, type FieldValue } from '../../api/index.js';
import { Alert } from './Alert.js';

type Values = Record<string, string | boolean>;

function initial(def: CollectionDef, fields: Readonly<Record<string, FieldValue>> | undefined): Values {
  const out: Values = {};
  for (const f of def.fields) out[f.name] = isCheckbox(f) ? fields?.[f.name] === true : formatFormText(f, fields?.[f.name]);
  return out;
}

const isCheckbox = (f: FieldDef): boolean => f.kind === 'Boolean' && !f.list;

function inputType(f: FieldDef): string {
  if (f.list || f.kind === 'JSON') return 'text';
  if (f.kind === 'Int' || f.kind === 'Float') return 'text'; // text, so bad input reaches validation and gets a clear message
  return 'text';
}

/** Props of DocumentForm. */
export interface DocumentFormProps {
  readonly def: CollectionDef;
  /** The form's accessible name, e.g. "New User document". */
  readonly label: string;
  readonly submitLabel: string;
  readonly fields?: Readonly<Record<string, FieldValue>>;
  readonly error: string | null;
  readonly onDismissError: () => void;
  /** Gets the values to store; resolves true when stored (the form then resets). */
  readonly onSubmit: (values: Record<string, unknown>, opts: { private: boolean }) => Promise<boolean>;
  /** Offer a "Private" box (new documents): sealed content, readable only by those it is shared with. */
  readonly privateOption?: boolean;
  readonly onCancel?: () => void;
  /** In edit mode only changed fields are sent. */
  readonly mode: 'create' | 'edit';
  /** Focus the first field when the form appears (the edit form, opened by a button). */
  readonly autoFocus?: boolean;
}

/** The document form. */
export function DocumentForm({ def, label, submitLabel, fields, error, onDismissError, onSubmit, onCancel, mode, autoFocus, privateOption }: DocumentFormProps) {
  const [values, setValues] = useState<Values>(() => initial(def, fields));
  // Kept ticked after a create: a leak by an accidental public create is worse than the reverse.
  const [priv, setPriv] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setValues(initial(def, fields));
  }, [def, fields]);
  const idBase = `${mode}-${def.name}`;
  const errorId = `${idBase}-error`;
  // The field an error names ("age: expected Int, got …" or "tags[1]: …") is marked invalid and tied to it.
  const badField = error ? def.fields.find((f) => error.startsWith(`${f.name}:`) || error.startsWith(`${f.name}[`))?.name : undefined;
  const firstInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) firstInput.current?.focus();
  }, [autoFocus]);
  // After a create, the first field (enabled again by then) is ready for the next document.
  const [created, setCreated] = useState(0);
  useEffect(() => {
    if (created) firstInput.current?.focus();
  }, [created]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const out: Record<string, unknown> = {};
    const before = initial(def, fields);
    for (const f of def.fields) {
      const v = values[f.name]!;
      if (mode === 'edit' && v === before[f.name]) continue;
      out[f.name] = typeof v === 'boolean' ? v : coerceFormText(f, v);
    }
    setBusy(true);
    const ok = await onSubmit(out, { private: privateOption === true && priv });
    setBusy(false);
    if (ok && mode === 'create') {
      setValues(initial(def, undefined));
      setCreated((n) => n + 1);
    }
  }

  return (
    <form
      aria-label={label}
      className="doc-form"
      onSubmit={submit}
      aria-busy={busy}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && onCancel) {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      {/* Disabled while saving, so typing is never wiped by the reset that follows a successful create. */}
      <fieldset className="fields" disabled={busy}>
        {def.fields.map((f, i) => {
          const id = `${idBase}-${f.name}`;
          const v = values[f.name];
          const invalid = badField === f.name;
          const aria = invalid ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};
          return (
            <div key={f.name} className={isCheckbox(f) ? 'field check' : 'field'}>
              {isCheckbox(f) ? (
                <>
                  <input id={id} type="checkbox" ref={i === 0 ? firstInput : undefined} {...aria} checked={v === true} onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })} />
                  <label htmlFor={id}>{f.name}</label>
                </>
              ) : (
                <>
                  <label htmlFor={id}>{f.name}</label>
                  <input
                    id={id}
                    ref={i === 0 ? firstInput : undefined}
                    {...aria}
                    type={inputType(f)}
                    inputMode={f.kind === 'Int' ? 'numeric' : f.kind === 'Float' ? 'decimal' : undefined}
                    placeholder={formatFieldType(f)}
                    value={typeof v === 'string' ? v : ''}
                    onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                  />
                </>
              )}
            </div>
          );
        })}
      </fieldset>
      <Alert message={error} onDismiss={onDismissError} id={errorId} />
      {privateOption && (
        <div className="field check private-option">
          <input id={`${idBase}-private`} type="checkbox" checked={priv} disabled={busy} aria-describedby={`${idBase}-private-hint`} onChange={(e) => setPriv(e.target.checked)} />
          <label htmlFor={`${idBase}-private`}>Private</label>
          <span id={`${idBase}-private-hint`} className="hint">only you, and those you share it with, can read it</span>
        </div>
      )}
      <div className="row">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
