import { ANY_RESOURCE } from '../applies-to';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { readObject } from '../private/values';

/** Commands that copy to or run on another machine. */
const PUSH_COMMAND_RE =
  /(?:^|[\s;&|(`])(ssh|scp|sftp|rsync|ansible|ansible-playbook|salt|kubectl\s+(?:cp|exec))(?=\s|$)/;

/** The provisioners of a resource as `[type, body]` pairs (the JSON form is a list of one-key objects). */
function provisioners(value: unknown): Array<[string, Readonly<Record<string, unknown>>]> {
  const out: Array<[string, Readonly<Record<string, unknown>>]> = [];
  for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
    const o = readObject(item);
    if (!o) continue;
    for (const [type, body] of Object.entries(o)) out.push([type, readObject(body) ?? {}]);
  }
  return out;
}

/**
 * Terraform never pushes to nodes (invariant 8): the rendered bundle lives in a platform-owned path that the
 * control plane reads and serves. A resource with a `connection` block, a `remote-exec` or `file` provisioner,
 * or a `local-exec` provisioner that runs ssh, scp, rsync, ansible or the like reaches machines directly.
 */
export const NoPushToNodes: ElementRule = {
  id: 'PlatformTrust-NoPushToNodes',
  scope: 'element',
  supportedResources: [ANY_RESOURCE],
  level: CheckLevel.ERROR,
  description: 'Terraform must not push anything to nodes: the control plane is the only distributor of node trust',
  fix: 'Remove the provisioner or connection block. Publish what nodes need with BootstrapBundle (a platform-owned KV path and plan outputs) and let the control plane serve it.',
  check(element) {
    if (element.kind !== 'resource') return notApplicable('not a resource');
    const details: string[] = [];
    if (element.config.connection !== undefined) {
      details.push(`${element.address} has a connection block: it reaches a machine over SSH or WinRM`);
    }
    for (const [type, body] of provisioners(element.config.provisioner)) {
      if (type === 'remote-exec' || type === 'file') {
        details.push(`${element.address} has a "${type}" provisioner: it writes to or runs on another machine`);
      } else if (type === 'local-exec' && typeof body.command === 'string') {
        const m = PUSH_COMMAND_RE.exec(body.command);
        if (m) details.push(`${element.address} runs "${m[1]}" in a local-exec provisioner`);
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
