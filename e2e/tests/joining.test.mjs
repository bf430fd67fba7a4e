import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axe, mailTo, signIn, sterkBrowserAndSmtp } from './helpers.mjs';

// Joining and finding, in Chromium against `sterk serve --demo` with mail over a real SMTP sink.
const env = sterkBrowserAndSmtp();

async function page() {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/** A person takes longer than the forms' two-second minimum to fill them in. */
const asAPersonWould = () => new Promise((resolve) => setTimeout(resolve, 2_100));

/** The path of the first link in a mail that starts with `prefix`. */
function linkIn(mail, prefix) {
  const m = mail.text.match(new RegExp(`https?://[^\\s/]+(${prefix}\\S+)`));
  assert.ok(m, `a link to ${prefix} in: ${mail.text}`);
  return m[1];
}

test('a school outside every region finds the region of its municipality, asks to join, is accepted and invited', async () => {
  const p = await page();
  const { url } = env.sterk;
  await p.goto(`${url}/scholen`);
  await p.getByLabel('School, plaats, gemeente of DUO-code').fill('Nordwin');
  await p.getByRole('button', { name: 'Zoeken' }).click();
  await p.getByText('Doet (nog) niet mee').first().waitFor();
  await axe(p, 'the finder with a school outside the registry');
  await p.getByRole('link', { name: /Aanmelden bij deze regio.*Zuid-Friesland, Nordwin College/ }).first().click();
  await p.getByRole('heading', { name: 'Uw school aanmelden bij Zuid-Friesland' }).waitFor();
  assert.match(await p.getByLabel('Uw school (vmbo-vestiging volgens DUO)').inputValue(), /^12VI/);
  await p.getByLabel('Uw naam').fill('Hilde Zandstra');
  await p.getByLabel('Uw e-mailadres').fill('h.zandstra@nordwin.example');
  await p.getByLabel('Bericht aan de programmamanager (optioneel)').fill('Wij hebben een groene techniekroute.');
  await asAPersonWould();
  await p.getByRole('button', { name: 'Aanmelding versturen' }).click();
  await p.getByText('Uw aanmelding is verstuurd').waitFor();
  await mailTo(env.smtp, 'programmamanager@sterk.example', /Aanmelding: Nordwin College wil meedoen/);

  const manager = await page();
  await signIn(manager, url, 'programmamanager@sterk.example');
  await manager.getByRole('link', { name: /aanmeldingen om mee te doen in Zuid-Friesland/ }).click();
  await axe(manager, 'the requests to join');
  const card = manager.locator('li.sterk-card', { hasText: 'h.zandstra@nordwin.example' });
  await card.getByRole('button', { name: /^Aannemen/ }).click();
  await manager.getByText('Aangenomen: de organisatie doet mee').waitFor();
  const invitation = await mailTo(env.smtp, 'h.zandstra@nordwin.example', /Uitnodiging voor Sterk/);
  assert.match(invitation.text, /Uw aanmelding is aangenomen: Nordwin College doet mee in Zuid-Friesland/);
  await p.goto(`${url}${linkIn(invitation, '/uitnodiging/')}`);
  await p.getByText('Contactpersoon school').first().waitFor();
  await p.goto(`${url}/regios/zuid-friesland`);
  await p.getByText('Nordwin College').first().waitFor();
  await p.context().close();
  await manager.context().close();
});

test('a company asks to become a partner, its KvK number checked, and is accepted', async () => {
  const p = await page();
  const { url } = env.sterk;
  await p.goto(`${url}/regios/zuid-friesland`);
  await p.getByRole('link', { name: 'Partner worden als bedrijf' }).click();
  await p.getByLabel('Naam van het bedrijf').fill('Installatietechniek Wiersma');
  await p.getByLabel('KvK-nummer').fill('1234');
  await p.getByLabel('Uw naam').fill('Gerrit Wiersma');
  await p.getByLabel('Uw e-mailadres').fill('gerrit@wiersma.example');
  await p.getByLabel('Wat biedt uw bedrijf?').fill('Stages in de installatietechniek.');
  await asAPersonWould();
  await p.getByRole('button', { name: 'Aanmelding versturen' }).click();
  await p.getByText('Vul het KvK-nummer in: acht cijfers').first().waitFor();
  await axe(p, 'the partner form with an error');
  assert.equal(await p.getByLabel('Naam van het bedrijf').inputValue(), 'Installatietechniek Wiersma', 'what was typed is kept');
  await p.getByLabel('KvK-nummer').fill('1234 5678');
  await asAPersonWould();
  await p.getByRole('button', { name: 'Aanmelding versturen' }).click();
  await p.getByText('Uw aanmelding is verstuurd').waitFor();

  const manager = await page();
  await signIn(manager, url, 'programmamanager@sterk.example');
  await manager.goto(`${url}/regio/zuid-friesland/aanmeldingen`);
  const card = manager.locator('li.sterk-card', { hasText: 'Installatietechniek Wiersma' });
  await card.getByText('KvK-nummer 12345678').waitFor();
  await card.getByRole('button', { name: /^Aannemen/ }).click();
  await manager.getByText('Aangenomen: de organisatie doet mee').waitFor();
  const invited = await mailTo(env.smtp, 'gerrit@wiersma.example', /Uitnodiging voor Sterk/);
  assert.match(invited.text, /Installatietechniek Wiersma doet mee in Zuid-Friesland/);
  await p.goto(`${url}/regios/zuid-friesland`);
  await p.getByText('Installatietechniek Wiersma').first().waitFor();
  await p.context().close();
  await manager.context().close();
});

test('a plan waits for the school leader before the region board shows it', async () => {
  const { url } = env.sterk;
  // The school's only signatory in Sterk steps down: its school leader endorses by a mailed link.
  const manager = await page();
  await signIn(manager, url, 'programmamanager@sterk.example');
  await manager.goto(`${url}/beheer/gebruikers`);
  await manager.getByRole('button', { name: /Intrekken.*Demo Penvoerder/ }).click();
  await manager.getByRole('button', { name: /Tekenbevoegd maken.*Demo Penvoerder/ }).waitFor();
  const school = await page();
  await signIn(school, url, 'school@sterk.example');
  await school.goto(`${url}/regio/zuid-friesland/deelplannen`);
  await school.getByRole('link', { name: 'Gastlessen robotica' }).click();
  const planUrl = school.url();
  await school.getByRole('link', { name: 'Controleren en indienen' }).click().catch(() => {});
  if (!school.url().endsWith('/indienen')) await school.goto(`${planUrl}/indienen`);
  await school.getByRole('heading', { name: 'Deelplan naar de schoolleiding' }).waitFor();
  await axe(school, 'the step to the school management');
  await school.getByLabel('Naam van de schoolleider').fill('Dhr. T. Hoekstra');
  await school.getByLabel('E-mailadres van de schoolleider').fill('t.hoekstra@aeres.example');
  await school.getByRole('button', { name: 'Naar de schoolleiding sturen' }).click();
  await school.getByText('De status is nu: bij de schoolleiding.').waitFor();

  await manager.goto(`${url}/regio/zuid-friesland/deelplannen`);
  assert.equal(await manager.getByText('Gastlessen robotica').count(), 0, 'not on the region board yet');

  const mail = await mailTo(env.smtp, 't.hoekstra@aeres.example', /Deelplan ter goedkeuring: Gastlessen robotica/);
  const leader = await page();
  await leader.goto(`${url}${linkIn(mail, '/deelplannen/akkoord/')}`);
  await leader.getByText('Beste Dhr. T. Hoekstra').waitFor();
  await axe(leader, 'the school leader\'s link');
  await leader.getByRole('button', { name: 'Akkoord: naar de regio' }).click();
  await leader.getByText('naar de regio gestuurd').waitFor();

  await manager.goto(`${url}/regio/zuid-friesland/deelplannen`);
  await manager.getByRole('link', { name: 'Gastlessen robotica' }).click();
  await manager.getByText(/Dhr\. T\. Hoekstra \(t\.hoekstra@aeres\.example\), schoolleiding, via e-maillink/).first().waitFor();
  for (const p of [school, manager, leader]) await p.context().close();
});

test('a question reaches the region manager and the answer reaches the sender', async () => {
  const { url } = env.sterk;
  const visitor = await page();
  await visitor.goto(`${url}/regios/zuid-friesland`);
  await visitor.getByRole('link', { name: 'Een vraag stellen aan de regio' }).click();
  assert.match(await visitor.getByLabel('Aan').inputValue(), /zuid-friesland/);
  await visitor.getByLabel('Uw naam').fill('Marieke Bakker');
  await visitor.getByLabel('Uw e-mailadres').fill('marieke@example.nl');
  await visitor.getByLabel('Onderwerp').fill('Techniekdag voor groep 8');
  await visitor.getByLabel('Uw vraag').fill('Kan de basisschool van mijn dochter meedoen aan de techniekdag?');
  await asAPersonWould();
  await visitor.getByRole('button', { name: 'Vraag versturen' }).click();
  await visitor.getByText('Uw vraag is verstuurd').waitFor();
  await mailTo(env.smtp, 'programmamanager@sterk.example', /Vraag via Sterk: Techniekdag voor groep 8/);

  const manager = await page();
  await signIn(manager, url, 'programmamanager@sterk.example');
  await manager.getByRole('link', { name: /via het contactformulier/ }).click();
  const card = manager.locator('li.sterk-card', { hasText: 'Techniekdag voor groep 8' });
  await card.getByLabel('Uw antwoord').fill('Ja, meld de school aan via de regiopagina.');
  await card.getByRole('button', { name: /^Antwoord versturen/ }).click();
  await manager.getByText('Het antwoord is per e-mail verstuurd.').waitFor();
  const answer = await mailTo(env.smtp, 'marieke@example.nl', /Antwoord op uw vraag: Techniekdag voor groep 8/);
  assert.match(answer.text, /meld de school aan via de regiopagina/);
  await visitor.context().close();
  await manager.context().close();
});
