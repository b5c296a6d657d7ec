import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEncoder } from '../../../src/encode/index.js';

const root = mkdtempSync(join(tmpdir(), 'trident-name-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('EncoderInfo.name says which model ran', () => {
  it('is static-en for the built-in model (its id starts with the layout family, bge-m3)', async () => {
    const enc = await loadEncoder('builtin:static-en');
    expect(enc.info.name).toBe('static-en');
    expect(enc.info.id).toMatch(/^bge-m3-fp32-[0-9a-f]{16}$/);
    const builtinId = enc.info.id;
    await enc.close();
    // the same files in a directory without a name in trident.json: the directory's name; same identity
    const dir = join(root, 'my-static-model');
    cpSync(join(import.meta.dirname, '../../../src/models/static-en'), dir, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(dir, 'trident.json'), 'utf8')) as Record<string, unknown>;
    delete cfg.name;
    writeFileSync(join(dir, 'trident.json'), JSON.stringify(cfg));
    const copy = await loadEncoder(dir);
    expect(copy.info.name).toBe('my-static-model');
    expect(copy.info.id).toBe(builtinId);
    await copy.close();
  });
});
