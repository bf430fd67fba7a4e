import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, signIn, sterkBrowserAndSmtp } from './helpers.mjs';

const TITLE = 'Lasrobot in het technieklokaal';
const env = sterkBrowserAndSmtp();

async function as(email) {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, env.sterk.url, email);
  return page;
}

async function openPlan(page) {
  await page.goto(`${env.sterk.url}/regio/zuid-friesland/deelplannen`);
  await page.getByRole('link', { name: TITLE }).click();
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
}

/**
 * Submits the open plan through its confirmation page, which names who receives it: first the
 * school's management (the lead applicant signs for the demo school), who sends it on to the region.
 */
async function submit(page) {
  await page.getByRole('link', { name: 'Controleren en indienen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Deelplan naar de schoolleiding' }).waitFor();
  await page.getByText(/Demo Penvoerder krijgt een e-mail om het plan goed te keuren/).waitFor();
  await page.getByText(/Na hun akkoord gaat het plan naar\s+Demo Programmamanager/).waitFor();
  await axe(page, 'the confirmation before submitting');
  await page.getByRole('button', { name: 'Naar de schoolleiding sturen' }).click();
  await page.getByText('De status is nu: bij de schoolleiding.').waitFor();
  const leader = await as('penvoerder@sterk.example');
  await leader.getByRole('link', { name: `Deelplan ‘${TITLE}’ wacht op uw akkoord als schoolleiding` }).click();
  await leader.getByRole('button', { name: 'Akkoord: naar de regio' }).click();
  await leader.getByText('De status is nu: ingediend.').waitFor();
  await leader.context().close();
}

function mailsAbout(subject) {
  return env.smtp.messages.filter((m) => m.subject === subject);
}

test('a school plan is submitted, returned, resubmitted and approved into the application, with mail at each step', async () => {
  const school = await as('school@sterk.example');
  await school.getByRole('link', { name: 'deelplannen van Zuid-Friesland' }).click();
  await school.getByRole('link', { name: 'Nieuw deelplan' }).click();
  await school.getByLabel('Titel van het deelplan').fill(TITLE);
  await school.getByLabel('Thema').selectOption('duurzaamheid');
  await school.getByRole('button', { name: 'Deelplan aanmaken' }).click();
  await school.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await axe(school, 'the plan page');

  // A new plan says what it lacks before it can be submitted.
  await school.getByRole('heading', { name: 'Wat ontbreekt nog?' }).waitFor();
  await school.getByRole('link', { name: 'Bekijk wat er nog ontbreekt.' }).waitFor();
  await school.getByLabel('Hoe past het plan in de regiovisie?').fill('Lijn 3 van de visie: duurzame techniek.');
  await school.getByLabel('Welke specifieke doelen heeft het plan?').fill('Elke leerling van klas 3 last een werkstuk met de robot.');
  await school.getByRole('button', { name: 'Plan opslaan' }).click();
  await school.getByText('Het deelplan is opgeslagen.').waitFor();
  await school.locator('summary', { hasText: 'Activiteit toevoegen' }).click();
  await school.locator('#a-title').fill('Lessen lassen met de robot');
  await school.locator('#a-milestone_title').fill('Eerste lessen gegeven');
  await school.locator('#a-milestone_due').fill('2027-03-01');
  await school.getByRole('button', { name: 'Activiteit toevoegen' }).click();
  await school.getByText('De activiteit is toegevoegd.').waitFor();
  await school.locator('summary', { hasText: 'Begrotingsregel toevoegen' }).click();
  await school.getByLabel('Jaar').selectOption('2027');
  await school.getByLabel('Kostensoort').selectOption('materials');
  await school.getByLabel('Omschrijving').fill('Lasrobot voor de les');
  await school.getByLabel('Aantal').fill('1');
  await school.getByLabel('Prijs per eenheid (€)').fill('12.345,67');
  await school.getByRole('button', { name: 'Regel toevoegen' }).click();
  await school.getByRole('cell', { name: 'Lasrobot voor de les' }).waitFor();
  await school.getByRole('heading', { name: 'Het plan is compleet' }).waitFor();
  await submit(school);

  const manager = await as('programmamanager@sterk.example');
  await manager.goto(`${env.sterk.url}/regio/zuid-friesland/deelplannen`);
  await axe(manager, 'the board');
  assert.match(await manager.locator('#kolom-ingediend').locator('..').textContent(), new RegExp(TITLE));
  await openPlan(manager);
  await manager.getByRole('button', { name: 'Terugsturen' }).click();
  await manager.getByText('Geef een toelichting: die is verplicht bij teruggestuurd.').waitFor();
  await manager.getByLabel('Toelichting').fill('Met welk bedrijf werkt u samen? Vul dat aan.');
  await manager.getByRole('button', { name: 'Terugsturen' }).click();
  await manager.getByText('De status is nu: teruggestuurd.').waitFor();

  await openPlan(school);
  await school.getByText('Met welk bedrijf werkt u samen? Vul dat aan.').first().waitFor();
  await school.getByLabel('Met wie en hoe werkt de school samen?').fill('Met Installatiebedrijf De Vries: zij leveren een lasinstructeur.');
  await school.getByRole('button', { name: 'Plan opslaan' }).click();
  await school.getByText('Het deelplan is opgeslagen.').waitFor();
  await submit(school);

  await openPlan(manager);
  await manager.getByText('Met Installatiebedrijf De Vries').waitFor();
  await manager.getByRole('button', { name: 'Goedkeuren' }).click();
  await manager.getByText('De status is nu: goedgekeurd.').waitFor();
  await manager.getByRole('link', { name: 'aanvraag van de regio' }).click();
  await manager.getByRole('link', { name: /Openen.*2027 en 2028/ }).click();
  const row = manager.getByRole('row', { name: /Lasrobot voor de les/ });
  await row.waitFor();
  assert.match(await row.textContent(), /€ 12\.345,67/);
  assert.equal(await manager.getByRole('row', { name: /Lasrobot voor de les/ }).count(), 1, 'the line is in the application once');

  // Mail reached the right people: the manager on each submission, the school on return and approval.
  const submitted = mailsAbout(`Deelplan ingediend: ${TITLE}`);
  assert.equal(submitted.length, 2);
  assert.deepEqual(submitted[0].to, ['programmamanager@sterk.example']);
  assert.match(submitted[0].text, new RegExp(`${env.sterk.url}/regio/zuid-friesland/deelplannen/[0-9a-f-]+`));
  const returned = mailsAbout(`Deelplan teruggestuurd: ${TITLE}`);
  assert.deepEqual(returned.map((m) => m.to), [['school@sterk.example']]);
  assert.match(returned[0].text, /Met welk bedrijf werkt u samen\?/);
  const approved = mailsAbout(`Deelplan goedgekeurd: ${TITLE}`);
  assert.deepEqual(approved.map((m) => m.to), [['school@sterk.example']]);
});

test('a teacher asks for an account from the region page', async () => {
  const context = await env.browser.newContext({ locale: 'nl-NL' });
  const page = await context.newPage();
  await page.goto(`${env.sterk.url}/regios/zuid-friesland`);
  await page.getByRole('link', { name: 'account aanvragen' }).click();
  await axe(page, 'the account request form');
  await page.getByLabel('Uw naam').fill('Pieter Docent');
  await page.getByLabel('E-mailadres').fill('pieter@school.example');
  await page.getByLabel('School').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Aanvraag versturen' }).click();
  await page.getByText('Uw aanvraag is verstuurd').waitFor();
  const mail = mailsAbout('Accountaanvraag van Pieter Docent');
  assert.deepEqual(mail.map((m) => m.to), [['programmamanager@sterk.example']]);
});
