import { defineConfig } from "vitest/config";

// One suite for the whole workspace: domain tests are pure and fast; API tests run a real server on a real database
// (SQLite, or PostgreSQL when KEYWARD_TEST_DATABASE_URL names one); browser tests drive Debian's Chromium.
export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "apps/web/e2e/**/*.test.ts",
      "apps/kiosk/e2e/**/*.test.ts",
    ],
    environment: "node",
    pool: "forks",
    // why: the machine has two cores; more workers only fight over them (and over one PostgreSQL)
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
