/** The integration suite: real OpenTofu against a real OpenBao, run in band after unit and synth tests. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/integration'],
  setupFiles: ['<rootDir>/test/integration/setup-env.ts'],
  testTimeout: 600000,
  maxWorkers: 1,
};
