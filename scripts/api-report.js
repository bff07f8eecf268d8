// The API reports of the package's entry points (api/<entry>.api.md), made by API Extractor from the compiled
// declarations in dist/ (run `npm run build` first). An API change is a reviewed diff of these files.
//
//   node scripts/api-report.js          check: fails when a report differs from what the code declares
//   node scripts/api-report.js --update  rewrite the reports (commit them with the change)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const ENTRIES = [
  { report: 'main', dts: 'dist/lib/index.d.ts' },
  { report: 'node', dts: 'dist/lib/node/index.d.ts' },
  { report: 'control-plane', dts: 'dist/lib/control-plane/index.d.ts' },
  { report: 'review', dts: 'dist/lib/review/index.d.ts' },
];

const update = process.argv.includes('--update');
const root = path.resolve(__dirname, '..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-trust-api-'));
let failed = false;
try {
  for (const entry of ENTRIES) {
    const dts = path.join(root, entry.dts);
    if (!fs.existsSync(dts)) {
      console.error(`api-report: ${entry.dts} is missing: run npm run build first`);
      process.exit(1);
    }
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: root,
        mainEntryPointFilePath: dts,
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: 'ES2022',
              module: 'commonjs',
              moduleResolution: 'node',
              lib: ['ES2022'],
              types: ['node'],
              strict: true,
              esModuleInterop: true,
              skipLibCheck: true,
            },
            include: ['dist/lib/**/*.d.ts', 'dist/stacks/**/*.d.ts'],
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: entry.report,
          reportFolder: path.join(root, 'api'),
          reportTempFolder: temp,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning', addToApiReportFile: true },
            // The package has one release level: everything exported is public.
            'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
            // Reported in the file instead of on the console: reviewers see them next to the declaration.
            'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
            // Missing doc comments are TypeDoc's to report (npm run docs).
            'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
          },
          // Doc comment syntax is TypeDoc's job (npm run docs, warnings as errors).
          tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: path.join(root, 'package.json'),
    });
    const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
    const file = path.join('api', `${entry.report}.api.md`);
    if (result.succeeded) {
      const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n').length;
      console.log(`api-report: ${file} ${update && result.apiReportChanged ? 'updated' : 'matches'} (${lines} lines)`);
    } else {
      failed = true;
      console.error(
        `api-report: ${file} differs from the API in ${entry.dts} (${result.errorCount} errors): review the change, ` +
          'run `npm run api:update` and commit the report',
      );
    }
  }
} finally {
  fs.rmSync(temp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
