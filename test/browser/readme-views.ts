/**
 * The README's pictures of the dropout lab: the masks view and the comparison view of a real run
 * of examples/dropout-placement.rnnlab, drawn by the built renderer in headless Chromium, in the
 * dark and light test themes. Not a test. Usage, after `npm run build`:
 *   node dist/cli.js run examples/dropout-placement.rnnlab --out /tmp/example.out.rnnlab
 *   node --import tsx test/browser/readme-views.ts /tmp/example.out.rnnlab
 */
import { readFileSync } from 'node:fs';
import { readNotebook } from '../../notebook/nbformat';
import { openPage } from './harness';
import { rendererPage } from './suite';
import { THEMES, themeCss, type ThemeName } from './themes';

const VIEWS = {
  masks: 'application/vnd.rnnlab.masks+json',
  compare: 'application/vnd.rnnlab.compare+json',
} as const;

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node --import tsx test/browser/readme-views.ts OUT.rnnlab');
  const items = readNotebook(readFileSync(file, 'utf8')).cells.flatMap((c) =>
    c.outputs.flatMap((o) => o.items),
  );
  const harness = await openPage({
    html: rendererPage(900),
    bundle: 'dist/renderer.js',
    at: '/renderer.js',
    viewport: { width: 932, height: 600 },
  });
  try {
    const page = harness.page;
    await page.waitForFunction('window.harnessReady === true');
    const h = (fn: string, ...args: unknown[]) =>
      page.evaluate(`window.harness.${fn}(${args.map((a) => JSON.stringify(a)).join(',')})`);
    for (const [view, mime] of Object.entries(VIEWS)) {
      const item = items.find((i) => i.mime === mime);
      if (!item) throw new Error(`${file} has no ${mime} output: run the example first`);
      for (const theme of ['dark', 'light'] as ThemeName[]) {
        await h('theme', THEMES[theme].bodyClass, themeCss(theme));
        await h('render', JSON.parse(item.value), mime);
        await h('frame');
        const path = `docs/images/${view}-${theme}.png`;
        await page.screenshot({ path, fullPage: true });
        console.log(`wrote ${path}`);
      }
    }
  } finally {
    await harness.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
