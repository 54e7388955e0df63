import { defineConfig } from '@playwright/test';

/** Debian's Chromium; browsers are never downloaded (see README). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const APP_PORT = Number(process.env.E2E_PORT ?? 4173);
/** The test relay's ports (apart from a developer's own relay on 9090/9091). */
export const E2E_RELAY_PORT = Number(process.env.E2E_RELAY_PORT ?? 9190);
export const E2E_RELAY_HTTP_PORT = Number(process.env.E2E_RELAY_HTTP_PORT ?? 9191);

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      command: `npx vite build --logLevel warn && npx vite preview --port ${APP_PORT} --strictPort`,
      url: `http://localhost:${APP_PORT}`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: { PORT: String(APP_PORT) },
    },
    {
      command: 'npx tsx relay/main.ts',
      url: `http://localhost:${E2E_RELAY_HTTP_PORT}/multiaddrs`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { RELAY_PORT: String(E2E_RELAY_PORT), RELAY_HTTP_PORT: String(E2E_RELAY_HTTP_PORT), RELAY_DATA_DIR: 'reports/relay-data' },
    },
  ],
});
