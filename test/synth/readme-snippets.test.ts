import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Every README code block after `<!-- snippet: <file> -->` must be the `snippet:start`..`snippet:end` region of that file. */
describe('README snippets come from compiled examples', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const markers = [...readme.matchAll(/<!-- snippet: (\S+) -->\s*```ts\n([\s\S]*?)\n```/g)];

  test('the README has at least one snippet marker', () => {
    expect(markers.length).toBeGreaterThan(0);
  });

  test.each(markers.map((m) => [m[1], m[2]]))('%s', (file, block) => {
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    const start = source.indexOf('// snippet:start\n');
    const end = source.indexOf('// snippet:end');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(source.slice(start + '// snippet:start\n'.length, end).trimEnd()).toBe(block);
  });
});
