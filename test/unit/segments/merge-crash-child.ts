// Child of merge-crash.test.ts: opens the store and merges every segment into one, killing
// itself with SIGKILL at the nth time the commit reaches `stage` ('-' = never; the parent may
// kill it at any moment instead).
import { SegmentedStore } from '../../../src/segments/index.js';

const [dir, stage, nth] = process.argv.slice(2) as [string, string, string];
let seen = 0;
const store = await SegmentedStore.open(dir, {
  onStage: (s) => {
    if (s === stage && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('ready\n');
await store.optimize();
process.stdout.write('done\n');
