// When the native addon cannot be loaded, the first time a store uses the pure-TS kernels
// trident says so once (default: a Node process warning; routable with setKernelLogger), and
// says nothing when the TS kernels were chosen on purpose. Oracle: the reference MaxSim.
import { afterEach, describe, expect, it, vi } from 'vitest';

type KernelsModule = typeof import('../../../src/kernels/index.js');
type MvModule = typeof import('../../../src/multivector/index.js');

const dim = 4;
const doc = { data: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]), dim, count: 2 };
const query = { data: Float32Array.from([0.6, 0.8, 0, 0]), dim, count: 1 };

/** Fresh copies of the kernel selection and the multi-vector store, with the given env. */
async function fresh(env: Record<string, string>): Promise<{ k: KernelsModule; mv: MvModule }> {
  vi.resetModules();
  for (const [key, v] of Object.entries(env)) vi.stubEnv(key, v);
  const k = await import('../../../src/kernels/index.js');
  const mv = await import('../../../src/multivector/index.js');
  return { k, mv };
}

function scoreOnce(mv: MvModule): number {
  const store = mv.MultiVectorStore.create({ dim, dtype: 'f32', screening: 'none' });
  store.add(0, doc);
  return store.score(query, [0])[0]!;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('native fallback warning', () => {
  it('is said once, through the injected logger, when a store first scores on the TS fallback', async () => {
    const { k, mv } = await fresh({ TRIDENT_NATIVE_DIR: '/nonexistent/trident-native', TRIDENT_KERNELS: '' });
    const seen: string[] = [];
    k.setKernelLogger((m) => seen.push(m));
    expect(k.backend().kind).toBe('js');
    expect(seen).toEqual([]); // nothing at import: only when an index uses the kernels
    expect(scoreOnce(mv)).toBeCloseTo(0.8, 6); // max(0.6·1, 0.8·1) = 0.8
    expect(scoreOnce(mv)).toBeCloseTo(0.8, 6);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/native SIMD addon could not be loaded/);
    expect(seen[0]).toMatch(/pure-TS kernels/);
    expect(seen[0]).toMatch(/npm rebuild trident/);
    expect(seen[0]).toContain(`${process.platform}-${process.arch}`);
    expect(k.backend().kind).toBe('js');
  });

  it('defaults to one Node process warning with code TRIDENT_NATIVE_FALLBACK', async () => {
    const { mv } = await fresh({ TRIDENT_NATIVE_DIR: '/nonexistent/trident-native', TRIDENT_KERNELS: '' });
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    scoreOnce(mv);
    scoreOnce(mv);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![1]).toMatchObject({ code: 'TRIDENT_NATIVE_FALLBACK' });
  });

  it('setKernelLogger(null) silences it', async () => {
    const { k, mv } = await fresh({ TRIDENT_NATIVE_DIR: '/nonexistent/trident-native', TRIDENT_KERNELS: '' });
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    k.setKernelLogger(null);
    scoreOnce(mv);
    expect(spy).not.toHaveBeenCalled();
  });

  it('says nothing when the TS kernels are chosen (TRIDENT_KERNELS=js or setIsa("js"))', async () => {
    const seen: string[] = [];
    const a = await fresh({ TRIDENT_NATIVE_DIR: '/nonexistent/trident-native', TRIDENT_KERNELS: 'js' });
    a.k.setKernelLogger((m) => seen.push(m));
    expect(scoreOnce(a.mv)).toBeCloseTo(0.8, 6);
    const b = await fresh({ TRIDENT_NATIVE_DIR: '/nonexistent/trident-native', TRIDENT_KERNELS: '' });
    b.k.setKernelLogger((m) => seen.push(m));
    b.k.setIsa('js');
    expect(scoreOnce(b.mv)).toBeCloseTo(0.8, 6);
    expect(seen).toEqual([]);
  });

  it('says nothing when the addon loads', async () => {
    const { k, mv } = await fresh({ TRIDENT_KERNELS: '' });
    if (k.backend().kind !== 'native') return; // no build here: covered by the cases above
    const seen: string[] = [];
    k.setKernelLogger((m) => seen.push(m));
    expect(scoreOnce(mv)).toBeCloseTo(0.8, 5);
    expect(seen).toEqual([]);
  });
});
