import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { axe, signIn, sterkAndBrowser } from './helpers.mjs';

const env = sterkAndBrowser();
const WORKSPACE = '/regio/zuid-friesland/aanvragen/uitwerking-2027-2028';
const REVIEW = '/beoordeling/zuid-friesland/uitwerking-2027-2028';

async function as(email) {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, env.sterk.url, email);
  return { page, close: () => context.close() };
}

/** Both assessors declare no conflict and hand in a score with a motivation on every criterion. */
async function score(email, mark) {
  const { page, close } = await as(email);
  await page.goto(`${env.sterk.url}${REVIEW}`);
  await page.getByRole('button', { name: 'Ik heb geen belang: ik ga scoren' }).click();
  await page.getByRole('button', { name: /Inleveren/ }).waitFor();
  for (const select of await page.locator('select[name^="score_"]').all()) await select.selectOption(String(mark));
  for (const text of await page.locator('textarea[name^="motivation_"]').all()) {
    await text.fill(`Score ${mark}: onderbouwd in het plan.`);
  }
  await page.getByRole('button', { name: /Inleveren/ }).click();
  await page.getByText(/ingeleverd/).first().waitFor();
  await close();
}

test('from submission through a repair request, scores, advice and decision to a paid advance', async () => {
  // The region submits its detailed plan for 2027 and 2028.
  const region = await as('programmamanager@sterk.example');
  const rp = region.page;
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/aanvragen`);
  await rp.getByRole('button', { name: /Aanvraag starten.*2027 en 2028/ }).click();
  await rp.waitForURL(new RegExp(`${WORKSPACE}$`));
  await rp.locator('#f-vision').fill('Techniek voor iedere leerling in Zuid-Friesland.');
  await rp.getByRole('button', { name: 'Regiovisie opslaan' }).click();
  await rp.getByText('De regiovisie is opgeslagen.').waitFor();
  for (const [description, quantity, price, cofinanced] of [
    ['Begeleiding docentstages', '200', '60,00', false],
    ['Instructeur van het installatiebedrijf', '20', '120', true],
  ]) {
    await rp.locator('summary', { hasText: 'Begrotingsregel toevoegen' }).click();
    if (cofinanced) await rp.getByLabel('Kostensoort', { exact: true }).selectOption('staff-external');
    await rp.getByLabel('Omschrijving').fill(description);
    await rp.getByLabel('Aantal').fill(quantity);
    await rp.getByLabel('Eenheid', { exact: true }).fill('uur');
    await rp.getByLabel('Prijs per eenheid (€)').fill(price);
    if (cofinanced) {
      await rp.getByLabel('Financiering').selectOption({ label: 'Cofinanciering door Installatiebedrijf Van der Meer (demo)' });
      await rp.getByLabel('Bijdrage in natura').check();
    }
    await rp.getByRole('button', { name: 'Regel toevoegen' }).click();
    await rp.getByRole('cell', { name: description }).waitFor();
  }
  // The agreement: written here; every party but the company signs the uploaded copy on paper,
  // the company confirms in Sterk; the lead applicant's signatory submits.
  await rp.locator('#f-text').fill('De partners werken in 2027 en 2028 samen aan sterk techniekonderwijs in Zuid-Friesland.');
  await rp.getByRole('button', { name: 'Overeenkomst opslaan' }).click();
  await rp.getByText('De samenwerkingsovereenkomst is bijgewerkt.').waitFor();
  await rp.locator('#f-agreement').setInputFiles({ name: 'getekend.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% getekend\n') });
  await rp.getByRole('button', { name: 'Uploaden' }).click();
  await rp.getByText('Het document van de samenwerkingsovereenkomst is opgeslagen.').waitFor();
  for (const box of await rp.locator('input[name="signed"]').all()) {
    const party = await box.evaluate((b) => b.parentElement.textContent);
    if (!party.includes('Installatiebedrijf')) await box.check();
  }
  await rp.getByRole('button', { name: 'Overeenkomst opslaan' }).click();
  await rp.getByText('De samenwerkingsovereenkomst is bijgewerkt.').waitFor();
  await rp.getByRole('button', { name: 'Tekenbevoegden per e-mail om bevestiging vragen' }).click();
  await rp.getByText('Eén tekenbevoegde is per e-mail gevraagd te bevestigen.').waitFor();
  assert.equal(await rp.getByRole('button', { name: 'Aanvraag indienen' }).count(), 0, 'the manager does not submit formally');
  const company = await as('partner@sterk.example');
  await company.page.goto(`${env.sterk.url}${WORKSPACE}/overeenkomst`);
  await axe(company.page, 'the agreement to confirm');
  await company.page.getByRole('button', { name: 'Bevestigen namens Installatiebedrijf Van der Meer (demo)' }).click();
  await company.page.getByText('Uw bevestiging van de samenwerkingsovereenkomst is vastgelegd.').waitFor();
  await company.close();
  const lead = await as('penvoerder@sterk.example');
  const lp = lead.page;
  await lp.goto(`${env.sterk.url}${WORKSPACE}`);
  await lp.getByRole('button', { name: 'Aanvraag indienen' }).click();
  await lp.getByText('Versie 1 is ingediend.').waitFor();

  // The assessor takes it and asks for a supplement with a due date.
  const funder = await as('beoordelaar@sterk.example');
  const fp = funder.page;
  await fp.goto(`${env.sterk.url}/beoordeling`);
  await axe(fp, 'the queue');
  await fp.goto(`${env.sterk.url}${REVIEW}`);
  await fp.getByRole('button', { name: 'In behandeling nemen' }).click();
  await fp.getByRole('button', { name: 'Aanvulling vragen' }).waitFor();
  await fp.locator('#f-aanvulling-gevraagd-items').fill('Een toelichting op de stages per school.');
  await fp.locator('#f-aanvulling-gevraagd-due').fill('2026-09-30');
  await fp.getByRole('button', { name: 'Aanvulling vragen' }).click();
  await fp.getByText('Gevraagd, uiterlijk op 30 september 2026:').waitFor();

  // The region sees what is asked, supplies it and submits again.
  await rp.goto(`${env.sterk.url}${WORKSPACE}`);
  await rp.getByText('Een toelichting op de stages per school.', { exact: true }).waitFor();
  await rp.locator('#f-vision').fill('Techniek voor iedere leerling in Zuid-Friesland. Per school lopen vijf docenten stage.');
  await rp.getByRole('button', { name: 'Regiovisie opslaan' }).click();
  await rp.getByText('De regiovisie is opgeslagen.').waitFor();
  await lp.goto(`${env.sterk.url}${WORKSPACE}`);
  await lp.getByRole('button', { name: 'Aanvraag indienen' }).click();
  await lp.getByText('Versie 2 is ingediend.').waitFor();

  // Two assessors score on their own, one records the advice, then the decision.
  await score('beoordelaar@sterk.example', 4);
  await score('beoordelaar2@sterk.example', 3);
  await fp.goto(`${env.sterk.url}${REVIEW}`);
  await fp.getByText('Gemiddelde score per criterium').waitFor();
  await fp.locator('#a-advice').fill('Toekennen: de aanvulling maakt de stages concreet.');
  await fp.getByRole('button', { name: 'Advies vastleggen' }).click();
  await fp.getByRole('button', { name: 'Besluit vastleggen en de brief versturen' }).waitFor();
  await axe(fp, 'the review with the decision form');
  assert.equal(await fp.locator('#d-outcome').inputValue(), 'toegekend');
  await fp.locator('#d-reference').fill('DUS-I/STO/2026/0415');
  await fp.getByRole('button', { name: 'Besluit vastleggen en de brief versturen' }).click();
  await fp.getByRole('heading', { name: 'Besluit DUS-I/STO/2026/0415' }).waitFor();

  // The letter, read back: the amount per year.
  const letter = fp.waitForEvent('download');
  await fp.getByRole('link', { name: 'Besluitbrief downloaden (PDF)' }).click();
  const text = execFileSync('pdftotext', ['-layout', await (await letter).path(), '-'], { encoding: 'utf8' });
  assert.match(text, /DUS-I\/STO\/2026\/0415/);
  assert.match(text, /2027\s+€ 12\.000,00/, 'the letter shows 2027 with its amount');

  // Execution now holds the region to the decision.
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/uitvoering`);
  assert.match(await rp.locator('#besloten').textContent(), /2027 € 12\.000,00/);
  assert.match(await rp.getByText(/het besluit DUS-I\/STO\/2026\/0415/).textContent(), /versie 2/);

  // The decision planned the 2027 advance; the funder records it paid.
  await fp.goto(`${env.sterk.url}/regio/zuid-friesland/betalingen`);
  await axe(fp, 'the payment register');
  const advance = fp.locator('summary', { hasText: 'voorschot 2027 van € 12.000,00' });
  await advance.click();
  const form = fp.locator('details[open] form');
  await form.getByLabel('Betaald op').fill('2026-09-14');
  await form.getByLabel('Betalingskenmerk').fill('BET-2026-0415');
  await form.getByRole('button', { name: 'Als betaald vastleggen' }).click();
  await fp.getByText('De betaling is bijgewerkt.').waitFor();
  await fp.getByRole('cell', { name: 'BET-2026-0415' }).waitFor();

  // The annual accounts note counts it as received in 2026, beside the 2026 advance paid in January.
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/betalingen`);
  const received2026 = await rp.evaluate(() => {
    const rows = [...document.querySelectorAll('table tbody tr')];
    return rows.filter((r) => /^\s*voorschot/i.test(r.cells[0]?.textContent ?? '') && /2026/.test(r.cells[2]?.textContent ?? ''))
      .map((r) => r.cells[1].textContent.trim());
  });
  assert.ok(received2026.includes('€ 12.000,00'), `paid in 2026: ${received2026}`);
  const toNumber = (euro) => Number(euro.replace(/[€\s.]/g, '').replace(',', '.'));
  const expected = received2026.map(toNumber).reduce((a, b) => a + b, 0);
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  const row = rp.locator('section[aria-labelledby="jaarrekening"] tr', { hasText: '2026' });
  const cells = await row.locator('td').allTextContents();
  assert.equal(toNumber(cells[0]), expected, `received in 2026 per the annual accounts note: ${cells}`);
  await axe(rp, 'the accountability page');

  // The programme as a whole: the new decision and its payment are in the portfolio.
  await fp.goto(`${env.sterk.url}/portefeuille?fase=uitwerking-2027-2028`);
  const decidedRow = fp.getByRole('row').filter({ hasText: 'Zuid-Friesland' });
  assert.match(await decidedRow.textContent(), /€ 12\.000,00.*€ 12\.000,00/s, 'decided and paid');
  await axe(fp, 'the portfolio');
  await region.close();
  await lead.close();
  await funder.close();
});

test('a substantial change: the region proposes, the funder approves, execution follows the changed plan', async () => {
  const region = await as('programmamanager@sterk.example');
  const rp = region.page;
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/uitvoering/wijzigingen`);
  await rp.getByLabel('Welk besloten plan wijzigt u?').selectOption({ label: 'Aanvraag op hoofdlijnen' });
  await rp.getByLabel(/Wat verandert er, en waarom\?/).fill('De techniekroute van groep 8 naar klas 2 gaat niet door: de school heeft geen docent.');
  await rp.getByRole('button', { name: 'Wijzigingsverzoek starten' }).click();
  await rp.getByText('Het wijzigingsverzoek is gestart.').waitFor();
  const request = rp.url();
  await axe(rp, 'a change request');

  // The plan is changed in the application itself: the school plan's route is not carried out.
  await rp.getByRole('link', { name: /Het plan aanpassen in de aanvraag/ }).click();
  await rp.getByText(/U werkt hier aan/).waitFor();
  assert.equal(await rp.getByRole('button', { name: 'Aanvraag indienen' }).count(), 0, 'submitting goes through the request');
  rp.once('dialog', (d) => d.accept());
  await rp.getByRole('button', { name: /Verwijderen.*Techniekroute van groep 8 naar klas 2/ }).click();
  await rp.getByText('De activiteit en haar begrotingsregels zijn verwijderd.').waitFor();

  await rp.goto(request);
  await rp.getByRole('heading', { name: 'Wezenlijk: DUS-I moet goedkeuren' }).waitFor();
  const main = await rp.locator('main').textContent();
  assert.match(main, /1 activiteit\(en\) worden niet uitgevoerd/, 'why it is substantial');
  assert.match(main, /− € [\d.]+,\d\d/, 'the difference, side by side');
  await rp.getByRole('button', { name: 'Indienen ter goedkeuring bij DUS-I' }).click();
  await rp.getByText('De wijziging is ingediend.').waitFor();

  // The funder finds it in the work list and approves it.
  const funder = await as('beoordelaar@sterk.example');
  const fp = funder.page;
  await fp.goto(`${env.sterk.url}/beoordeling`);
  await fp.getByRole('link', { name: /Zuid-Friesland: Wijziging 2/ }).click();
  await fp.getByLabel('Toelichting', { exact: true }).first().fill('Akkoord: onderbouwd en binnen het besluit.');
  await fp.getByRole('button', { name: 'Goedkeuren' }).click();
  await fp.getByText('De wijziging is goedgekeurd.').waitFor();

  // Execution compares with the changed plan from now on.
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/uitvoering`);
  await rp.getByText(/zoals gewijzigd met wijziging 2/).waitFor();
  await region.close();
  await funder.close();
});

test('a late report is reminded, submitted, sent back and accepted; the final report is settled with a repayment', async () => {
  // The reminder of the late progress report waits in the outbox (no SMTP in the tests).
  const admin = await as('beheerder@sterk.example');
  await admin.page.goto(`${env.sterk.url}/beheer/uitbak`);
  await admin.page.getByText('Te laat: Voortgangsrapportage 2025 (uiterlijk 1 april 2026)').first().waitFor();
  await admin.close();

  const region = await as('programmamanager@sterk.example');
  const rp = region.page;
  const funder = await as('beoordelaar@sterk.example');
  const fp = funder.page;
  const report = (page) => page.locator('#rapportage-voortgang-2025');
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  await report(rp).getByText('Te laat').waitFor();
  await axe(rp, 'the accountability page with the reports');
  await rp.getByRole('button', { name: 'Voortgangsrapportage 2025 indienen' }).click();
  await rp.getByText('De rapportage is ingediend (indiening 1) en ligt vast.').waitFor();

  // The funder asks for more; the region submits again; the funder accepts.
  await fp.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  await report(fp).getByLabel(/Toelichting/).fill('Voeg de urenstaten van het voorjaar toe.');
  await report(fp).getByRole('button', { name: 'Meer vragen' }).click();
  await fp.getByText('De regio is om meer gevraagd.').waitFor();
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  await report(rp).getByText('Voeg de urenstaten van het voorjaar toe.').waitFor();
  await rp.getByRole('button', { name: 'Voortgangsrapportage 2025 indienen' }).click();
  await rp.getByText('De rapportage is ingediend (indiening 2) en ligt vast.').waitFor();
  await fp.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  await report(fp).getByRole('button', { name: 'Accepteren' }).click();
  await fp.getByText('De rapportage is geaccepteerd.').waitFor();
  const frozen = rp.waitForEvent('download');
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/verantwoording`);
  await report(rp).getByRole('link', { name: 'PDF van indiening 2' }).click();
  const reportText = execFileSync('pdftotext', [await (await frozen).path(), '-'], { encoding: 'utf8' });
  assert.match(reportText, /Voortgangsrapportage 2025/);

  // The final report asks to settle; the funder settles with a correction, below the advances.
  await rp.getByRole('button', { name: 'Eindverantwoording met aanvraag tot vaststelling indienen' }).click();
  await rp.getByText(/De rapportage is ingediend/).waitFor();
  await fp.goto(`${env.sterk.url}/regio/zuid-friesland/vaststelling`);
  await axe(fp, 'the settlement page');
  await fp.getByLabel('Kenmerk').fill('DUS-I/STO/V/2026/0107');
  await fp.getByLabel('Correctie 1: wat').fill('Ingehuurde coach zonder offerte');
  await fp.getByLabel(/Correctie 1: bedrag/).fill('-500');
  await fp.getByLabel('Correctie 1: reden').fill('Geen offerte bij de inhuur.');
  await fp.getByRole('button', { name: 'Subsidie vaststellen' }).click();
  await fp.getByText(/De subsidie is vastgesteld op/).waitFor();
  const letter = fp.waitForEvent('download');
  await fp.getByRole('link', { name: 'Vaststellingsbrief downloaden (PDF)' }).click();
  const text = execFileSync('pdftotext', ['-layout', await (await letter).path(), '-'], { encoding: 'utf8' });
  assert.match(text, /DUS-I\/STO\/V\/2026\/0107/);
  assert.match(text, /Geen offerte bij de inhuur\./);
  assert.match(text, /terug te betalen/);

  // The repayment is in the payment register.
  await rp.goto(`${env.sterk.url}/regio/zuid-friesland/betalingen`);
  await rp.getByText(/Vaststelling DUS-I\/STO\/V\/2026\/0107/).first().waitFor();
  assert.match(await rp.locator('main').textContent(), /terugvordering/i);
  await region.close();
  await funder.close();
});
