// The admin steps a screen test needs before it starts, through the page's own API (the
// screens under test have their own tests for doing them by hand).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/**
 * Sets the first admin PIN, adds `name` and enrolls them from the photo the harness's next
 * file pick gives (push it to `h.picks` first). Signs out again when `logout` is set.
 */
export async function setPinAndEnroll(page: Page, pin: string, name: string, logout = false): Promise<void> {
  const enrolled = await page.evaluate(
    async ({ pin, name, logout }) => {
      const api = window.tobira;
      const set = await api.setAdminPin({ pin });
      if (!set.ok) throw new Error(set.message);
      const added = await api.addPerson({ name });
      if (!added.ok) throw new Error(added.message);
      const imported = await api.importPhotos({ id: added.value.id, pin });
      if (logout) await api.adminLogout(undefined);
      return imported.ok && imported.value.every((r) => r.ok);
    },
    { pin, name, logout },
  );
  assert.ok(enrolled, `${name} is enrolled from the photo`);
}
