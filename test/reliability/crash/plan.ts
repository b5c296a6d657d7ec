// A crash trial's script, derived from its seed: the base documents (saved before the child is
// armed) and the steps of the interrupted operation. The parent replays the same plan on a Map
// to get the state before and after the operation.
import { makeDocs, rng, randomText, type Doc } from '../corpus.js';
import type { ExternalId } from '../../../src/store/index.js';

export type CrashOp = 'add' | 'add-save' | 'delete-save' | 'update-save' | 'compact' | 'wal-ops' | 'wal-save';
export const CRASH_OPS: CrashOp[] = ['add', 'add-save', 'delete-save', 'update-save', 'compact'];

export type Step = { kind: 'add'; docs: Doc[] } | { kind: 'update'; docs: Doc[] } | { kind: 'delete'; ids: ExternalId[] } | { kind: 'save' };

export interface Plan {
  base: Doc[];
  steps: Step[];
}

export function makePlan(seed: number, op: CrashOp): Plan {
  const r = rng(seed);
  const base = makeDocs(r, 20 + Math.floor(r() * 20), `s${seed}-`);
  const pick = (frac: number) => base.filter(() => r() < frac).map((d) => d.id);
  const extra = makeDocs(r, 5 + Math.floor(r() * 15), `n${seed}-`, 1);
  switch (op) {
    case 'add':
      return { base, steps: [{ kind: 'add', docs: extra }] };
    case 'add-save':
      return { base, steps: [{ kind: 'add', docs: extra }, { kind: 'save' }] };
    case 'delete-save':
      return { base, steps: [{ kind: 'delete', ids: [...pick(0.2), 'never-there'] }, { kind: 'save' }] };
    case 'update-save': {
      const docs = base.filter(() => r() < 0.3).map((d) => ({ id: d.id, text: randomText(r), metadata: { rev: 2 } }));
      return { base, steps: [{ kind: 'update', docs: [...docs, ...extra.slice(0, 2)] }, { kind: 'save' }] };
    }
    case 'wal-ops':
    case 'wal-save': {
      // with the write-ahead log: a run of changes, each acknowledged, never saved (or saved midway)
      const upd = base.filter(() => r() < 0.2).map((d) => ({ id: d.id, text: randomText(r), metadata: { rev: 3 } }));
      const steps: Step[] = [
        { kind: 'add', docs: extra.slice(0, 4) },
        { kind: 'delete', ids: pick(0.2) },
        { kind: 'update', docs: upd },
        { kind: 'add', docs: extra.slice(4, 8) },
      ];
      if (op === 'wal-save') steps.push({ kind: 'save' });
      steps.push({ kind: 'delete', ids: [extra[0]!.id, ...pick(0.1)] }, { kind: 'add', docs: extra.slice(8) });
      return { base, steps };
    }
    case 'compact':
      // many deletes then a save: the sparse, BM25 and multi-vector stores compact on save
      return { base, steps: [{ kind: 'delete', ids: pick(0.6) }, { kind: 'add', docs: extra.slice(0, 3) }, { kind: 'save' }] };
  }
}

/** True for the plans that run with the write-ahead log on. */
export const usesWal = (op: CrashOp): boolean => op.startsWith('wal-');

/** Applies steps to a document map (the reference model). */
export function applySteps(state: Map<ExternalId, Doc>, steps: Step[]): Map<ExternalId, Doc> {
  const m = new Map(state);
  for (const s of steps) {
    if (s.kind === 'add' || s.kind === 'update') for (const d of s.docs) m.set(d.id, d);
    else if (s.kind === 'delete') for (const id of s.ids) m.delete(id);
  }
  return m;
}
