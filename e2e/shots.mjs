import { chromium } from 'playwright-core';
const url = 'http://127.0.0.1:8099';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const shots = [
  ['beheerder@sterk.example', '/beheer/maxima', 'maxima'],
  ['beheerder@sterk.example', '/beheer/maxima/zuid-friesland', 'maximum'],
  ['beoordelaar@sterk.example', '/regio/zuid-friesland/betalingen', 'betalingen-dusi'],
  ['programmamanager@sterk.example', '/regio/zuid-friesland/betalingen', 'betalingen-regio'],
  ['beoordelaar@sterk.example', '/beoordeling/betalingen', 'inlezen'],
  ['beoordelaar@sterk.example', '/beoordeling', 'queue'],
  ['programmamanager@sterk.example', '/regio/zuid-friesland/verantwoording', 'verantwoording'],
  [null, '/regeling/sto-2025-2028#maxima', 'regeling'],
];
for (const width of [1366, 390]) {
  for (const [who, path, name] of shots) {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'nl-NL' });
    const page = await ctx.newPage();
    if (who) {
      await page.goto(`${url}/inloggen`);
      await page.getByLabel('E-mailadres').fill(who);
      await page.getByLabel('Wachtwoord').fill('sterk-demo-2025');
      await page.getByRole('button', { name: 'Inloggen' }).click();
      await page.waitForURL(`${url}/beheer`);
    }
    await page.goto(url + path);
    await page.screenshot({ path: `/tmp/shots/${name}-${width}.png`, fullPage: true });
    await ctx.close();
  }
}
await browser.close();
