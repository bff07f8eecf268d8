import { ALL_ELEMENTS } from '../applies-to';
import { BundleFile, findBundlePaths } from '../private/bundle-paths';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

const LABEL: Record<BundleFile, string> = {
  publicHttpsBundle: 'the public HTTPS CA bundle (GPUAAS_CA_BUNDLE_PATH)',
  nodeCertBundle: 'the node-cert CA bundle (GPUAAS_NODE_CERT_CA_BUNDLE_PATH)',
  taskVerifiers: 'the task verifier set',
};

/**
 * The public HTTPS trust bundle, the node-cert CA bundle and the verifier set land in three different files
 * (invariant 5). Looks at every resource, data source, local and output, whatever renders the bundle: the
 * BootstrapBundle construct refuses equal paths itself; this catches hand-written bundles and env files.
 */
export const BundleSamePath: ElementRule = {
  id: 'PlatformTrust-BundleSamePath',
  scope: 'element',
  supportedResources: ALL_ELEMENTS,
  level: CheckLevel.ERROR,
  description: 'The public HTTPS CA bundle and the node-cert CA bundle must be written to different files',
  fix: 'Give GPUAAS_CA_BUNDLE_PATH, GPUAAS_NODE_CERT_CA_BUNDLE_PATH and the verifier file three distinct paths (the BootstrapBundle defaults already differ).',
  check(element) {
    const found = findBundlePaths(element.config);
    const files = (Object.keys(found) as BundleFile[]).filter((f) => found[f].size > 0);
    if (files.length === 0) return notApplicable('no bundle paths');
    const details: string[] = [];
    for (let i = 0; i < files.length; i++) {
      for (let j = i + 1; j < files.length; j++) {
        for (const [path, whereA] of found[files[i]]) {
          const whereB = found[files[j]].get(path);
          if (whereB === undefined) continue;
          details.push(
            `${LABEL[files[i]]} and ${LABEL[files[j]]} both use ${JSON.stringify(path)} (${whereA} and ${whereB})`,
          );
        }
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
