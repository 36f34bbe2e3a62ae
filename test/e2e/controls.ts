// Controls a finger touches (for the e2e tests): each is at least 44×44 CSS px and nothing covers it.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** WCAG 2.5.5's target size, in CSS px. */
export const MIN_TARGET = 44;

interface Control {
  label: string;
  width: number;
  height: number;
  disabled: boolean;
  visible: boolean;
  onTop: boolean;
}

/**
 * Every visible tab, button and checkbox under `scope`: each is at least 44×44 px (a checkbox
 * counts with its label, which takes the touch too), and each passes a trial click: Playwright
 * checks it is visible, stable, enabled and not covered by another element. A disabled button
 * cannot be trial-clicked: for those, the element a finger at its centre touches must be the
 * button itself. `trial = false` does that hit test for every control, in one call: over the
 * live camera each trial click waits seconds for the busy page, so the same pad is
 * trial-clicked on the admin screen instead.
 */
export async function checkControls(page: Page, scope: string, where: string, trial = true): Promise<number> {
  const controls = page.locator(`${scope} button, ${scope} input[type="checkbox"]`);
  const infos: Control[] = await controls.evaluateAll((elements) =>
    elements.map((el) => {
      const target = el instanceof HTMLInputElement ? (el.closest('label') ?? el) : el;
      const visible = target.checkVisibility() && target.getBoundingClientRect().width > 0;
      if (visible) target.scrollIntoView({ block: 'center', inline: 'center' });
      const box = target.getBoundingClientRect();
      // What a finger at the control's centre touches, looking through open shadow roots.
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      let hit: Element | null = document.elementFromPoint(x, y);
      while (hit?.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      const name =
        el.getAttribute('data-tab') ??
        el.getAttribute('name') ??
        el.getAttribute('data-key') ??
        (target.textContent ?? '').trim().slice(0, 40);
      return {
        label: `${el.tagName.toLowerCase()} "${name}"`,
        width: box.width,
        height: box.height,
        disabled: (el as HTMLButtonElement).disabled,
        visible,
        onTop: hit !== null && (hit === el || target.contains(hit)),
      };
    }),
  );
  let checked = 0;
  for (const [i, info] of infos.entries()) {
    if (!info.visible) continue;
    const what = `${where}: ${info.label}`;
    // Half a pixel for sub-pixel layout (43.99 px is a 44 px button).
    assert.ok(
      info.width >= MIN_TARGET - 0.5 && info.height >= MIN_TARGET - 0.5,
      `${what} is ${info.width.toFixed(0)}×${info.height.toFixed(0)} px, under ${MIN_TARGET}×${MIN_TARGET}`,
    );
    if (info.disabled || !trial) assert.ok(info.onTop, `${what} is covered by another element`);
    else {
      await controls
        .nth(i)
        .click({ trial: true, timeout: 15_000 })
        .catch((error: unknown) => {
          throw new Error(`${what}: trial click failed: ${(error as Error).message}`);
        });
    }
    checked++;
  }
  return checked;
}
