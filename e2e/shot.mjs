import { chromium } from 'playwright-core';
const [,, email, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const width of [1366, 390]) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'nl-NL' });
  const page = await ctx.newPage();
  if (email !== '-') {
    await page.goto('http://127.0.0.1:8099/inloggen');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'sterk-demo-2025');
    await page.click('button[type=submit]');
    await page.waitForLoadState('networkidle');
  }
  for (const p of paths) {
    await page.goto('http://127.0.0.1:8099' + p);
    const name = p.replace(/[^a-z0-9]+/gi, '_').slice(0, 60) + '_' + width + '.png';
    await page.screenshot({ path: '/tmp/shots/' + name, fullPage: true });
    console.log(name);
  }
  await ctx.close();
}
await browser.close();
