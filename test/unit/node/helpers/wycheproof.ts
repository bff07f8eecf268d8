/** Test helper: Project Wycheproof's Ed25519 vectors, read in place from the shared folder. */
import * as fs from 'node:fs';

export interface WycheproofCase {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly valid: boolean;
  readonly pk: Buffer;
  readonly msg: Buffer;
  readonly sig: Buffer;
}

interface RawFile {
  numberOfTests: number;
  testGroups: {
    publicKey: { pk: string };
    tests: { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: string }[];
  }[];
}

/** Loads every case; `file` is resolved by the test file from its own directory. */
export function loadWycheproof(file: string): { numberOfTests: number; cases: WycheproofCase[] } {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RawFile;
  const cases = raw.testGroups.flatMap((g) =>
    g.tests.map((t) => {
      if (t.result !== 'valid' && t.result !== 'invalid')
        throw new Error(`tcId ${t.tcId}: unexpected result ${t.result}`);
      return {
        tcId: t.tcId,
        comment: t.comment,
        flags: t.flags,
        valid: t.result === 'valid',
        pk: Buffer.from(g.publicKey.pk, 'hex'),
        msg: Buffer.from(t.msg, 'hex'),
        sig: Buffer.from(t.sig, 'hex'),
      };
    }),
  );
  return { numberOfTests: raw.numberOfTests, cases };
}
