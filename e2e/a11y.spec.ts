/** Keyboard and screen-reader basics: focus after each action, Esc, names that say which row, errors tied to inputs, contrast. */
import { expect, test, type Page } from '@playwright/test';
import { USER_SDL, openApp, rowWith, uniqueNode } from './fixtures.js';

/** WCAG contrast ratio of two CSS colours. */
async function contrast(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(([x, y]) => {
    const lum = (c: string) => {
      const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
    };
    const [hi, lo] = [lum(x!), lum(y!)].sort((p, q) => q - p);
    return (hi! + 0.05) / (lo! + 0.05);
  }, [a, b]);
}

test('focus follows each action, Esc cancels editing, row buttons name their document, errors are tied to their input', async ({ page }) => {
  await openApp(page, uniqueNode('a11y'));
  // The first Tab reaches the skip link.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to documents' })).toBeFocused();

  await page.getByRole('textbox', { name: 'Collection schema' }).fill(USER_SDL);
  await page.getByRole('button', { name: 'Add collection' }).click();
  await expect(page.getByRole('list', { name: 'Collections' }).getByRole('button', { name: 'User', exact: true })).toBeFocused();

  const form = page.getByRole('form', { name: 'New User document' });
  await form.getByLabel('name', { exact: true }).fill('Alice');
  await form.getByRole('button', { name: 'Create document' }).click();
  await expect(rowWith(page, 'User', 'Alice')).toHaveCount(1);
  await expect(form.getByLabel('name', { exact: true })).toBeFocused(); // ready for the next one

  // Row buttons say which document they act on.
  const edit = page.getByRole('button', { name: 'Edit Alice', exact: true });
  await expect(edit).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete Alice', exact: true })).toBeVisible();
  await edit.click();
  const editForm = page.getByRole('form', { name: 'Edit User document' });
  await expect(editForm.getByLabel('name', { exact: true })).toBeFocused();
  await editForm.getByLabel('age', { exact: true }).fill('old');
  await page.keyboard.press('Escape');
  await expect(editForm).toHaveCount(0);
  await expect(edit).toBeFocused();
  await expect(rowWith(page, 'User', 'Alice')).not.toContainText('old');

  // An error names its input, which is marked invalid and described by the message.
  await form.getByLabel('name', { exact: true }).fill('Bob');
  await form.getByLabel('age', { exact: true }).fill('thirty');
  await form.getByRole('button', { name: 'Create document' }).click();
  const age = form.getByLabel('age', { exact: true });
  await expect(age).toHaveAttribute('aria-invalid', 'true');
  await expect(age).toHaveAccessibleDescription(/age: expected Int/);
  await expect(form.getByLabel('name', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');

  // The skip link lands on the documents.
  await page.getByRole('link', { name: 'Skip to documents' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Documents in User' })).toBeFocused();
});

test('the sync switch meets 3:1 contrast against its panel, on and off', async ({ page }) => {
  await openApp(page, uniqueNode('a11yc'));
  await page.getByRole('textbox', { name: 'Collection schema' }).fill(USER_SDL);
  await page.getByRole('button', { name: 'Add collection' }).click();
  const sw = page.getByRole('switch', { name: 'Sync User' });
  const colours = async () => sw.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el.closest('li')!).backgroundColor === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : getComputedStyle(el.closest('li')!).backgroundColor]);
  const [offTrack, offPanel] = await colours();
  expect(await contrast(page, offTrack!, offPanel!)).toBeGreaterThanOrEqual(3);
  await sw.click();
  await expect(sw).toHaveAttribute('aria-checked', 'true');
  const [onTrack, onPanel] = await colours();
  expect(await contrast(page, onTrack!, onPanel!)).toBeGreaterThanOrEqual(3);
});
