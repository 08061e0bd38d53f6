import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most tests wait on real processes, sockets and disks: two workers on two cores halve the suite.
    maxWorkers: 2,
    minWorkers: 1,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    // The JSON report lets .ci/run print "N passed, N failed" from the plain `npm test`.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
