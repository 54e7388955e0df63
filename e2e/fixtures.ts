/** Shared helpers for browser tests. */
import { expect, type Page } from '@playwright/test';

export const USER_SDL = `type User {
  name: String
  age: Int
  verified: Boolean
  points: Float
}`;

/** A node name no other test uses. */
export function uniqueNode(prefix = 'e2e'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Opens the app for a node and waits until it is ready. */
export async function openApp(page: Page, node?: string): Promise<void> {
  await page.goto(node ? `/?node=${encodeURIComponent(node)}` : '/');
  await expect(page.getByRole('button', { name: 'Add collection' })).toBeVisible();
}

/** Adds SDL through the UI. */
export async function addSchema(page: Page, sdl: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Collection schema' }).fill(sdl);
  await page.getByRole('button', { name: 'Add collection' }).click();
}

/** Fills the New <Name> document form and submits it. */
export async function createDoc(page: Page, collection: string, values: Record<string, string | boolean>): Promise<void> {
  const form = page.getByRole('form', { name: `New ${collection} document` });
  for (const [field, v] of Object.entries(values)) {
    if (typeof v === 'boolean') await form.getByLabel(field, { exact: true }).setChecked(v);
    else await form.getByLabel(field, { exact: true }).fill(v);
  }
  await form.getByRole('button', { name: 'Create document' }).click();
}

/** The row of the documents table that contains `text`. */
export function rowWith(page: Page, collection: string, text: string) {
  return page.getByRole('table', { name: `${collection} documents` }).getByRole('row').filter({ hasText: text });
}
