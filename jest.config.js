/** Unit and synth tests run first; the integration suite (real OpenTofu + OpenBao) runs after them in band. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // @noble/ed25519 ships ES modules only: let ts-jest turn it into CommonJS for the test runtime.
  transformIgnorePatterns: ['/node_modules/(?!@noble/)'],
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 60000,
};
