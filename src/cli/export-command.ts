/** `trident export`: a saved index → a Qdrant collection (see qdrant/export.ts). */
import { exportToQdrant } from '../qdrant/export.js';
import { ProgressBar } from './progress.js';
import type { CliIo } from './run.js';

/** Runs the export and prints what was sent and skipped. */
export async function runExportCommand(dir: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const apiKey = (values['api-key'] as string | undefined) ?? process.env.QDRANT_API_KEY;
  let bar: ProgressBar | null = null;
  const r = await exportToQdrant(dir, {
    url: values.qdrant as string,
    collection: values.collection as string,
    ...(apiKey ? { apiKey } : {}),
    ...(values.batch !== undefined ? { batchSize: values.batch as number } : {}),
    ...(values.shards !== undefined ? { shards: values.shards as number } : {}),
    ...(values.replicas !== undefined ? { replicas: values.replicas as number } : {}),
    onProgress: (p) => {
      bar ??= new ProgressBar('exporting', p.total, { write: io.err, tty: io.errIsTTY || values.progress === true });
      bar.update(p.done);
    },
  });
  (bar as ProgressBar | null)?.done();
  io.out(`exported ${r.documents} documents from ${dir} to ${values.qdrant as string} collection '${values.collection as string}': ${r.sent} sent, ${r.skipped} already there\n`);
  return 0;
}
