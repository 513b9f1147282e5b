import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  // JSX for the console's component tests (web/src/**/*.test.tsx, which run in happy-dom by a file comment).
  plugins: [react()],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits on a condition; its default limit (1 s) fails on a busy machine (a page navigating, a
    // controller catching up), so a poll that names no limit gets a generous one.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    pool: 'forks',
  },
});
// vitest loads the default export of its config file; this is the one default export the project allows.
export default config;
