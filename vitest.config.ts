import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: ['tests/**/*.test.ts'],
    // Lab tests share one set of kernel namespaces: run test files one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    // A file's first hook may build the dashboard (minutes on a loaded two-core machine) before its server starts.
    hookTimeout: 900_000,
  },
});
