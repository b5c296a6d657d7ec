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
import { invalid } from '../errors.js';
import { checkMergeOptions, type TieredMergeOptions } from '../segments/index.js';
import type { MergePolicyOptions } from './types.js';

/**
 * Checks a `mergePolicy` option against the index's channels and returns each channel's
 * settings (the index-wide ones with the channel's own over them); null when the option is
 * absent. INVALID_ARGUMENT: not an object, an unknown setting or channel name, a value out of
 * range, or an index without segment storage. Changes nothing.
 */
export function resolveMergePolicy(raw: MergePolicyOptions | undefined, channelNames: readonly string[], segmented: boolean): Map<string, TieredMergeOptions> | null {
  if (raw === undefined) return null;
  if (!segmented) invalid('INVALID_ARGUMENT', "mergePolicy applies to storage: 'segments' only (the default storage has no segments to merge)");
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) invalid('INVALID_ARGUMENT', `mergePolicy must be an object of merge settings, got ${JSON.stringify(raw)}`);
  const { channels, ...common } = raw;
  checkMergeOptions(common, 'mergePolicy');
  if (channels !== undefined && (channels === null || typeof channels !== 'object' || Array.isArray(channels))) invalid('INVALID_ARGUMENT', `mergePolicy.channels must be an object keyed by channel name, got ${JSON.stringify(channels)}`);
  const own = channels ?? {};
  for (const name of Object.keys(own)) {
    if (!channelNames.includes(name)) invalid('INVALID_ARGUMENT', `mergePolicy.channels: the index has no channel '${name}' (it has ${channelNames.map((n) => `'${n}'`).join(', ')})`);
    checkMergeOptions(own[name], `mergePolicy.channels.${name}`);
  }
  return new Map(channelNames.map((n) => [n, { ...common, ...(Object.hasOwn(own, n) ? own[n] : {}) }]));
}

/** Sets each segmented channel's merge settings (from {@link resolveMergePolicy}). */
export function applyMergePolicy(channels: Iterable<Channel>, policy: Map<string, TieredMergeOptions> | null): void {
  if (policy === null) return;
  for (const ch of channels) if (ch instanceof SegmentedChannel) ch.mergePolicy = policy.get(ch.name);
}

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
