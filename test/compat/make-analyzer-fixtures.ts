/**
 * Writes the committed analyser-version fixtures: BM25-only indexes built by an OLDER trident,
 * so that the test (analyzer-versions.test.ts) checks that today's trident reopens them with
 * the analyser they were built with. Each fixture is made by the trident of a past commit,
 * never by today's code (run once per analyser version; never rerun for an existing one):
 *
 *   git archive <commit> src test/helpers | tar -x -C tmp/old-<commit>    (tmp/ is git-ignored)
 *   npx tsx test/compat/make-analyzer-fixtures.ts tmp/old-<commit> <name>
 *
 *   analyzer-v1-auto     commit bd4aa75 (before analyser versions: `auto` keeps a Thai run whole)
 *   analyzer-v2-english  commit b9bbed8 (ANALYZER_VERSION 2: `english` tokenised by wink-nlp)
 *
 * Each fixture: index/ (saved, no write-ahead log), docs.json (the documents), expected.json
 * (the top 10 of every probe query in mode 'bm25', searched by that trident before saving).
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/analyzers/', import.meta.url));

/** Documents whose terms differ between analyser versions (hyphens, possessives, contractions, Thai). */
export const DOCS: Array<{ id: string; text: string }> = [
  { id: 'd0', text: 'COVID-19 vaccines reduce severe disease in older adults.' },
  { id: 'd1', text: "The dog's owner didn't walk it: state-of-the-art leashes weren't used." },
  { id: 'd2', text: 'Long-term e-mail spam filters use well-known Bayesian models.' },
  { id: 'd3', text: "Children's vaccines and the covid outbreak; we'll study 19 cases of disease." },
  { id: 'd4', text: 'Art and the state: a history of the owner of the estate.' },
  { id: 'd5', text: 'Spam, mail and filters: an e-book about term models.' },
  { id: 'd6', text: 'ภาษาไทยง่าย และ ภาษาอังกฤษ for learners of Thai.' },
  { id: 'd7', text: 'ภาษา ไทย ง่าย: learning Thai words one by one.' },
  { id: 'd8', text: 'Dogs walk; owners walked the dogs with leashes.' },
];

/** Probe queries, each separating at least one pair of versions. */
export const PROBES = ['covid-19 vaccine', 'covid', 'state-of-the-art', 'state art', "dog's owner", 'e-mail spam', 'mail', 'long-term', 'ภาษาไทยง่าย', 'ไทย', "didn't walk", 'well-known models'];

const KINDS: Record<string, { analyzer: 'auto' | 'english'; version: number }> = {
  'analyzer-v1-auto': { analyzer: 'auto', version: 1 },
  'analyzer-v2-english': { analyzer: 'english', version: 2 },
};

async function main(): Promise<void> {
  const [rootArg, name] = process.argv.slice(2);
  const kind = name ? KINDS[name] : undefined;
  if (!rootArg || !kind) throw new Error(`usage: make-analyzer-fixtures.ts <old source root> <${Object.keys(KINDS).join(' | ')}>`);
  const root = path.resolve(rootArg);
  const imp = (rel: string) => import(pathToFileURL(path.join(root, rel)).href);
  const { HybridIndex } = await imp('src/hybrid/index.ts');
  const analyze = await imp('src/analyze/index.ts');
  const version = (analyze.ANALYZER_VERSION as number | undefined) ?? 1;
  if (version !== kind.version) throw new Error(`${root} has analyser version ${version}; ${name} needs version ${kind.version}`);
  const { FakeEncoder } = await imp('test/helpers/fake-encoder.ts');
  const dir = path.join(FIXTURES, name!);
  await fsp.rm(dir, { recursive: true, force: true });
  const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: path.join(dir, 'index'), dense: false, sparse: false, multivector: false, bm25: { analyzer: kind.analyzer }, wal: false });
  await index.add(DOCS);
  const expected: Record<string, Array<{ id: string; score: number }>> = {};
  for (const q of PROBES) expected[q] = (await index.search(q, { mode: 'bm25', k: 10 })).map((h: { id: string; score: number }) => ({ id: h.id, score: h.score }));
  await index.save();
  await index.close();
  await fsp.writeFile(path.join(dir, 'docs.json'), JSON.stringify(DOCS, null, 1));
  await fsp.writeFile(path.join(dir, 'expected.json'), JSON.stringify(expected, null, 1));
  console.log(`wrote ${dir} with the trident of ${root} (analyser version ${version})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
