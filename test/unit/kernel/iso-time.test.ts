import fc from 'fast-check';
import { parseIsoUtc as constructParse } from '../../../lib/core/validation';
import { isoUtcProblems, parseIsoUtc } from '../../../lib/kernel/iso-time';

describe('one ISO 8601 UTC grammar', () => {
  test.each([
    ['2026-01-31T00:00:00Z', Date.UTC(2026, 0, 31)],
    ['1970-01-01T00:00:00Z', 0],
    ['2028-02-29T23:59:59.999Z', Date.UTC(2028, 1, 29, 23, 59, 59, 999)],
    ['2026-01-31T00:00:00.123456789Z', Date.UTC(2026, 0, 31, 0, 0, 0, 123)],
  ])('accepts %s', (text, ms) => {
    expect(parseIsoUtc(text)).toBe(ms);
    expect(isoUtcProblems(text, 'until')).toEqual([]);
  });

  test.each([
    '1969-12-31T23:59:59Z',
    '2026-02-29T00:00:00Z',
    '2026-01-31T24:00:00Z',
    '2026-01-31T23:60:00Z',
    '2026-01-31T23:59:60Z',
    '2026-01-31T00:00:00.Z',
    '2026-01-31T00:00:00.1234567890Z',
    '2026-01-31T00:00:00+00:00',
    '2026-01-31 00:00:00Z',
    ' 2026-01-31T00:00:00Z',
    42,
    undefined,
  ])('refuses %p', (value) => {
    expect(parseIsoUtc(value)).toBeUndefined();
    expect(isoUtcProblems(value, 'until')).toEqual([expect.objectContaining({ code: 'iso-time', path: 'until' })]);
  });

  test('the constructs parse by the same grammar (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (d) => {
        const text = d.toISOString();
        expect(parseIsoUtc(text)).toBe(d.getTime());
        expect(constructParse('until', text)).toBe(d.getTime());
      }),
    );
  });
});
