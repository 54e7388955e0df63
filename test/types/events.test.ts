/** Event maps are closed: a misspelt event name is a compile error, on every typed event target. */
import { afterAll, expect, it } from 'vitest';
import ts from 'typescript';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

// Outside the project, so a probe left behind by a killed run never reaches the project's own type-check.
const file = resolve(tmpdir(), `p2pdb-event-probe-${process.pid}.ts`);
const src = (path: string): string => JSON.stringify(resolve(import.meta.dirname, '../../src', path));
afterAll(() => rmSync(file, { force: true }));

it('refuses misspelt event names and accepts the right ones', () => {
  const lines = [
    `import type { Client } from ${src('api/index.js')};`,
    `import type { Database } from ${src('db/database.js')};`,
    `import type { Sync } from ${src('sync/sync.js')};`,
    `import type { PeerManager } from ${src('net/peer-manager.js')};`,
    'declare const client: Client; declare const db: Database; declare const sync: Sync; declare const net: PeerManager;',
    "client.on('chnage', () => undefined);",
    "db.on('chnage', () => undefined);",
    "sync.on('activty', () => undefined);",
    "net.on('peer', () => undefined);",
    "client.on('sync-status', (s) => s.state.toUpperCase());",
    "client.on('change', (e) => e.docs.length);",
    "db.on('change', (e) => e.blocks.length);",
    "sync.on('status', (s) => s.peer.length);",
    "net.on('peers', (p) => p.length);",
  ];
  writeFileSync(file, lines.join('\n'));
  const config = ts.readConfigFile(resolve(import.meta.dirname, '../../tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, resolve(import.meta.dirname, '../..'));
  const program = ts.createProgram([file], parsed.options);
  const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ({
    line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1,
    text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
  expect(errors.map((e) => e.line)).toEqual([6, 7, 8, 9]);
  for (const e of errors) expect(e.text).toMatch(/is not assignable to parameter of type/);
}, 60_000);
