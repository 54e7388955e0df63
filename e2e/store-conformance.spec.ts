import { expect, test } from '@playwright/test';

test('the Store conformance suite passes on real IndexedDB in Chromium', async ({ page }) => {
  await page.goto('/harness.html');
  const results = await page.evaluate(() => (window as unknown as { conformance: Promise<Array<{ name: string; ok: boolean; error?: string }>> }).conformance);
  expect(results.length).toBeGreaterThan(5);
  for (const r of results) expect(r, r.name).toEqual({ name: r.name, ok: true });
});
