/**
 * axe-core scans of the app's main states: zero violations of any impact (WCAG 2.0/2.1 A and AA rules plus
 * axe's best practices). Each state is reached the way a user reaches it; a failure prints every violation with
 * its nodes, so the message says what to fix.
 */
import { expect, test } from '@playwright/test';
import { expectNoViolations } from './axe.js';
import { USER_SDL, addSchema, createDoc, link, openAllAddresses, openApp, openTab, rowWith, syncOn, uniqueNode } from './fixtures.js';

test('empty app: no axe violations', async ({ page }) => {
  await openApp(page, uniqueNode('axe-empty'));
  await expectNoViolations(page, 'empty');
});

test('documents with an open edit form and a field error, dialogs and the Query panel: no axe violations', async ({ page }) => {
  await openApp(page, uniqueNode('axe-docs'));
  await addSchema(page, USER_SDL);
  await createDoc(page, 'User', { name: 'Alice', age: '30', verified: true, points: '1.5' });
  await createDoc(page, 'User', { name: 'Bob', age: '41' });
  await expect(rowWith(page, 'User', 'Bob')).toHaveCount(1);
  await expectNoViolations(page, 'documents');

  // An error on the new-document form, and an open edit form with its own error.
  const form = page.getByRole('form', { name: 'New User document' });
  await form.getByLabel('age', { exact: true }).fill('thirty');
  await form.getByRole('button', { name: 'Create document' }).click();
  await expect(form.getByLabel('age', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Edit Alice', exact: true }).click();
  const editForm = page.getByRole('form', { name: 'Edit User document' });
  await editForm.getByLabel('points', { exact: true }).fill('lots');
  await editForm.getByRole('button', { name: 'Save' }).click();
  await expect(editForm.getByLabel('points', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectNoViolations(page, 'documents with edit form and errors');
  await page.keyboard.press('Escape');

  // The delete confirmation and the history dialog.
  await page.getByRole('button', { name: 'Delete Bob', exact: true }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectNoViolations(page, 'delete confirmation');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await rowWith(page, 'User', 'Alice').getByRole('button', { name: 'History' }).click();
  await expect(page.getByRole('dialog', { name: 'Document history' })).toBeVisible();
  await expectNoViolations(page, 'document history');
  await page.keyboard.press('Escape');

  // The Query panel with a result, then with an error.
  const query = page.getByRole('textbox', { name: 'GraphQL query' });
  await query.fill('{ User { name age } }');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Result' })).toContainText('Alice');
  await expectNoViolations(page, 'query result');
  await query.fill('{ User { nope } }');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'nope' })).toBeVisible();
  await expectNoViolations(page, 'query error');
});

test('connected peers, the network map and all addresses open: no axe violations', async ({ context }) => {
  const a = await openTab(context, 'axe-a');
  const b = await openTab(context, 'axe-b');
  await syncOn(a);
  await syncOn(b);
  await link(a, b);
  await createDoc(a, 'User', { name: 'Shared' });
  await expect(rowWith(b, 'User', 'Shared')).toHaveCount(1, { timeout: 20_000 });
  await expect(a.getByRole('list', { name: 'Collections' })).toContainText('in sync with 1 peer', { timeout: 20_000 });
  await expect(a.getByRole('figure', { name: 'Network map' })).toBeVisible();
  await openAllAddresses(a);
  await expectNoViolations(a, 'connected peers with network map and all addresses');
});

test('phone size (390×844), empty and with a document: no axe violations', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  try {
    await openApp(page, uniqueNode('axe-phone'));
    await expectNoViolations(page, 'phone, empty');
    await addSchema(page, USER_SDL);
    await createDoc(page, 'User', { name: 'Pocket', age: '9' });
    await expect(rowWith(page, 'User', 'Pocket')).toHaveCount(1);
    await expectNoViolations(page, 'phone, with a document');
  } finally {
    await context.close();
  }
});
