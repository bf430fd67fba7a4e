import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PASSWORD, axe, mailTo, signIn, sterkBrowserAndSmtp, totp } from './helpers.mjs';

const env = sterkBrowserAndSmtp();

async function page() {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/** The path of the first link in a mail that starts with `prefix`. */
function linkIn(mail, prefix) {
  const m = mail.text.match(new RegExp(`https?://[^\\s/]+(${prefix}[0-9a-f]{64})`));
  assert.ok(m, `a link to ${prefix} in: ${mail.text}`);
  return m[1];
}

async function resetPassword(p, email, password) {
  const { url } = env.sterk;
  await p.goto(`${url}/inloggen`);
  await p.getByRole('link', { name: 'Wachtwoord vergeten?' }).click();
  await p.getByLabel('E-mailadres').fill(email);
  await p.getByRole('button', { name: 'Link versturen' }).click();
  await p.getByText('De link werkt één keer en een uur lang.').waitFor();
  const mail = await mailTo(env.smtp, email, /Nieuw wachtwoord/);
  await p.goto(`${url}${linkIn(mail, '/wachtwoord-herstellen/')}`);
  await axe(p, 'the reset page');
  await p.getByLabel('Nieuw wachtwoord', { exact: true }).fill(password);
  await p.getByLabel('Nieuw wachtwoord nogmaals').fill(password);
  await p.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await p.waitForURL(`${url}/inloggen`);
  await p.getByText('U bent overal afgemeld').waitFor();
}

async function signInWith(p, email, password) {
  await p.goto(`${env.sterk.url}/inloggen`);
  await p.getByLabel('E-mailadres').fill(email);
  await p.getByLabel('Wachtwoord').fill(password);
  await p.getByRole('button', { name: 'Inloggen' }).click();
}

test('a forgotten password is reset through the mailed link, which works once', async () => {
  const p = await page();
  const { url } = env.sterk;
  await p.goto(`${url}/wachtwoord-vergeten`);
  await axe(p, 'the forgotten-password page');
  await resetPassword(p, 'partner@sterk.example', 'mijn nieuwe wachtwoord');
  await signInWith(p, 'partner@sterk.example', PASSWORD);
  await p.getByText('Het e-mailadres of het wachtwoord klopt niet.').waitFor();
  await signInWith(p, 'partner@sterk.example', 'mijn nieuwe wachtwoord');
  await p.waitForURL(`${url}/beheer`);
  const mail = await mailTo(env.smtp, 'partner@sterk.example', /Nieuw wachtwoord/);
  await p.goto(`${url}${linkIn(mail, '/wachtwoord-herstellen/')}`);
  await p.getByRole('heading', { name: 'Deze link werkt niet meer' }).waitFor();
  await p.context().close();
});

test('two-factor sign-in: set up from the QR code key, asked at the next sign-in, also after a password reset', async () => {
  const p = await page();
  const { url } = env.sterk;
  const email = 'school@sterk.example';
  await signIn(p, url, email);
  await p.getByRole('link', { name: 'Inloggen in twee stappen' }).click();
  await p.waitForURL(`${url}/account/tweestapsverificatie`);
  const qr = p.getByRole('img', { name: /QR-code/ });
  await qr.waitFor();
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code (SVG from the server) shows');
  await axe(p, 'the two-factor set-up page');
  const secret = (await p.locator('code.sterk-token').textContent()).trim();
  await p.getByLabel('Code uit de app').fill(await totp(secret, Date.now() / 1000));
  await p.getByRole('button', { name: 'Aanzetten' }).click();
  await p.getByRole('heading', { name: 'Uw herstelcodes' }).waitFor();
  assert.equal(await p.locator('.sterk-codes li').count(), 10);
  await axe(p, 'the recovery codes');
  await p.getByRole('button', { name: /^Uitloggen/ }).click();

  // A reset password does not skip the second step.
  await resetPassword(p, email, 'een ander nieuw wachtwoord');
  await signInWith(p, email, 'een ander nieuw wachtwoord');
  await p.waitForURL(`${url}/inloggen/code`);
  await axe(p, 'the code page');
  await p.getByLabel('Code').fill('123456');
  await p.getByRole('button', { name: 'Inloggen' }).click();
  await p.getByText('Deze code klopt niet.').first().waitFor();
  await p.getByLabel('Code').fill(await totp(secret, Date.now() / 1000 + 30));
  await p.getByRole('button', { name: 'Inloggen' }).click();
  await p.waitForURL(`${url}/beheer`);
  await p.context().close();
});
