import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axe, freePort, startBrowser, startOidcProvider, startSterk } from './helpers.mjs';

const SECRET = 'sterk-test-geheim-0123456789abcdef';
let sterk;
let oidc;
let browser;

before(async () => {
  const port = await freePort();
  oidc = await startOidcProvider(`http://127.0.0.1:${port}`);
  const provider = (id, name) => ({
    [`STERK_OIDC_${id}_ISSUER`]: oidc.issuer,
    [`STERK_OIDC_${id}_CLIENT_ID`]: id.toLowerCase().replaceAll('_', '-'),
    [`STERK_OIDC_${id}_CLIENT_SECRET`]: SECRET,
    [`STERK_OIDC_${id}_NAME`]: name,
  });
  sterk = await startSterk({
    ...provider('TEST', 'Inloggen met de testprovider'),
    ...provider('VERKEERDE_NONCE', 'Inloggen met een provider die de nonce verwisselt'),
  }, port);
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  sterk?.stop();
  oidc?.stop();
});

async function page() {
  const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

async function atProvider(p, email) {
  await p.getByLabel('E-mailadres bij de testprovider').fill(email);
  await p.getByRole('button', { name: 'Inloggen bij de testprovider' }).click();
}

test('signs in through the real OpenID provider in the browser, then out of both', async () => {
  const p = await page();
  const { url } = sterk;
  await p.goto(`${url}/inloggen`);
  await axe(p, 'the sign-in page with providers');
  await p.getByRole('link', { name: 'Inloggen met de testprovider' }).click();
  assert.ok(p.url().startsWith(oidc.issuer), `at the provider: ${p.url()}`);
  await atProvider(p, 'partner@sterk.example');
  await p.waitForURL(`${url}/beheer`);
  await p.getByRole('link', { name: /^Inlogdiensten/ }).click();
  await p.getByText('gekoppeld als partner@sterk.example').waitFor();
  await axe(p, 'the linked providers');
  // Signing out of Sterk goes on to the provider's own logout, and back home.
  await p.getByRole('button', { name: /^Uitloggen/ }).click();
  await p.waitForURL((u) => u.toString().startsWith(oidc.issuer));
  await p.getByRole('button', { name: /sign me out/i }).click();
  await p.waitForURL(`${url}/`);
  await p.goto(`${url}/beheer`);
  await p.waitForURL(`${url}/inloggen`);
  await p.context().close();
});

test('refuses a provider that answers with a wrong nonce', async () => {
  const p = await page();
  const { url } = sterk;
  await p.goto(`${url}/inloggen`);
  await p.getByRole('link', { name: 'Inloggen met een provider die de nonce verwisselt' }).click();
  await atProvider(p, 'partner@sterk.example');
  await p.getByText('het antwoord van de provider klopte niet').waitFor();
  await p.goto(`${url}/beheer`);
  await p.waitForURL(`${url}/inloggen`);
  await p.context().close();
});
