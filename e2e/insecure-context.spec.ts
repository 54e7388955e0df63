import { expect, test } from '@playwright/test';
import { USER_SDL, addSchema, createDoc, openApp, rowWith, uniqueNode } from './fixtures.js';

// Plain http on a LAN address is not a secure context: no Web Locks, no crypto.subtle, no randomUUID.
// Chromium treats localhost as secure, so remove those APIs before the app loads.
const strip = () => {
  Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
  Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
  Object.defineProperty(Crypto.prototype, 'randomUUID', { value: undefined, configurable: true });
};

test('works without secure-context APIs, and still refuses a second tab', async ({ context }) => {
  await context.addInitScript(strip);
  const page = await context.newPage();
  const node = uniqueNode('insecure');
  await openApp(page, node);
  expect(await page.evaluate(() => [typeof navigator.locks, typeof crypto.subtle])).toEqual(['undefined', 'undefined']);
  await addSchema(page, USER_SDL);
  await createDoc(page, 'User', { name: 'Lan', age: '7' });
  await expect(rowWith(page, 'User', 'Lan')).toContainText('7');
  // Private documents seal and open with pure-JS ciphers (no crypto.subtle needed).
  await page.getByRole('form', { name: 'New User document' }).getByRole('checkbox', { name: 'Private' }).check();
  await createDoc(page, 'User', { name: 'Kept sealed', age: '9' });
  await expect(rowWith(page, 'User', 'Kept sealed')).toContainText('private');
  const second = await context.newPage();
  await second.goto(`/?node=${node}`);
  await expect(second.getByRole('alert')).toContainText('already open in another tab');
  await page.reload();
  await expect(rowWith(page, 'User', 'Lan')).toContainText('7');
  await expect(rowWith(page, 'User', 'Kept sealed')).toContainText('9'); // opened again after the reload
});
