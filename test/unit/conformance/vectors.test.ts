// Our node side runs every committed conformance vector (conformance/vectors/*.json, generated from real applies by
// test/integration/conformance-vectors.test.ts) and returns its expected verdict and reason.
import { FILE_OF_KIND, VECTOR_FILE_FORMAT, VECTOR_KINDS, Vector, readVectorFiles, runVector } from './vectors';

const files = readVectorFiles();
const vectors: Vector[] = [...files.values()].flatMap((f) => f.vectors);

describe('GIVEN the committed conformance vectors', () => {
  test('THEN every file has the vector file format, and every vector its kind, an id used once and a description', () => {
    expect([...files.keys()].sort()).toEqual([...new Set(Object.values(FILE_OF_KIND))].sort());
    for (const [name, file] of files) {
      expect([name, file.format]).toEqual([name, VECTOR_FILE_FORMAT]);
      for (const v of file.vectors) {
        expect(VECTOR_KINDS).toContain(v.kind);
        expect([v.id, FILE_OF_KIND[v.kind]]).toEqual([v.id, name]);
        expect(v.id.startsWith(`${v.kind}/`)).toBe(true);
        expect(v.description.length).toBeGreaterThan(5);
        expect(typeof v.expected.ok).toBe('boolean');
        expect(v.expected.ok ? v.expected.reason : typeof v.expected.reason).toBe(v.expected.ok ? undefined : 'string');
      }
    }
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
  });

  test('THEN every kind has accepted and refused vectors', () => {
    for (const kind of VECTOR_KINDS) {
      const of = vectors.filter((v) => v.kind === kind);
      expect([kind, of.some((v) => v.expected.ok)]).toEqual([kind, true]);
      expect([kind, of.some((v) => !v.expected.ok)]).toEqual([kind, true]);
    }
  });

  test.each(vectors.map((v) => [v.id, v]))('WHEN %s runs THEN our node side returns its expected verdict', (_id, v) => {
    expect(runVector(v)).toEqual(v.expected);
  });

  test('WHEN a vector is changed THEN the verdict changes (the runner can fail)', () => {
    const valid = vectors.find((v) => v.id === 'task/valid-active')!;
    const tampered = { ...valid, input: { ...valid.input, message_base64: Buffer.from('other').toString('base64') } };
    expect(runVector(tampered)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
