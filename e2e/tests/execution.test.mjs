import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { axe, signIn, sterkAndBrowser } from './helpers.mjs';

const env = sterkAndBrowser();

test('a school records hours above the cap, a partner a contribution; the milestone and the final report follow', async () => {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const school = await context.newPage();
  await signIn(school, env.sterk.url, 'school@sterk.example');
  await school.getByRole('link', { name: 'uitvoering van Zuid-Friesland' }).click();
  await axe(school, 'the execution overview');
  await school.getByRole('navigation', { name: 'Uitvoering en verantwoording' }).getByRole('link', { name: 'Uren', exact: true }).click();
  await axe(school, 'the hours page');
  await school.getByLabel('Datum').fill('2025-03-10');
  await school.getByLabel('Medewerker').fill('Anna Smit');
  await school.getByLabel('Activiteit').selectOption('a1');
  await school.locator('#f-hours').fill('4,5');
  await school.getByLabel('Uurtarief (€)').fill('150,00');
  await school.getByLabel('Externe inhuur').check();
  await school.getByRole('button', { name: 'Opslaan' }).click();
  await school.getByText('Opgeslagen: subsidiabel € 607,50.').waitFor();
  const warning = await school.getByRole('status').filter({ hasText: 'Let op' }).textContent();
  assert.match(warning, /€ 150,00 ligt boven het maximum van € 135,00 per uur dat op 10 maart 2025 gold/);
  assert.match(warning, /€ 67,50 komt voor eigen rekening/);
  const row = school.getByRole('row', { name: /Anna Smit/ });
  assert.match(await row.textContent(), /€ 675,00.*€ 607,50/s);

  const partnerContext = await env.browser.newContext({ locale: 'nl-NL' });
  const partner = await partnerContext.newPage();
  await signIn(partner, env.sterk.url, 'partner@sterk.example');
  await partner.goto(`${env.sterk.url}/regio/zuid-friesland/uitvoering/bijdragen`);
  await partner.getByLabel('Datum').fill('2025-04-01');
  await partner.getByLabel('Activiteit').selectOption('a3');
  await partner.getByLabel('In natura (uren, ruimte, apparatuur)').check();
  await partner.getByLabel('Bedrag of waarde (€)').fill('2.400');
  await partner.getByLabel(/Waardering/).fill('20 uur × € 120');
  await partner.getByRole('button', { name: 'Opslaan' }).click();
  await partner.getByText('Opgeslagen: subsidiabel € 2.400,00.').waitFor();

  await school.goto(`${env.sterk.url}/regio/zuid-friesland/uitvoering/mijlpalen`);
  await axe(school, 'the milestones page');
  const card = school.locator('li', { hasText: 'Lesprogramma groep 7–8 klaar' });
  await card.locator('summary').click();
  await card.getByLabel(/Behaald op/).fill('2025-08-20');
  await card.getByLabel('Bewijs').fill('Lesbrief groep 7–8');
  await card.getByRole('button', { name: /Opslaan/ }).click();
  await school.getByText('De mijlpaal is bijgewerkt.').waitFor();
  assert.match(await school.locator('li', { hasText: 'Lesprogramma groep 7–8 klaar' }).textContent(), /Behaald\s+op 20 augustus 2025/);

  const manager = await (await env.browser.newContext({ locale: 'nl-NL', acceptDownloads: true })).newPage();
  await signIn(manager, env.sterk.url, 'programmamanager@sterk.example');
  await manager.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  await axe(manager, 'the accountability page');
  const settled = (await manager.getByRole('row', { name: /Vast te stellen subsidie/ }).textContent()).match(/€ [\d.]+,\d\d/)[0];
  const [download] = await Promise.all([
    manager.waitForEvent('download'),
    manager.locator('#rapportage-eindverantwoording').getByRole('link', { name: /^PDF/ }).first().click(),
  ]);
  const path = await download.path();
  const text = execFileSync('pdftotext', ['-layout', path, '-']).toString();
  assert.match(text, /Eindverantwoording/);
  assert.match(text, /Zuid-Friesland/);
  const line = text.split('\n').find((l) => l.includes('Vast te stellen subsidie'));
  assert.ok(line && line.includes(settled), `the report settles ${settled}: ${line}`);
  assert.match(text, /Cofinanciering door bedrijven/);
});
