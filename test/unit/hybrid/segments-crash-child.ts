// Child of segments-crash.test.ts: opens a segments index, then `save` (adds documents first)
// or `optimize` (merges every segment). With `manifest` it kills itself with SIGKILL just
// before the index manifest's rename (segments and segment lists written, commit point not
// reached); with `-` the parent may kill it at any moment.
import { HybridIndex } from '../../../src/index.js';
import { nodeFs, type StoreFs } from '../../../src/store/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { segDocs } from './segments-crash-docs.js';

const [dir, op, kill] = process.argv.slice(2) as [string, 'save' | 'optimize', 'manifest' | '-'];
const fs: StoreFs = {
  ...nodeFs,
  rename: async (from, to) => {
    if (kill === 'manifest' && to.endsWith('manifest.json')) process.kill(process.pid, 'SIGKILL');
    return nodeFs.rename(from, to);
  },
};
const index = await HybridIndex.open(dir, { encoder: new FakeEncoder(), fs });
if (op === 'save') await index.add(segDocs(90_000, 400, 77));
process.stdout.write('ready\n');
if (op === 'save') await index.save();
else await index.optimize();
await index.close();
process.stdout.write('done\n');
