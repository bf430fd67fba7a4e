import { chromium } from 'playwright-core';
const url = 'http://127.0.0.1:8099';
const pages = [
  [null, '/', 'home'], [null, '/open-data', 'open-data'], [null, '/monitor', 'monitor'],
  [null, '/regios/zuid-friesland', 'region'], [null, '/nieuws', 'nieuws'],
  ['programmamanager@sterk.example', '/beheer', 'todo-pm'],
  ['programmamanager@sterk.example', '/regio/zuid-friesland/aanvragen/hoofdlijnen', 'workspace'],
  ['programmamanager@sterk.example', '/regio/zuid-friesland/uitvoering', 'execution'],
  ['school@sterk.example', '/regio/zuid-friesland/deelplannen', 'plans-school'],
  ['beoordelaar@sterk.example', '/beoordeling', 'assessor'],
  ['beoordelaar@sterk.example', '/portefeuille', 'portfolio'],
];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const width of [1366, 390]) {
  const ctx = {};
  for (const [who, path, name] of pages) {
    const key = who || 'anon';
    if (!ctx[key]) {
      ctx[key] = await browser.newContext({ viewport: { width, height: 900 } });
      if (who) {
        const p = await ctx[key].newPage();
        await p.goto(`${url}/inloggen`);
        await p.fill('#f-email', who); await p.fill('#f-password', 'sterk-demo-2025');
        await p.getByRole('button', { name: 'Inloggen' }).click();
        await p.waitForURL(`${url}/beheer`);
        await p.close();
      }
    }
    const p = await ctx[key].newPage();
    const res = await p.goto(url + path);
    await p.screenshot({ path: `/tmp/shots/${name}-${width}.png`, fullPage: true });
    console.log(width, path, res.status());
    await p.close();
  }
  for (const c of Object.values(ctx)) await c.close();
}
await browser.close();
