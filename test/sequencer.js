// Runs unit tests first, then synth tests, then the integration suite (real OpenTofu + VaultServer),
// so a fast failure surfaces before the slow suite starts.
const Sequencer = require('@jest/test-sequencer').default;

const rank = (path) => (path.includes('/integration/') ? 2 : path.includes('/synth/') ? 1 : 0);

class PlatformTrustSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = PlatformTrustSequencer;
