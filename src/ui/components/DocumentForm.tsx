/** A form with an input per field: creates a document, or edits one. */
import { useEffect, useState } from 'react';
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
  readonly onSubmit: (values: Record<string, unknown>) => Promise<boolean>;
  readonly onCancel?: () => void;
  /** In edit mode only changed fields are sent. */
  readonly mode: 'create' | 'edit';
}

/** The document form. */
export function DocumentForm({ def, label, submitLabel, fields, error, onDismissError, onSubmit, onCancel, mode }: DocumentFormProps) {
  const [values, setValues] = useState<Values>(() => initial(def, fields));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setValues(initial(def, fields));
  }, [def, fields]);
  const idBase = `${mode}-${def.name}`;

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
    const ok = await onSubmit(out);
    setBusy(false);
    if (ok && mode === 'create') setValues(initial(def, undefined));
  }

  return (
    <form aria-label={label} className="doc-form" onSubmit={submit} aria-busy={busy}>
      {/* Disabled while saving, so typing is never wiped by the reset that follows a successful create. */}
      <fieldset className="fields" disabled={busy}>
        {def.fields.map((f) => {
          const id = `${idBase}-${f.name}`;
          const v = values[f.name];
          return (
            <div key={f.name} className={isCheckbox(f) ? 'field check' : 'field'}>
              {isCheckbox(f) ? (
                <>
                  <input id={id} type="checkbox" checked={v === true} onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })} />
                  <label htmlFor={id}>{f.name}</label>
                </>
              ) : (
                <>
                  <label htmlFor={id}>{f.name}</label>
                  <input
                    id={id}
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
      <Alert message={error} onDismiss={onDismissError} />
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
