// Screenshot of a running designer: node e2e/shot.mjs URL OUT.png [dark]
import { launch } from './browser.mjs';

const [url = 'http://127.0.0.1:7878/', out = 'e2e/artifacts/shot.png', theme] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
page.on('pageerror', (e) => console.error('pageerror:', e.message));
if (theme) await page.addInitScript((t) => localStorage.setItem('sluice.theme', t), theme);
await page.goto(url);
await page.waitForSelector('[data-testid=palette-webhook]');
await page.screenshot({ path: out });
await browser.close();
