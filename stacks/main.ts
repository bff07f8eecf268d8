/**
 * The cdktf app: `npm run synth` (and `cdktf synth`) run this compiled file.
 * Writes cdktf.out/stacks/<env>/cdk.tf.json for each environment selected.
 */
import { buildApp } from './app';
import { dev, environments } from './environments';

// PLATFORM_TRUST_ENVS=dev,staging picks environments; the default is the dev environment.
const wanted = (process.env.PLATFORM_TRUST_ENVS ?? dev.name)
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const selected = wanted.includes('all') ? environments : environments.filter((e) => wanted.includes(e.name));
if (selected.length === 0) {
  console.error(
    `No environment matches PLATFORM_TRUST_ENVS=${JSON.stringify(wanted.join(','))}; known: ${environments.map((e) => e.name).join(', ')}, all`,
  );
  process.exit(2);
}
buildApp(selected).synth();
