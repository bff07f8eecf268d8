/**
 * A small reader for Vault policy text (the HCL subset policies use, and the JSON form), and a per-path diff
 * of two policies. Pure: no cdktf, no Vault.
 *
 * Read: `path "<path>" { ... }` blocks with `capabilities`, the legacy `policy = "read"` shorthand,
 * `required_parameters`, `allowed_parameters` / `denied_parameters` (as `name = { ... }` maps or as nested
 * blocks) and any other attribute (kept as canonical JSON text, for example `min_wrapping_ttl`). Comments
 * (`#`, `//`, `/* *\/`) and heredoc strings are accepted. Blocks for the same path are merged the way Vault
 * merges them: capabilities and parameter values are united.
 *
 * Layout: `policy-hcl-types` (the model and `PolicyTextError`), `private/policy-hcl-syntax` (tokens and syntax
 * tree), `policy-hcl-parse` (`parsePolicy`), `policy-hcl-diff` (`diffPolicies` and its line renderers). This file
 * is the public entry point: import from here.
 */
export { PolicyTextError, sortCapabilities } from './policy-hcl-types';
export type { ParameterMap, ParsedPolicy, PolicyPathDiff, PolicyPathRule } from './policy-hcl-types';
export { parsePolicy } from './policy-hcl-parse';
export { diffPolicies, paramsText, ruleDetails } from './policy-hcl-diff';
