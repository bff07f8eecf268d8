/**
 * A small reader for Vault policy text (the HCL subset policies use, and the JSON form), and a per-path diff
 * of two policies. Pure: no cdktf, no Vault.
 *
 * Read: `path "<path>" { ... }` blocks with `capabilities`, the legacy `policy = "read"` shorthand,
 * `required_parameters`, `allowed_parameters` / `denied_parameters` (as `name = { ... }` maps or as nested
 * blocks; names in lower case, as Vault stores them) and the other keys Vault allows in a path block (kept as
 * canonical JSON text, for example `min_wrapping_ttl`), and a top-level `name`. Comments (`#`, `//`, `/* *\/`)
 * and heredoc strings are accepted. What Vault refuses is refused: another top-level key or path-block key, an
 * unknown capability, a key set twice with `=`, a value of the wrong type, a wrapping TTL that is not a
 * duration (test/integration/policy-reader.test.ts compares the reader with a real server and lists where the
 * two differ, and why). Blocks for the same path are merged the way Vault merges them: capabilities and
 * parameter values are united, an empty parameter list (any value) wins, and `deny` overrides the path's other
 * capabilities and parameters.
 *
 * Layout: `policy-hcl-types` (the model and `PolicyTextError`), `private/policy-hcl-syntax` (tokens and HCL
 * syntax tree), `private/policy-hcl-json` (the JSON form, into the same tree), `private/policy-hcl-values` (keys,
 * capabilities, durations), `policy-hcl-parse` (`parsePolicy`), `policy-hcl-diff` (`diffPolicies` and its line
 * renderers). This file is the public entry point: import from here.
 */
export { PolicyTextError, sortCapabilities } from './policy-hcl-types';
export type { ParameterMap, ParsedPolicy, PolicyPathDiff, PolicyPathRule } from './policy-hcl-types';
export { parsePolicy } from './policy-hcl-parse';
export { diffPolicies, paramsText, ruleDetails } from './policy-hcl-diff';
