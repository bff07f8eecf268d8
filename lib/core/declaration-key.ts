// No cdktf import: the checks read this key from synthesized JSON without loading cdktf (lib/checks/json-view.ts).

/** Key of the declarations object in an element's "//" block. */
export const DECLARATIONS_JSON_KEY = 'platform_trust_declares';
