/** Query: GraphQL requests against this node (queries, mutations, live subscriptions), as DefraDB users write them. */
import { useEffect, useRef, useState } from 'react';
import type { CollectionInfo, LiveQuery, QueryResult } from '../../api/index.js';
import { useCollections, useNode } from '../../api/react.js';
import { useUi } from '../state.js';

/** A first query for a collection: its documents, newest first, ten of them. */
export function exampleQuery(col: CollectionInfo | undefined): string {
  if (!col) return '{\n  _commits(docID: "bae-…") {\n    cid\n    height\n  }\n}';
  const fields = col.def.fields.slice(0, 6).map((f) => `    ${f.name}`).join('\n');
  return `{\n  ${col.name}(order: {_createdAt: DESC}, limit: 10) {\n    _docID\n${fields}\n  }\n}`;
}

/** "Cannot query field … (line 2, column 5)". */
function errorLines(r: QueryResult): string[] {
  return (r.errors ?? []).map((e) => {
    const at = e.locations?.[0];
    return at ? `${e.message} (line ${at.line}, column ${at.column})` : e.message;
  });
}

/** The Query area. */
export function QueryPanel() {
  const node = useNode();
  const collections = useCollections();
  const open = useUi((s) => s.open);
  const col = collections.find((c) => c.name === open) ?? collections[0];
  const [text, setText] = useState(() => exampleQuery(col));
  const edited = useRef(false);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [running, setRunning] = useState(false);
  const [live, setLive] = useState(false);
  const [updates, setUpdates] = useState(0);
  const handle = useRef<LiveQuery | null>(null);

  // Follow the open collection until the user writes their own query.
  useEffect(() => {
    if (!edited.current) setText(exampleQuery(col));
  }, [col?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => () => handle.current?.stop(), []);

  const stop = () => {
    handle.current?.stop();
    handle.current = null;
    setLive(false);
  };

  const run = async () => {
    stop();
    setRunning(true);
    setUpdates(0);
    const isSubscription = /^\s*subscription\b/.test(text.replace(/#[^\n]*/g, ''));
    let first = true;
    try {
      handle.current = await node.liveQuery(text, {}, (r) => {
        setResult(r);
        setRunning(false);
        if (!first) setUpdates((n) => n + 1);
        first = false;
      });
      if (isSubscription) setLive(true);
    } catch (err) {
      setResult({ errors: [{ message: (err as Error).message }] });
      setRunning(false);
    }
  };

  const errors = result ? errorLines(result) : [];
  return (
    <section className="panel query" aria-labelledby="query-heading">
      <h2 id="query-heading">Query</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label htmlFor="graphql-query" className="label">GraphQL query</label>
        <textarea
          id="graphql-query"
          className="mono"
          rows={8}
          spellCheck={false}
          value={text}
          aria-describedby="query-hint"
          onChange={(e) => {
            edited.current = true;
            setText(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void run();
            }
          }}
        />
        <p className="hint" id="query-hint">
          Queries (<code>{'User(filter: {age: {_gt: 30}}) { name }'}</code>), mutations (<code>create_User</code>, <code>update_User</code>,{' '}
          <code>delete_User</code>), <code>_count</code>, <code>_commits(docID:)</code>, and live <code>subscription {'{ … }'}</code>. Ctrl+Enter runs.
        </p>
        <div className="row">
          <button type="submit" disabled={running}>Run</button>
          {live && (
            <>
              <span role="status" className="live">Live: updates when documents change ({updates} so far)</span>
              <button type="button" className="link" onClick={stop}>Stop</button>
            </>
          )}
        </div>
      </form>
      {errors.length > 0 && (
        <div role="alert" className="alert">
          <ul className="errors">
            {errors.map((m, i) => <li key={i}>{m}</li>)}
          </ul>
        </div>
      )}
      <section aria-label="Result" className="result">
        {result?.data !== undefined ? <pre>{JSON.stringify(result.data, null, 2)}</pre> : <p className="empty">Run a query to see its result.</p>}
      </section>
    </section>
  );
}
