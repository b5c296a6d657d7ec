/**
 * Garbage collection of a segmented index (`storage: 'segments'`) after a save committed:
 * each segmented channel keeps the segment lists named by the generations still on disk
 * (the one in force and those kept for readers' grace period, see store/directory.ts) and the
 * files they name; everything else under `<index>/segments/<channel>/` goes. Never runs
 * before the index manifest is replaced, so a crash leaves every file the manifest in force
 * names.
 */
import * as path from 'node:path';
import { SegmentedChannel, segmentsRefFile, type Channel } from '../channels/index.js';
import type { StoreFs } from '../store/index.js';

/** Removes segment files no kept generation names (best effort: an unreadable reference keeps everything of that channel). */
export async function collectSegments(indexDir: string, channels: readonly Channel[], fs: StoreFs): Promise<void> {
  const gens = (await fs.readdir(indexDir)).filter((n) => /^gen-\d+$/.test(n));
  for (const ch of channels) {
    if (!(ch instanceof SegmentedChannel)) continue;
    const keep: string[] = [];
    let ok = true;
    for (const g of gens) {
      try {
        const ref = JSON.parse(new TextDecoder().decode(await fs.readFile(path.join(indexDir, g, segmentsRefFile(ch.name))))) as { manifest?: unknown };
        if (typeof ref.manifest !== 'string') ok = false;
        else keep.push(ref.manifest);
      } catch (e) {
        // a generation folder removed meanwhile names nothing; anything else: keep all
        if ((e as NodeJS.ErrnoException)?.code !== 'ENOENT' || (await fs.stat(path.join(indexDir, g))) !== null) ok = false;
      }
    }
    if (ok) await ch.collect(keep);
  }
}
