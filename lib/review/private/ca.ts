/**
 * The control-plane CA: root issuers that change, default-issuer changes (named, not ids), and the public HTTPS
 * roots the bundle carries, with their pins. Internal to lib/review.
 */
import { certificateFacts } from '../certificate-facts';
import type { BundleRootsChange, CaChanges, DefaultIssuerChange, IssuerChange, RootView } from '../explanation';
import { PlanChange, actionKind, attrs, isUnknown, str, wholeNumber } from '../plan-json';
import { bundleOutputs, isBundle } from './bundle-read';
import { Context, Entry, configReferences, outputSide } from './context';

/** Root issuers that change, default-issuer changes (named, not ids), and the bundle's roots with their pins. */
export function explainCa(ctx: Context): CaChanges {
  const issuerNames = new Map<string, string>();
  for (const e of ctx.all) {
    if (e.type !== 'vault_pki_secret_backend_root_cert' && e.type !== 'vault_pki_secret_backend_issuer') continue;
    for (const v of [e.before, e.after]) {
      const id = str(v, 'issuer_id');
      const n = str(v, 'issuer_name');
      if (id && n) issuerNames.set(id, n);
    }
  }
  const issuers: IssuerChange[] = [];
  for (const e of ctx.managed.filter((x) => x.type === 'vault_pki_secret_backend_root_cert' && x.kind !== 'no-op')) {
    const v = e.after ?? e.before;
    const keyType = str(v, 'key_type');
    const bits = wholeNumber(v?.key_bits);
    const beforeFacts = certificateFacts(e.before?.certificate);
    const afterFacts =
      e.after && !(e.rc && isUnknown(e.rc.change, 'certificate')) ? certificateFacts(e.after.certificate) : undefined;
    const backend = str(v, 'backend');
    const issuerName = str(v, 'issuer_name');
    const commonName = str(v, 'common_name');
    issuers.push({
      address: e.address,
      action: e.kind,
      ...(backend ? { backend } : {}),
      ...(issuerName ? { issuerName } : {}),
      ...(commonName ? { commonName } : {}),
      ...(keyType ? { keyType: bits ? `${keyType}-${bits}` : keyType } : {}),
      ...(beforeFacts ? { before: beforeFacts } : {}),
      ...(afterFacts ? { after: afterFacts } : {}),
    });
  }
  const defaultIssuers: DefaultIssuerChange[] = [];
  const nameOf = (id: string | undefined) => (id === undefined ? undefined : (issuerNames.get(id) ?? id));
  for (const e of ctx.managed.filter(
    (x) => x.type === 'vault_pki_secret_backend_config_issuers' && x.kind !== 'no-op',
  )) {
    const before = nameOf(str(e.before, 'default'));
    let after = e.rc && isUnknown(e.rc.change, 'default') ? undefined : nameOf(str(e.after, 'default'));
    if (after === undefined && e.after) {
      // Unknown until apply: name the issuer the configuration points at.
      const ref = configReferences(ctx.plan, e.address, 'default').find((r) => /\.issuer_id$/.test(r));
      const target = ref ? ctx.byAddress.get(ref.replace(/\.issuer_id$/, '')) : undefined;
      const n = str(target?.after, 'issuer_name');
      if (n) after = `${n} (new issuer)`;
    }
    if (e.kind === 'update' && before === after) continue;
    const backend = str(e.after ?? e.before, 'backend');
    defaultIssuers.push({
      address: e.address,
      action: e.kind,
      ...(backend ? { backend } : {}),
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    });
  }
  const bundleRoots = bundleOutputs(ctx)
    .map(([name, c]) => explainBundleRoots(ctx, name, c, issuers, defaultIssuers))
    .filter((r): r is BundleRootsChange => r !== undefined);
  return { issuers, defaultIssuers, bundleRoots };
}

export function rootViews(bundle: unknown): RootView[] | undefined {
  if (!isBundle(bundle)) return undefined;
  const roots = attrs(bundle.public_https_trust)?.roots;
  return (Array.isArray(roots) ? roots : []).map((r) => {
    const o = attrs(r) ?? {};
    const facts = certificateFacts(o.pem);
    return {
      state: typeof o.state === 'string' ? o.state : '?',
      ...(typeof o.until === 'string' ? { until: o.until } : {}),
      ...(facts ? { facts } : {}),
    };
  });
}

function nodeCertPins(bundle: unknown): string[] | undefined {
  if (!isBundle(bundle)) return undefined;
  const pems = attrs(bundle.node_cert_trust)?.pems;
  return (Array.isArray(pems) ? pems : []).map((p) => certificateFacts(p)?.pin ?? '?');
}

function explainBundleRoots(
  ctx: Context,
  name: string,
  c: PlanChange,
  issuers: readonly IssuerChange[],
  defaultIssuers: readonly DefaultIssuerChange[],
): BundleRootsChange | undefined {
  if (actionKind(c.actions) === 'no-op') return undefined;
  const rb = rootViews(outputSide(c, 'before'));
  const ra = rootViews(outputSide(c, 'after'));
  const nb = nodeCertPins(outputSide(c, 'before'));
  const na = nodeCertPins(outputSide(c, 'after'));
  const nodePinsChanged =
    !!nb && (na === undefined ? isUnknown(c) && nodeCaChanges(ctx.managed, nb) : nb.join() !== na.join());
  const expected: string[] = [];
  if (!ra) {
    for (const i of issuers.filter((x) => x.action === 'create' || x.action === 'replace')) {
      const d = defaultIssuers.find((x) => x.backend === i.backend);
      const becomesDefault = !!d?.after && i.issuerName !== undefined && d.after.startsWith(i.issuerName);
      expected.push(
        `\`${i.issuerName ?? i.address}\` (in \`${i.backend ?? '?'}\`) joins the bundle as \`${becomesDefault ? 'current' : 'next'}\`${becomesDefault ? ': it also becomes the default issuer' : ': the default issuer does not change'}.`,
      );
    }
  }
  if (rb && ra && JSON.stringify(rb) === JSON.stringify(ra) && !nodePinsChanged) return undefined;
  // Unknown after, and nothing in the plan touches a root: the roots are expected to stay as they are.
  if (!ra && !expected.length && !issuers.length && !defaultIssuers.length && !nodePinsChanged) return undefined;
  if (!rb && !ra && !expected.length) return undefined;
  return {
    output: name,
    ...(rb ? { before: rb } : {}),
    ...(ra ? { after: ra } : {}),
    ...(nodePinsChanged && nb ? { nodeCertPins: { before: nb, ...(na ? { after: na } : {}) } } : {}),
    expected,
  };
}

/** True when the plan changes the node-cert CA chain: an intermediate, or a root whose pin is in the chain. */
export function nodeCaChanges(managed: readonly Entry[], chainPins: readonly string[]): boolean {
  return managed.some((e) => {
    if (e.kind === 'no-op') return false;
    if (
      e.type === 'vault_pki_secret_backend_root_sign_intermediate' ||
      e.type === 'vault_pki_secret_backend_intermediate_set_signed'
    ) {
      return true;
    }
    const pin =
      e.type === 'vault_pki_secret_backend_root_cert' ? certificateFacts(e.before?.certificate)?.pin : undefined;
    return pin !== undefined && chainPins.includes(pin);
  });
}
