/**
 * Findings of the rule pack as a SARIF 2.1.0 log, the format code-scanning UIs read: one run, the pack's rules as
 * the tool's rules, one result per finding located in the JSON file (the line of the element's block when it can
 * be found) and named by its Terraform address. Suppressed findings carry a suppression with the reason.
 */
import type { JsonCheckFinding } from '../checks/json-checks';
import { CheckLevel, CheckRuleInfo } from '../checks/types';

/** The findings of one checked file. */
export interface CheckedFile {
  /** The file as given on the command line, relative to where the command ran (the SARIF artifact URI). */
  readonly uri: string;
  /** The file's text, to find the line of each element. */
  readonly text: string;
  readonly findings: readonly JsonCheckFinding[];
}

const SARIF_LEVEL: Record<CheckLevel, string> = {
  [CheckLevel.ERROR]: 'error',
  [CheckLevel.WARNING]: 'warning',
};

/** The SARIF 2.1.0 log of the checked files. */
export function toSarif(
  files: readonly CheckedFile[],
  rules: readonly CheckRuleInfo[],
  tool: { readonly name: string; readonly version: string },
): Record<string, unknown> {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: Record<string, unknown>[] = [];
  for (const file of files) {
    for (const f of file.findings) {
      const line = f.address !== undefined ? lineOfAddress(file.text, f.address) : undefined;
      results.push({
        ruleId: f.ruleId,
        ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
        level: SARIF_LEVEL[f.level],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: file.uri },
              region: { startLine: line ?? 1 },
            },
            logicalLocations: [
              { fullyQualifiedName: f.address ?? f.path, kind: f.address !== undefined ? 'resource' : 'module' },
            ],
          },
        ],
        partialFingerprints: { platformTrustFinding: `${f.ruleId}|${f.address ?? f.path}|${f.detail}` },
        ...(f.suppression ? { suppressions: [{ kind: 'inSource', justification: f.suppression.reason }] } : {}),
      });
    }
  }
  return {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              help: { text: r.fix },
              defaultConfiguration: { level: SARIF_LEVEL[r.level] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

/**
 * The 1-based line where an element's block starts in pretty-printed Terraform JSON: the line of its id key after
 * the line of its type key (`"vault_policy": {` ... `"Policy_3F2A": {`). Undefined when it cannot be found.
 */
export function lineOfAddress(text: string, address: string): number | undefined {
  const parts = address.split('.');
  let keys: string[];
  if (parts[0] === 'data' && parts.length >= 3) keys = ['data', parts[1], parts.slice(2).join('.')];
  else if (parts[0] === 'local' && parts.length >= 2) keys = ['locals', parts.slice(1).join('.')];
  else if (parts[0] === 'output' && parts.length >= 2) keys = ['output', parts.slice(1).join('.')];
  else if (parts.length >= 2) keys = ['resource', parts[0], parts.slice(1).join('.')];
  else return undefined;
  let at = 0;
  for (const key of keys) {
    const found = text.indexOf(`${JSON.stringify(key)}:`, at);
    if (found < 0) return undefined;
    at = found + 1;
  }
  let line = 1;
  for (let i = 0; i < at - 1; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
