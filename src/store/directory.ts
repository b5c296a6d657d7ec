import * as path from 'node:path';
import { StorageError, TridentError } from '../errors.js';
import { isSymlinkOf, nodeFs, type StoreFs } from './fs-seam.js';
import { decodeManifest, encodeManifest, FORMAT_VERSION, MANIFEST_FILE, MANIFEST_MAGIC, OLDEST_READABLE_VERSION, type FileEntry, type Manifest } from './manifest.js';
import { isLockArtifact } from './lock-file.js';

const WRITER = 'trident/0.1.0';

/** Result of reading an index directory: the manifest and the absolute generation folder. */
export interface OpenedDirectory {
  manifest: Manifest;
  dataDir: string;
}

function genName(n: number): string {
  return `gen-${String(n).padStart(6, '0')}`;
}

function ioError(what: string, e: unknown, file?: string): StorageError {
  if (e instanceof TridentError) return e as StorageError;
  const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
  return new StorageError('IO_ERROR', `${what} failed (${code}): ${(e as Error)?.message ?? String(e)}; the index on disk is unchanged`, {
    cause: e,
    ...(file !== undefined ? { file } : {}),
  });
}

/** Nothing inside an index directory may lead out of it: a symbolic link is refused (CORRUPT_FILE), never followed. */
async function refuseLink(fs: StoreFs, dir: string, rel: string): Promise<void> {
  let link: boolean;
  try {
    link = await isSymlinkOf(fs)(path.join(dir, rel));
  } catch (e) {
    throw ioError(`reading ${rel}`, e, rel);
  }
  if (link) throw new StorageError('CORRUPT_FILE', `${rel} inside the index directory ${dir} is a symbolic link; trident does not follow links out of an index directory: replace it with the real file or folder`, { file: rel });
}

/** Reads `<dir>/manifest.json` as text: INDEX_NOT_FOUND when it is missing, IO_ERROR otherwise. */
async function readManifestText(dir: string, fs: StoreFs): Promise<string> {
  await refuseLink(fs, dir, MANIFEST_FILE);
  try {
    return new TextDecoder().decode(await fs.readFile(path.join(dir, MANIFEST_FILE)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StorageError('INDEX_NOT_FOUND', `no trident index at ${dir} (${MANIFEST_FILE} missing); create one with HybridIndex.create({ path })`, { cause: e, file: MANIFEST_FILE });
    }
    throw ioError(`reading ${MANIFEST_FILE}`, e, MANIFEST_FILE);
  }
}

/**
 * Reads `<dir>/manifest.json`, checks magic, format range and its own checksum, then checks
 * every listed file's length and CRC-32. Throws StorageError (INDEX_NOT_FOUND,
 * CORRUPT_FILE, CHECKSUM_MISMATCH, FORMAT_VERSION_UNSUPPORTED) naming the file.
 *
 * @example
 * ```ts
 * const { manifest, dataDir } = await readIndexDirectory('/data/my-index');
 * ```
 */
export async function readIndexDirectory(dir: string, fs: StoreFs = nodeFs): Promise<OpenedDirectory> {
  return verifyGeneration(dir, await readManifestText(dir, fs), fs);
}

async function verifyGeneration(dir: string, text: string, fs: StoreFs): Promise<OpenedDirectory> {
  const noLink = (rel: string) => refuseLink(fs, dir, rel);
  const manifest = decodeManifest(text);
  const dataDir = path.join(dir, manifest.dir);
  await noLink(manifest.dir);
  const checkedDirs = new Set<string>();
  for (const f of manifest.files) {
    const file = `${manifest.dir}/${f.name}`;
    const parts = f.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const sub = `${manifest.dir}/${parts.slice(0, i).join('/')}`;
      if (!checkedDirs.has(sub)) await noLink(sub);
      checkedDirs.add(sub);
    }
    await noLink(file);
    let sum: { bytes: number; crc32: number };
    try {
      sum = await fs.checksum(path.join(dataDir, f.name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new StorageError('CORRUPT_FILE', `${file} is listed in the manifest but missing; restore the index from a backup or rebuild it`, { cause: e, file });
      }
      throw ioError(`reading ${file}`, e, file);
    }
    if (sum.bytes !== f.bytes) {
      throw new StorageError('CORRUPT_FILE', `${file} is ${sum.bytes} bytes, the manifest says ${f.bytes} (truncated or overwritten)`, { file });
    }
    if (sum.crc32 !== f.crc32) {
      throw new StorageError('CHECKSUM_MISMATCH', `${file} fails its CRC-32 check (damaged on disk); restore the index from a backup or rebuild it`, { file });
    }
  }
  return { manifest, dataDir };
}

/** How many times {@link readGeneration} starts over when the manifest moved on underneath. */
const READ_ATTEMPTS = 25;

/**
 * Reads one whole saved generation while a writer (in any process) may be saving: reads the
 * manifest, verifies its files and runs `load` on them. If any step throws a StorageError
 * and `manifest.json` changed meanwhile (a save committed and its cleanup removed the
 * generation being read), the whole read starts over — manifest, verification and `load` —
 * with the new manifest; only an error under an unchanged manifest is reported (it is real
 * damage). Writers keep superseded generations for a grace period (see
 * {@link writeIndexGeneration}), so a reader faster than that rarely needs a second attempt.
 *
 * @example
 * ```ts
 * const index = await readGeneration(dir, nodeFs, ({ manifest, dataDir }) => loadStores(manifest, dataDir));
 * ```
 */
export async function readGeneration<T>(dir: string, fs: StoreFs, load: (opened: OpenedDirectory) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const text = await readManifestText(dir, fs);
    try {
      return await load(await verifyGeneration(dir, text, fs));
    } catch (e) {
      if (!(e instanceof StorageError) || attempt >= READ_ATTEMPTS) throw e;
      const now = await readManifestText(dir, fs).catch(() => null);
      if (now === text) throw e;
    }
  }
}

/** What a directory holds, for `create()`: nothing (of the user's), an index, or other files. */
export async function inspectDirectory(dir: string, fs: StoreFs = nodeFs): Promise<{ kind: 'empty' | 'index' | 'other'; names: string[] }> {
  const names = (await fs.readdir(dir)).filter((n) => !isLockArtifact(n)).sort();
  if (names.includes(MANIFEST_FILE)) return { kind: 'index', names };
  // leftovers of a first save that never committed are ours, not the user's
  const foreign = names.filter((n) => !/^(gen-\d+(\.tmp)?|manifest\.json\.tmp|wal\.log(\.tmp)?|segments)$/.test(n));
  return { kind: foreign.length ? 'other' : 'empty', names: foreign };
}

/** Options of {@link writeIndexGeneration}. */
export interface WriteGenerationOptions {
  encoder: unknown;
  config: unknown;
  /** Writes the data files into the given (new, empty) folder. */
  writeFiles: (dataDir: string) => Promise<void>;
  fs?: StoreFs;
  /**
   * Superseded generations are kept this long after the save that replaced them, so that
   * readers that read the older manifest can finish (default {@link GENERATION_GRACE_MS}).
   */
  graceMs?: number;
}

/** How long a superseded generation stays on disk for readers that started before the save (30 s). */
export const GENERATION_GRACE_MS = 30_000;
/** At most this many superseded generations are kept within the grace period (readers of older ones start over). */
export const GENERATIONS_KEPT = 4;

/**
 * Writes a new generation of an index directory crash-safely:
 * 1. data files go to `gen-N.tmp/` and are fsynced, their lengths and CRC-32s recorded;
 * 2. the folder is renamed to `gen-N/`;
 * 3. `manifest.json.tmp` is written, fsynced and renamed over `manifest.json` (the commit point);
 * 4. leftovers of failed saves are removed at once; superseded generations once they have
 *    been superseded for `graceMs` (at most {@link GENERATIONS_KEPT} are kept), so that a
 *    reader that read the previous manifest can still read its generation.
 * A crash before step 3 leaves the previous manifest (and its generation) in force; after it,
 * the new one. Leftover folders are cleaned by the next successful write. A failure before
 * the commit point throws StorageError (IO_ERROR) and leaves the index on disk unchanged;
 * nothing after it can fail the call. Writes to one directory from one process are
 * serialised; writers in different processes are excluded by the directory's writer lock
 * (`lock-file.ts`, taken by the caller).
 *
 * @example
 * ```ts
 * await writeIndexGeneration(dir, { encoder, config, writeFiles: async (d) => { await dense.saveFiles(d); } });
 * ```
 */
export async function writeIndexGeneration(dir: string, opts: WriteGenerationOptions): Promise<Manifest> {
  const key = path.resolve(dir);
  const prev = writers.get(key) ?? Promise.resolve();
  const run = prev.then(
    () => writeGeneration(dir, opts),
    () => writeGeneration(dir, opts),
  );
  const tail = run.catch(() => undefined);
  writers.set(key, tail);
  void tail.then(() => {
    if (writers.get(key) === tail) writers.delete(key);
  });
  return run;
}

/** In-process writers per resolved directory: two saves to one folder never interleave. */
const writers = new Map<string, Promise<unknown>>();

async function writeGeneration(dir: string, opts: WriteGenerationOptions): Promise<Manifest> {
  const fs = opts.fs ?? nodeFs;
  try {
    await fs.mkdir(dir);
  } catch (e) {
    throw ioError(`creating ${dir}`, e);
  }
  let previous: Manifest | null = null;
  const prevText = await fs.readFile(path.join(dir, MANIFEST_FILE)).then(
    (b) => new TextDecoder().decode(b),
    () => null,
  );
  if (prevText !== null) {
    try {
      previous = decodeManifest(prevText);
    } catch {
      previous = null;
    }
  }
  const existing = await fs.readdir(dir).catch(() => [] as string[]);
  let maxGen = previous?.generation ?? 0;
  for (const name of existing) {
    const m = /^gen-(\d+)(\.tmp)?$/.exec(name);
    if (m) maxGen = Math.max(maxGen, Number(m[1]));
  }
  const generation = maxGen + 1;
  const finalName = genName(generation);
  const tmpDir = path.join(dir, `${finalName}.tmp`);
  const finalDir = path.join(dir, finalName);
  const tmpManifest = path.join(dir, `${MANIFEST_FILE}.tmp`);
  let manifest: Manifest;
  let renamed = false;
  try {
    await fs.rm(tmpDir);
    await fs.mkdir(tmpDir);
    await opts.writeFiles(tmpDir);
    const names = await listFiles(fs, tmpDir, '');
    const files: FileEntry[] = [];
    for (const name of names) {
      const p = path.join(tmpDir, name);
      const sum = await fs.checksum(p);
      await fs.fsync(p);
      files.push({ name, bytes: sum.bytes, crc32: sum.crc32 });
    }
    for (const sub of new Set(names.filter((n) => n.includes('/')).map((n) => n.slice(0, n.lastIndexOf('/'))))) await fs.fsync(path.join(tmpDir, sub));
    await fs.fsync(tmpDir);
    await fs.rename(tmpDir, finalDir);
    renamed = true;
    // make the folder rename durable before the manifest can name it
    await fs.fsync(dir);
    manifest = {
      magic: MANIFEST_MAGIC,
      formatVersion: FORMAT_VERSION,
      minReaderVersion: OLDEST_READABLE_VERSION,
      writer: WRITER,
      generation,
      dir: finalName,
      createdAt: new Date().toISOString(),
      encoder: opts.encoder,
      config: opts.config,
      files,
    };
    await fs.writeFile(tmpManifest, encodeManifest(manifest));
    await fs.rename(tmpManifest, path.join(dir, MANIFEST_FILE)); // the commit point
  } catch (e) {
    // Not committed: manifest.json still names the previous generation. Remove what this
    // attempt left behind (best effort; the next save removes leftovers too).
    await fs.rm(renamed ? finalDir : tmpDir).catch(() => undefined);
    await fs.rm(tmpManifest).catch(() => undefined);
    throw ioError('saving the index', e);
  }
  // Committed: every reader now sees the new generation, complete and checksummed. What
  // follows is best effort and cannot fail the save: the directory fsync (which makes the
  // rename durable across power loss where the platform supports it) and the removal of
  // older generations (left for the next save if it fails).
  await fs.fsync(dir).catch(() => undefined);
  await collectGenerations(dir, fs, existing, generation, previous?.generation ?? null, opts.graceMs ?? GENERATION_GRACE_MS).catch(() => undefined);
  return manifest;
}

/**
 * Removes, after the commit of `current`: unfinished `gen-N.tmp` folders and generations no
 * manifest ever named (between the previous and the current one) at once; superseded
 * generations once superseded for `graceMs` — a generation's successor folder was written
 * just before the commit that superseded it, so its mtime dates the supersession — and beyond
 * the newest {@link GENERATIONS_KEPT}.
 */
async function collectGenerations(dir: string, fs: StoreFs, names: string[], current: number, previous: number | null, graceMs: number): Promise<void> {
  const committed: number[] = [];
  for (const name of names) {
    const m = /^gen-(\d+)(\.tmp)?$/.exec(name);
    if (!m) continue;
    const g = Number(m[1]);
    if (m[2] || g >= current || (previous !== null && g > previous)) {
      if (name !== genName(current)) await fs.rm(path.join(dir, name)).catch(() => undefined);
    } else committed.push(g);
  }
  committed.sort((a, b) => b - a); // newest first
  const now = Date.now();
  let successor = current;
  for (let i = 0; i < committed.length; i++) {
    const g = committed[i]!;
    const since =
      (await fs.stat(path.join(dir, genName(successor))).then(
        (s) => s?.mtimeMs ?? 0,
        () => 0,
      )) || 0;
    if (i >= GENERATIONS_KEPT || graceMs <= 0 || now - since >= graceMs) await fs.rm(path.join(dir, genName(g))).catch(() => undefined);
    successor = g;
  }
}

/** Relative paths ('a.bin', 'dense/rows.bin') of every file below `root`, sorted. */
async function listFiles(fs: StoreFs, root: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await fs.readdir(path.join(root, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = await fs.stat(path.join(root, rel));
    if (st === null) continue;
    if (st.isDirectory) out.push(...(await listFiles(fs, root, rel)));
    else out.push(rel);
  }
  return out.sort();
}
