// Enrolls one person through the app's own API in the page, as an admin does on the screen:
// the first admin PIN, a new person, the photos main's file dialog answers with (h.picks),
// then logged out again, so the door screen is what the page shows next.
import type { Page } from 'playwright-core';

/** True when every photo was enrolled. */
export function enrollOnPage(page: Page, pin: string, name: string): Promise<boolean> {
  return page.evaluate(
    async ({ pin, name }) => {
      const api = window.tobira;
      const set = await api.setAdminPin({ pin });
      if (!set.ok) throw new Error(set.message);
      const added = await api.addPerson({ name });
      if (!added.ok) throw new Error(added.message);
      const imported = await api.importPhotos({ id: added.value.id });
      await api.adminLogout(undefined);
      return imported.ok && imported.value.every((r) => r.ok);
    },
    { pin, name },
  );
}
