import { describe, expect, it } from 'vitest';
import { NAMESPACE_DNS, NAMESPACE_URL, TRIDENT_POINT_NAMESPACE, pointId, uuidV5 } from '../../../src/qdrant/uuid.js';

// Golden values: RFC 9562 Appendix A.4 (UUIDv5 of "www.example.com" in the DNS namespace),
// the Python documentation's uuid5 example ("python.org"), and the rest printed by
// CPython 3 `uuid.uuid5(namespace, name)` (an independent implementation).
describe('uuidV5', () => {
  it('matches RFC 9562 A.4 and Python uuid.uuid5', () => {
    expect(uuidV5('www.example.com', NAMESPACE_DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('python.org', NAMESPACE_DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('', NAMESPACE_DNS)).toBe('4ebd0208-8328-5d69-8c44-ec50939c0967');
    expect(uuidV5('http://python.org/', NAMESPACE_URL)).toBe('4c565f0d-3f5a-5890-b41b-20cf47701c5e');
    expect(uuidV5('s:café', NAMESPACE_URL)).toBe('fecd4c12-2502-5584-a051-386bf6f89caa');
  });
  it('derives the trident namespace as documented', () => {
    expect(uuidV5('https://trident.dev/qdrant/point-id', NAMESPACE_URL)).toBe(TRIDENT_POINT_NAMESPACE);
  });
  it('maps external ids to stable, type-distinct point ids', () => {
    expect(pointId('doc-1')).toBe('95b81b43-564b-5515-9ac8-74a209767455');
    expect(pointId(1)).toBe('53bf4d10-ff87-5198-9c23-178d2b8bb14a');
    expect(pointId('1')).toBe('d9616b59-d1c2-5ee7-bc6f-3bd6ba0cd462');
    expect(pointId('café 東京')).toBe('117122bd-7b43-5831-b9c1-1411e76ec663');
    expect(pointId(-2.5)).toBe('f8343bc0-ad26-559f-ac19-d1f80d042b69');
  });
  it('refuses bad ids and namespaces with typed errors', () => {
    expect(() => pointId('')).toThrow(/INVALID_ARGUMENT/);
    expect(() => pointId(Number.NaN)).toThrow(/INVALID_ARGUMENT/);
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/INVALID_ARGUMENT/);
  });
});
