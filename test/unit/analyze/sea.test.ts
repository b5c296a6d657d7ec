import { describe, expect, it } from 'vitest';
import { createAnalyzer, ANALYZER_VERSION } from '../../../src/analyze/index.js';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';

// Oracle: segmentations of common Thai / Lao phrases as given in dictionaries
// (ภาษา "language", ไทย "Thai", ง่าย "easy", นิด "a little", เดียว "single";
// ພາສາ "language", ລາວ "Lao").
describe("'auto' analyser: scripts without spaces besides CJK", () => {
  it('splits Thai and Lao runs into dictionary words, and keeps the other scripts as before', () => {
    const a = createAnalyzer('auto');
    expect(a.terms('ภาษาไทยง่ายนิดเดียว')).toEqual(['ภาษา', 'ไทย', 'ง่าย', 'นิด', 'เดียว']);
    expect(a.terms('ພາສາລາວ')).toEqual(['ພາສາ', 'ລາວ']);
    // mixed: English words stemmed, Thai words, CJK bigrams, in text order
    expect(a.terms('Running ภาษาไทย 東京タワー')).toEqual(['run', 'ภาษา', 'ไทย', '東京', '京タ', 'タワ', 'ワー']);
    // text without those scripts is unchanged from version 1
    const v1 = createAnalyzer('auto', { version: 1 });
    for (const t of ['The runners were running', '東京タワーに行く', 'Привет мир']) expect(a.terms(t)).toEqual(v1.terms(t));
  });

  it('version 1 (indexes written before) keeps a Thai run whole; unknown versions are refused', () => {
    const v1 = createAnalyzer('auto', { version: 1 });
    expect(v1.terms('ภาษาไทยง่าย').length).toBe(1);
    expect(ANALYZER_VERSION).toBe(3);
    expect(() => createAnalyzer('auto', { version: 4 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('BM25 finds a Thai document by one word of a longer run', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), bm25: { analyzer: 'auto' } });
    await index.add([
      { id: 'th-lang', text: 'ภาษาไทยง่ายนิดเดียว' },
      { id: 'th-city', text: 'กรุงเทพมหานครเป็นเมืองหลวง' },
      { id: 'en', text: 'English text about languages' },
    ]);
    const hits = await index.search('ไทย', { mode: 'bm25', k: 3 });
    expect(hits.map((h) => h.id)).toEqual(['th-lang']);
    await index.close();
  });
});
