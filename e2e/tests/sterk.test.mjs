import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { codeSniffer, signIn, startBrowser, startSterk } from './helpers.mjs';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SHOTS = new URL('../test-results/', import.meta.url).pathname;

let sterk;
let browser;

before(async () => {
  sterk = await startSterk();
  browser = await startBrowser();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  sterk?.stop();
});

async function newPage() {
  const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

const PUBLIC_PAGES = ['/', '/regios', '/regios/zuid-friesland', '/regios/goeree-overflakkee-en-hoeksche-waard',
    '/scholen', '/scholen?q=college', '/scholen?q=bestaat-niet', '/inloggen', '/regios/bestaat-niet',
    '/regeling', '/regeling/sto-2025-2028', '/regeling/sto-2020-2023', '/monitor', '/veranderingstheorie',
    '/nieuws', '/nieuws/handreiking-sterk-techniekonderwijs-blijvend-borgen', '/agenda',
    '/agenda/landelijke-sto-dag-van-plan-naar-praktijk', '/webinars', '/veelgestelde-vragen',
    '/veelgestelde-vragen?onderwerp=kosten', '/documenten', '/documenten/brochure-sterk-techniekonderwijs',
    '/inspiratie', '/inspiratie?provincie=Friesland', '/webinars/terugkijken-meisjes-kiezen-techniek',
    '/inspiratie/techlab-heerenveen-robotica-en-duurzame-energie', '/zoeken', '/zoeken?q=techniek', '/zoeken?q=bestaatniet',
    '/regios?gemeente=heerenveen', '/scholen?q=nordwin', '/contact', '/toegankelijkheid', '/privacy', '/open-data',
    '/regios/zuid-friesland/aansluiten', '/regios/zuid-friesland/partner-worden'];

/** The pages a region manager works in. */
const REGION_PAGES = ['/beheer', '/regio/zuid-friesland/aanvragen', '/regio/zuid-friesland/aanvragen/hoofdlijnen',
  '/regio/zuid-friesland/deelplannen', '/regio/zuid-friesland/uitvoering', '/regio/zuid-friesland/uitvoering/uren',
  '/regio/zuid-friesland/uitvoering/kosten', '/regio/zuid-friesland/uitvoering/apparatuur',
  '/regio/zuid-friesland/uitvoering/bijdragen', '/regio/zuid-friesland/uitvoering/mijlpalen',
  '/regio/zuid-friesland/uitvoering/wijzigingen', '/regio/zuid-friesland/verantwoording', '/regio/zuid-friesland/vaststelling', '/beheer/regios/zuid-friesland',
  '/regio/zuid-friesland/aanmeldingen', '/beheer/berichten'];

describe('public pages pass axe-core (WCAG 2.1 AA) with zero violations', () => {
  for (const path of PUBLIC_PAGES) {
    test(path, async () => {
      const page = await newPage();
      await page.goto(sterk.url + path);
      const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
      assert.ok(results.passes.length > 10, 'axe ran its checks');
      const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
      assert.deepEqual(summary, [], `axe violations on ${path}`);
      await page.context().close();
    });
  }
});

test('on a phone-sized screen the region page has no axe violations and no sideways page scroll', async () => {
  const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  for (const path of ['/', '/regios/zuid-friesland', '/scholen?q=college']) {
    await page.goto(sterk.url + path);
    const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.help}`), [], `axe violations on ${path} (mobile)`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
  }
  await page.screenshot({ path: SHOTS + 'region-mobile.png', fullPage: true });
  await context.close();
});

test('no page scrolls sideways: reflow at 320 px (WCAG 1.4.10), and no table widens the page at 1366 px', async () => {
  for (const width of [320, 1366]) {
    const context = await browser.newContext({ locale: 'nl-NL', viewport: { width, height: 800 } });
    const page = await context.newPage();
    const wide = [];
    const check = async (path) => {
      await page.goto(sterk.url + path);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (over > 0) wide.push(`${path}: ${over}px`);
    };
    for (const path of PUBLIC_PAGES) await check(path);
    await signIn(page, sterk.url, 'programmamanager@sterk.example');
    for (const path of REGION_PAGES) await check(path);
    assert.deepEqual(wide, [], `pages wider than ${width} px`);
    await context.close();
  }
});

test('HTML_CodeSniffer (WCAG2AA, as pa11y runs it) finds no error on any page, signed out and signed in', async () => {
  // The injected checker is a script the content security policy rightly refuses: this context bypasses it.
  const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  const check = async (path) => {
    await page.goto(sterk.url + path);
    for (const error of await codeSniffer(page)) found.push(`${path}: ${error}`);
  };
  for (const path of PUBLIC_PAGES) await check(path);
  await signIn(page, sterk.url, 'programmamanager@sterk.example');
  for (const path of REGION_PAGES) await check(path);
  await check('/regio/zuid-friesland/aanvragen/hoofdlijnen?regel=0');
  await context.clearCookies();
  await signIn(page, sterk.url, 'beheerder@sterk.example');
  for (const path of ['/beheer/regios', '/beheer/organisaties', '/beheer/gebruikers', '/account/wachtwoord']) await check(path);
  assert.deepEqual(found, [], 'HTML_CodeSniffer errors');
  await context.close();
});

test('signed-in management pages pass axe-core too', async () => {
  const page = await newPage();
  await signIn(page, sterk.url, 'beheerder@sterk.example');
  for (const path of ['/beheer', '/beheer/regios/zuid-friesland', '/beheer/regios/zuid-friesland/deelnemers?q=college',
    '/beheer/organisaties', '/beheer/organisaties/nieuw', '/beheer/gebruikers', '/account/wachtwoord']) {
    await page.goto(sterk.url + path);
    const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.help}`), [], `axe violations on ${path}`);
  }
  await page.context().close();
});

test('a visitor browses the regions by province and opens one', async () => {
  const page = await newPage();
  await page.goto(sterk.url + '/');
  await page.screenshot({ path: SHOTS + 'home.png', fullPage: true });
  await page.getByRole('link', { name: "Bekijk alle regio's per provincie" }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Fryslân' }).waitFor());
  await page.getByRole('link', { name: 'Zuid-Friesland' }).click();
  await page.waitForURL(/\/regios\/zuid-friesland$/);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Zuid-Friesland');
  assert.ok(await page.getByRole('cell', { name: 'Kei College' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'programmamanager@sterk.example' }).isVisible());
  await page.context().close();
});

test('a teacher finds the school, its region and whom to contact, by keyboard', async () => {
  const page = await newPage();
  await page.goto(sterk.url + '/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Naar de inhoud', 'the skip link comes first');
  await page.getByLabel('School, plaats of DUO-code').fill('05AC00');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/scholen\?q=05AC00/);
  assert.ok(await page.getByRole('heading', { name: '1 school gevonden' }).isVisible());
  assert.ok(await page.getByText('Doet mee').isVisible());
  await page.getByRole('link', { name: 'Zuid-Friesland' }).last().click();
  await page.waitForURL(/\/regios\/zuid-friesland$/);
  await page.context().close();
});

test('a region manager edits the region, the public sees it, and another region is refused', async () => {
  const page = await newPage();
  await signIn(page, sterk.url, 'programmamanager@sterk.example');
  await page.getByRole('link', { name: 'Zuid-Friesland', exact: true }).first().click();
  await page.waitForURL(/\/beheer\/regios\/zuid-friesland$/);
  const text = `Bijgewerkt in de browser op ${new Date().toISOString()}`;
  await page.getByLabel('Beschrijving', { exact: true }).fill(text);
  await page.getByLabel('E-mailadres contactpersoon').fill('anna@regio');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  assert.ok(await page.getByText('"anna@regio" is geen geldig e-mailadres').first().isVisible(), 'the message stands beside the field');
  assert.equal(await page.getByLabel('Beschrijving', { exact: true }).inputValue(), text, 'input is kept');
  await page.screenshot({ path: SHOTS + 'region-form-error.png', fullPage: true });
  await page.getByLabel('E-mailadres contactpersoon').fill('pm@zuidfriesland.example');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  assert.ok(await page.getByText('De wijzigingen zijn opgeslagen').isVisible());

  const visitor = await newPage();
  await visitor.goto(sterk.url + '/regios/zuid-friesland');
  assert.ok(await visitor.getByText(text).isVisible());
  assert.ok(await visitor.getByRole('link', { name: 'pm@zuidfriesland.example' }).isVisible());
  await visitor.context().close();

  const refused = await page.goto(sterk.url + '/beheer/regios/utrecht');
  assert.equal(refused.status(), 403);
  assert.ok(await page.getByRole('heading', { name: 'Geen toegang' }).isVisible());
  await page.context().close();
});
