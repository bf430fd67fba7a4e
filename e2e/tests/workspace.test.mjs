import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { AxeBuilder } from '@axe-core/playwright';
import { signIn, sterkAndBrowser } from './helpers.mjs';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const env = sterkAndBrowser();

function rule(page, title) {
  return page.locator('#controle-paneel li', { hasText: title });
}

test('a region manager builds an application, fixes the co-financing and the lead applicant submits it', async () => {
  let context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  let page = await context.newPage();
  await signIn(page, env.sterk.url, 'programmamanager@sterk.example');
  await page.getByRole('link', { name: 'aanvragen van Zuid-Friesland' }).click();
  await page.getByRole('button', { name: /Aanvraag starten.*2027 en 2028/ }).click();
  await page.waitForURL(/uitwerking-2027-2028$/);
  const axe = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.help}`), [], 'the workspace passes axe');

  await page.locator('#f-vision').fill('Techniek voor iedere leerling in Zuid-Friesland.');
  await page.getByRole('button', { name: 'Regiovisie opslaan' }).click();
  await page.getByText('De regiovisie is opgeslagen.').waitFor();

  // The new phase goes on from the last submitted version: its activities are here already.
  assert.ok(await page.locator('#e-a1-title').count(), 'the activities of the main lines came along');
  await page.locator('summary', { hasText: 'Activiteit toevoegen' }).click();
  const adding = page.locator('form', { has: page.locator('#f-title') });
  await adding.locator('#f-title').fill('Docenten lopen stage in bedrijven');
  for (const theme of ['Aantrekken en ontwikkelen van technisch schoolpersoneel',
    'Tegengaan van genderstereotypering en bevorderen van inclusie in de techniek',
    'Ontwikkelen en toepassen van technologie voor duurzaamheid']) {
    await adding.getByLabel(theme).check();
  }
  await adding.getByRole('button', { name: 'Activiteit toevoegen' }).click();
  await page.getByText('De activiteit is toegevoegd.').waitFor();

  await page.locator('summary', { hasText: 'Begrotingsregel toevoegen' }).click();
  await page.getByLabel('Omschrijving').fill('Begeleiding docentstages');
  await page.getByLabel('Aantal').fill('200');
  await page.getByLabel('Eenheid', { exact: true }).fill('uur');
  await page.getByLabel('Prijs per eenheid (€)').fill('60,00');
  await page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await page.getByRole('cell', { name: 'Begeleiding docentstages' }).waitFor();
  assert.match(await rule(page, 'Ten minste 10% cofinanciering').textContent(), /Voldoet niet/);
  assert.match(await rule(page, 'Ten minste 10% cofinanciering').textContent(), /€ 0,00/);

  await page.locator('summary', { hasText: 'Begrotingsregel toevoegen' }).click();
  await page.getByLabel('Kostensoort', { exact: true }).selectOption('staff-external');
  await page.getByLabel('Omschrijving').fill('Instructeur van het installatiebedrijf');
  await page.getByLabel('Aantal').fill('20');
  await page.getByLabel('Eenheid', { exact: true }).fill('uur');
  await page.getByLabel('Prijs per eenheid (€)').fill('120');
  await page.getByLabel('Financiering').selectOption({ label: 'Cofinanciering door Installatiebedrijf Van der Meer (demo)' });
  await page.getByLabel('Bijdrage in natura').check();
  await page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await page.getByRole('cell', { name: 'Instructeur van het installatiebedrijf' }).waitFor();
  assert.match(await rule(page, 'Ten minste 10% cofinanciering').textContent(), /Voldoet(?! niet)/);

  // A refused activity keeps what was typed; the error summary links to the field.
  await page.locator('summary', { hasText: 'Activiteit toevoegen' }).click();
  await adding.locator('#f-description').fill('Wat hier staat gaat niet verloren.');
  await adding.getByRole('button', { name: 'Activiteit toevoegen' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'Niet opgeslagen' });
  await summary.waitFor();
  assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#f-title');
  assert.equal(await page.locator('#f-description').inputValue(), 'Wat hier staat gaat niet verloren.');
  assert.equal(await page.locator('#f-title').getAttribute('aria-invalid'), 'true');

  // Deleting a budget line asks first: cancelled, the line stays; confirmed, it goes.
  await page.goto(`${env.sterk.url}/regio/zuid-friesland/aanvragen/uitwerking-2027-2028`);
  await page.locator('summary', { hasText: 'Begrotingsregel toevoegen' }).click();
  await page.getByLabel('Omschrijving').fill('Tijdelijke regel');
  await page.getByLabel('Aantal').fill('1');
  await page.getByLabel('Prijs per eenheid (€)').fill('10');
  await page.getByRole('button', { name: 'Regel toevoegen' }).click();
  const temporary = page.getByRole('row').filter({ hasText: 'Tijdelijke regel' });
  await temporary.waitFor();
  page.once('dialog', (d) => d.dismiss());
  await temporary.getByRole('button', { name: /Verwijderen/ }).click();
  await page.waitForTimeout(300);
  assert.equal(await temporary.count(), 1, 'cancelled: the line stays');
  page.once('dialog', (d) => { assert.match(d.message(), /Begrotingsregel 3 verwijderen\?/); d.accept(); });
  await temporary.getByRole('button', { name: /Verwijderen/ }).click();
  await page.getByText('De begrotingsregel is verwijderd.').waitFor();
  assert.equal(await temporary.count(), 0, 'confirmed: the line is gone');

  // Beside the checks, the budget and its summaries fit in their boxes: no amount behind a scroll.
  const hidden = await page.evaluate(() => [...document.querySelectorAll('#werkruimte .utrecht-table-container')]
    .map((c) => c.scrollWidth - c.clientWidth));
  assert.deepEqual(hidden.filter((px) => px > 0), [], 'tables wider than their box at 1280 px');

  // Folding the checks gives the work the full width.
  const before = await page.locator('.sterk-workspace__main').boundingBox();
  await page.locator('#controle-punten > summary').click();
  const after = await page.locator('.sterk-workspace__main').boundingBox();
  assert.ok(after.width > before.width + 200, `folded: ${before.width} → ${after.width}`);
  await page.locator('#controle-punten > summary').click();

  // The cooperation agreement goes on from the main lines: confirmed in Sterk by the lead applicant
  // and the company, signed on paper by the others.
  await page.getByRole('cell', { name: /Bevestigd in Sterk door Demo Partner/ }).waitFor();
  assert.ok(await page.getByText('Kan worden ingediend').isVisible());
  // The manager prepares; a signatory of the lead applicant submits.
  assert.equal(await page.getByRole('button', { name: 'Aanvraag indienen' }).count(), 0);
  await page.getByText(/Formeel indienen doet iemand die tekenbevoegd is voor de penvoerder/).waitFor();
  await context.close();
  context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, env.sterk.url, 'penvoerder@sterk.example');
  await page.goto(`${env.sterk.url}/regio/zuid-friesland/aanvragen/uitwerking-2027-2028`);
  await page.getByRole('button', { name: 'Aanvraag indienen' }).click();
  await page.getByText('Versie 1 is ingediend.').waitFor();

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download als gegevensbestand (JSON, voor andere systemen)' }).click();
  const file = await (await download).path();
  const json = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'));
  assert.equal(json.format, 'sterk.application/1');
  assert.equal(json.budget.length, 2);

  // The PDF of the submitted version: region, hash and budget total in its text.
  await page.getByText('Vingerafdruk van versie 1').click();
  const hash = (await page.locator('#versie-1-vingerafdruk').textContent()).trim();
  assert.match(hash, /^[0-9a-f]{64}$/);
  const pdfDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: /PDF\s*van versie 1/ }).click();
  const pdfFile = await (await pdfDownload).path();
  const pdfText = execFileSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' });
  assert.match(pdfText, /Zuid-Friesland/);
  assert.ok(pdfText.includes(hash), 'the version hash is in the PDF');
  assert.match(pdfText, /Begroting totaal: € 14\.400,00/);

  // The XLSX: the numbers in the sheets are the app's.
  const xlsxDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download de begroting als Excel' }).click();
  const xlsxFile = await (await xlsxDownload).path();
  const sheets = execFileSync('unzip', ['-Z1', xlsxFile], { encoding: 'utf8' });
  assert.match(sheets, /xl\/worksheets\/sheet2\.xml/);
  const strings = execFileSync('unzip', ['-p', xlsxFile, 'xl/sharedStrings.xml'], { encoding: 'utf8' });
  assert.match(strings, /Instructeur van het installatiebedrijf/);
  const year2027 = execFileSync('unzip', ['-p', xlsxFile, 'xl/worksheets/sheet2.xml'], { encoding: 'utf8' });
  assert.match(year2027, /<v>12000<\/v>/, '200 h × € 60 in 2027');
  assert.match(year2027, /<v>2400<\/v>/, '20 h × € 120 in 2027');
  await context.close();
});

test('a refused save in the workspace shows its message and takes the focus', async () => {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  const first = await context.newPage();
  await signIn(first, env.sterk.url, 'programmamanager@sterk.example');
  // The phase open on the demo's day (the test above started it).
  const url = `${env.sterk.url}/regio/zuid-friesland/aanvragen/uitwerking-2027-2028`;
  const second = await context.newPage();
  await first.goto(url);
  await second.goto(url);

  // 409: the other tab saved first. The answer is swapped in, announced and focused.
  await first.locator('#f-vision').fill('Eerst opgeslagen in het ene tabblad.');
  await first.getByRole('button', { name: 'Regiovisie opslaan' }).click();
  await first.getByText('De regiovisie is opgeslagen.').waitFor();
  await second.locator('#f-vision').fill('Daarna in het andere tabblad.');
  await second.getByRole('button', { name: 'Regiovisie opslaan' }).click();
  const conflict = second.getByText(/Iemand anders heeft de aanvraag gewijzigd/);
  await conflict.waitFor();
  assert.equal(await second.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');

  // 422: a wrong amount is refused with its message, not silently dropped.
  await first.reload();
  await first.locator('summary', { hasText: 'Begrotingsregel toevoegen' }).click();
  await first.getByLabel('Omschrijving').fill('Werkbanken');
  await first.getByLabel('Aantal').fill('veel');
  await first.getByLabel('Eenheid', { exact: true }).fill('stuk');
  await first.getByLabel('Prijs per eenheid (€)').fill('85');
  await first.getByRole('button', { name: 'Regel toevoegen' }).click();
  await first.getByText('Niet opgeslagen:').waitFor();
  assert.equal(await first.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');
  assert.doesNotMatch(await first.locator('#inhoud [role="alert"]').textContent(), /\(quantity\)/);
});
