/**
 * The segments glue of HybridIndex.save. Each segmented channel's save writes its commit
 * (new segment files, deletion bitmaps, the versioned list) before the index manifest is
 * replaced, without adopting it; {@link settleSegments} adopts every channel's commit once the
 * manifest was replaced, or removes what the save wrote when it failed before (so a failed
 * save leaves the directory byte-identical, cleanup permitting).
 *
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

/**
 * After a save of a segmented index: `committed` (the manifest was replaced) adopts each
 * segmented channel's commit; otherwise aborts it, removing its files through the seam (best
 * effort). Never throws.
 */
export async function settleSegments(channels: readonly Channel[], committed: boolean): Promise<void> {
  for (const ch of channels) if (ch instanceof SegmentedChannel) await ch.settleSave(committed);
}

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
