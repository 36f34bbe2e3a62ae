// Japanese is drawn with real glyphs on a machine that has no CJK font: the app
// carries its own (BIZ UDPGothic, built into dist/renderer/fonts). Chromium's
// DevTools protocol names the platform font that actually drew a node's text,
// which a screenshot alone cannot tell from a look-alike system font.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';

interface PlatformFont {
  familyName: string;
  isCustomFont: boolean;
  glyphCount: number;
}

async function fontsThatDrew(h: Harness, selectorPath: string[]): Promise<PlatformFont[]> {
  const cdp = await h.context.newCDPSession(h.page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  // DOM.requestNode hands out node ids only once the document (shadow roots included) is known.
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const { result } = await cdp.send('Runtime.evaluate', {
    expression: `(${String((path: string[]) => {
      let node: Element | ShadowRoot | Document = document;
      for (const selector of path) {
        const found: Element | null = node.querySelector(selector);
        if (!found) return null;
        node = found.shadowRoot ?? found;
      }
      return node instanceof ShadowRoot ? node.host : node;
    })})(${JSON.stringify(selectorPath)})`,
  });
  assert.ok(result.objectId, `no element at ${selectorPath.join(' > ')}`);
  const { nodeId } = await cdp.send('DOM.requestNode', { objectId: result.objectId });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

describe('the app carries the fonts its languages need', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settings: { locale: 'ja' } });
    await h.open();
    await h.page.waitForFunction(() => document.documentElement.lang === 'ja');
    await h.page.evaluate(() => document.fonts.ready);
  });
  after(async () => h?.close());

  test('the Japanese status line is drawn by the bundled BIZ UDPGothic, every glyph of it', async () => {
    const line = h.page.locator('unlock-screen .status .line');
    const text = await line.innerText();
    assert.match(text, /[\u3040-\u30ff\u4e00-\u9fff]/, `the status line is not Japanese: ${text}`);
    // Fonts load lazily, per unicode-range subset; wait until the line's are in.
    await h.page.waitForFunction((t) => document.fonts.check(`24px 'BIZ UDPGothic'`, t), text, {
      timeout: 10_000,
    });
    const fonts = await fontsThatDrew(h, ['tobira-app', 'unlock-screen', '.status .line']);
    const bundled = fonts.find((f) => f.familyName === 'BIZ UDPGothic');
    assert.ok(bundled?.isCustomFont, `drawn with ${JSON.stringify(fonts)}`);
    // No glyph of the line fell back to another font (a missing glyph would be a tofu box).
    const visible = [...text].filter((c) => c.trim() !== '').length;
    assert.equal(
      fonts.filter((f) => f.familyName !== 'BIZ UDPGothic').reduce((n, f) => n + f.glyphCount, 0),
      0,
      `some glyphs fell back: ${JSON.stringify(fonts)}`,
    );
    assert.ok(bundled.glyphCount >= visible, `${bundled.glyphCount} glyphs for ${visible} characters`);
  });

  test('the font files come from the app’s own origin', async () => {
    const sources = await h.page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => n.endsWith('.woff2')),
    );
    assert.ok(sources.length > 0, 'no font file was loaded');
    for (const src of sources) assert.equal(new URL(src).origin, h.origin, src);
  });
});
