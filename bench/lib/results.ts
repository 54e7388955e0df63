/** The results file (bench/results/latest.json): a flat object of figures plus samples, errors and notes. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
export const LATEST = join(RESULTS_DIR, 'latest.json');

/** Collects figures as workloads finish. Every key gets a value (number or null) and a sample count. */
export class Results {
  readonly values: Record<string, number | null> = {};
  readonly samples: Record<string, number> = {};
  readonly errors: Record<string, string> = {};
  readonly notes: Record<string, string> = {};
  /** Extra detail (raw samples, breakdowns) kept out of the flat figures. */
  readonly detail: Record<string, unknown> = {};

  set(key: string, value: number | null, samples: number, note?: string): void {
    this.values[key] = value === null || !Number.isFinite(value) ? null : value;
    this.samples[key] = samples;
    if (note) this.notes[key] = note;
  }

  fail(keys: readonly string[], err: unknown): void {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    for (const k of keys) {
      if (this.values[k] !== undefined && this.values[k] !== null) continue;
      this.values[k] = null;
      this.samples[k] = 0;
      this.errors[k] = msg.split('\n').slice(0, 6).join('\n');
    }
  }

  /** The flat object written to disk. */
  toJSON(extra: Record<string, unknown>): Record<string, unknown> {
    return { ...extra, ...this.values, samples: this.samples, errors: this.errors, notes: this.notes, detail: this.detail };
  }
}

export function readLatest(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(LATEST, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Writes atomically (temporary file, then rename). */
export function writeLatest(obj: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = `${LATEST}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(obj, null, 2)}\n`);
  renameSync(tmp, LATEST);
}

/**
 * Merges a run's figures into latest.json: its keys replace earlier ones, other keys are kept.
 * `owned` lists the keys this run is responsible for: their old errors and notes are dropped.
 */
export function mergeLatest(r: Results, owned: readonly string[], extra: Record<string, unknown>): Record<string, unknown> {
  const prev = readLatest();
  const obj = (k: string): Record<string, unknown> => ({ ...((prev[k] as Record<string, unknown> | undefined) ?? {}) });
  const samples = obj('samples');
  const errors = obj('errors');
  const notes = obj('notes');
  const detail = obj('detail');
  for (const k of owned) {
    delete errors[k];
    delete notes[k];
  }
  const merged = {
    ...prev,
    ...extra,
    ...r.values,
    samples: { ...samples, ...r.samples },
    errors: { ...errors, ...r.errors },
    notes: { ...notes, ...r.notes },
    detail: { ...detail, ...r.detail },
  };
  writeLatest(merged);
  return merged;
}
