import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * Every package's tests resolve workspace packages to their TypeScript source (the `source` export
 * condition), so a test run never depends on a stale build of a sibling package.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every hub started by a test fails an answer its response schema would strip (hub/src/http/response-check.ts).
    env: { VIGIL_CHECK_RESPONSES: '1' },
  },
})
