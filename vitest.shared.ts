// The vitest settings every workspace package shares: tests import our
// packages from their TypeScript sources (the "@asyncio-ts/source" export
// condition), and each run writes test-results.json for the root summary.
import { defineConfig } from 'vitest/config';

export const sourceCondition = '@asyncio-ts/source';

export function sharedConfig(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: [sourceCondition, 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: [sourceCondition, 'module', 'node', 'import', 'default'] } },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 20_000,
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    },
  });
}
