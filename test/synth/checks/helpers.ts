import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { VaultProvider, VaultProviderConfig } from '@cdktf/provider-vault/lib/provider';
import { PlatformTrustChecks } from '../../../lib/checks';

/** One annotation as cdktf records it. */
export interface Note {
  readonly level: 'error' | 'warning' | 'info';
  readonly path: string;
  readonly message: string;
}

const LEVELS: Record<string, Note['level']> = {
  '@cdktf/error': 'error',
  '@cdktf/warn': 'warning',
  '@cdktf/info': 'info',
};

/** A stack with the Vault provider (by default no address, no token) and the PlatformTrust pack. */
export function checkedStack(provider: VaultProviderConfig = {}): {
  app: App;
  stack: TerraformStack;
  checks: PlatformTrustChecks;
} {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new VaultProvider(stack, 'vault', provider);
  const checks = new PlatformTrustChecks();
  Aspects.of(stack).add(checks);
  return { app, stack, checks };
}

/** Runs the aspects (`Testing.synth` invokes them) and returns every annotation in the stack. */
export function annotate(stack: TerraformStack): Note[] {
  Testing.synth(stack);
  return notesOf(stack);
}

/** The annotations already recorded in the stack's construct tree. */
export function notesOf(stack: TerraformStack): Note[] {
  return stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type in LEVELS)
        .map((m) => ({ level: LEVELS[m.type], path: c.node.path, message: String(m.data) })),
    );
}

/** The PlatformTrust annotations only, as "<level> <rule id>" strings. */
export function ruleNotes(notes: readonly Note[]): string[] {
  return notes
    .map((n) => ({ level: n.level, id: /^\[(PlatformTrust-[A-Za-z]+)\]/.exec(n.message)?.[1] }))
    .filter((n) => n.id !== undefined)
    .map((n) => `${n.level} ${n.id}`);
}

/** Synthesizes the app to its outdir (as `cdktf synth` does) and reads a stack's cdk.tf.json. */
export function synthToDisk(app: App, stackId: string): Record<string, any> {
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stackId, 'cdk.tf.json'), 'utf8'));
}
