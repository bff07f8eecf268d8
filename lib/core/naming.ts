import { validateName } from './validation';

/**
 * Naming helpers: every Vault object this library creates gets its name from here,
 * so names are predictable from the environment and the role they play.
 */

/** `<env>-<purpose>`, validated as a Vault name. */
export function scopedName(environment: string, purpose: string): string {
  return validateName('generated name', `${environment}-${purpose}`);
}

/** Name of a policy derived from what it is for, for example `dev-task-signer-sign`. */
export function policyName(environment: string, subject: string, role: string): string {
  return validateName('policy name', `${environment}-${subject}-${role}`);
}

/** Joins Vault path segments with single "/" and no leading or trailing "/". */
export function joinPath(...segments: string[]): string {
  return segments
    .flatMap((s) => s.split('/'))
    .filter((s) => s.length > 0)
    .join('/');
}
