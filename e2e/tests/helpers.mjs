import { after, before } from 'node:test';
// Starts a real `sterk serve --demo` on a free port and a real headless Chromium.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';

export const PASSWORD = 'sterk-demo-2025';

export function sterkBinary() {
  if (process.env.STERK_BIN) return process.env.STERK_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(import.meta.dirname, '..', '..', 'target');
  return join(target, 'debug', 'sterk');
}

/** A port nobody listens on now (for a server whose address must be known before it starts). */
export async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts Sterk with the demo set (and `extraEnv`, e.g. SMTP settings) on `port` (0: any free one); resolves to { url, stop }. */
export async function startSterk(extraEnv = {}, port = 0) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sterk-e2e-'));
  const env = { ...process.env, RUST_LOG: 'warn', ...extraEnv };
  delete env.STERK_DATABASE_URL;
  const child = spawn(sterkBinary(), ['--data-dir', dataDir, 'serve', '--demo', '--bind', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sterk did not start within 60 s')), 60_000);
    child.on('exit', (code) => reject(new Error(`sterk exited with ${code}`)));
    child.on('error', (e) => reject(new Error(`sterk did not start: ${e.message}`)));
    lines.on('line', (line) => {
      const m = line.match(/Sterk draait op (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** Where every HTML page the browser tests load is kept for the Nu HTML Checker (tools/check-html.mjs). */
export const HTML_PAGES = join(import.meta.dirname, '..', '.html-pages');

/** Keeps each HTML document a context loads (as the server sent it, before any script ran). */
function keepPages(context) {
  mkdirSync(HTML_PAGES, { recursive: true });
  context.on('response', async (response) => {
    const request = response.request();
    const type = response.headers()['content-type'] || '';
    if (!request.isNavigationRequest() || !type.startsWith('text/html') || (response.status() >= 300 && response.status() < 400)) return;
    // Sterk's pages only (each carries its request id), not the test OpenID provider's.
    if (!response.headers()['x-request-id']) return;
    const body = await response.body().catch(() => null);
    if (!body) return;
    const name = createHash('sha256').update(body).digest('hex').slice(0, 24);
    writeFileSync(join(HTML_PAGES, `${name}.html`), body);
    writeFileSync(join(HTML_PAGES, `${name}.url`), `${request.method()} ${new URL(response.url()).pathname}`);
  });
}

/** Debian's Chromium, headless; every page it loads is kept for the HTML validator. */
export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    keepPages(context);
    return context;
  };
  // As Playwright's own: a page in a context of its own, which closes with the page.
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.once('close', () => context.close().catch(() => {}));
    return page;
  };
  return browser;
}

export async function signIn(page, url, email) {
  await page.goto(`${url}/inloggen`);
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(`${url}/beheer`);
}

/** A real SMTP server on loopback that keeps every message, parsed: { port, messages, stop }. */
export async function startSmtpSink() {
  const { SMTPServer } = await import('smtp-server');
  const { simpleParser } = await import('mailparser');
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: mail.subject, text: mail.text });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.server.address().port, messages, stop: () => server.close() };
}

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Asserts that axe-core finds no WCAG 2.1 AA violations on the page. */
export async function axe(page, what) {
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.help}`), [], `${what} passes axe`);
}

/** Starts Sterk with its demo and Chromium before a file's tests and stops both after them. */
export function sterkAndBrowser(extraEnv = {}) {
  const env = {};
  before(async () => {
    env.sterk = await startSterk(extraEnv);
    env.browser = await startBrowser();
  });
  after(async () => {
    await env.browser?.close();
    env.sterk?.stop();
  });
  return env;
}

const HTMLCS = join(import.meta.dirname, '..', 'node_modules', 'html_codesniffer', 'build', 'HTMLCS.js');

/**
 * HTML_CodeSniffer's WCAG2AA errors on the page, as pa11y reports them (errors only, not warnings or
 * notices): "code: message (element)". The page's context must bypass the content security policy,
 * which rightly refuses the injected script.
 */
export async function codeSniffer(page) {
  await page.addScriptTag({ path: HTMLCS });
  return page.evaluate(() => new Promise((resolve) => {
    const where = (el) => {
      if (!el || !el.tagName) return 'document';
      const id = el.id ? `#${el.id}` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${id}${cls}`;
    };
    try {
      window.HTMLCS.process('WCAG2AA', window.document, () => {
        resolve(window.HTMLCS.getMessages()
          .filter((m) => m.type === window.HTMLCS.ERROR)
          .map((m) => `${m.code}: ${m.msg} (${where(m.element)})`));
      }, () => resolve(['HTML_CodeSniffer failed to run']), 'en');
    } catch (e) {
      // The checker throws where it meant to report an error without a message text (an
      // autocomplete token on a control whose type it does not accept): a finding, not a pass.
      resolve([`HTML_CodeSniffer stopped: ${e.message}`]);
    }
  }));
}


/** The six-digit code an authenticator app shows for a base32 `secret` at `seconds` (RFC 6238, SHA-1). */
export async function totp(secret, seconds) {
  const { createHmac } = await import('node:crypto');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Waits until the sink holds a message to `to` whose subject matches, and returns it. */
export async function mailTo(smtp, to, subject, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = smtp.messages.findLast((m) => m.to.includes(to) && subject.test(m.subject ?? ''));
    if (found) return found;
    if (Date.now() > until) throw new Error(`no mail to ${to} with subject ${subject}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the real OpenID provider (`oidc/provider.mjs`, oidc-provider) for a Sterk at `sterkUrl`; resolves to { issuer, stop }. */
export async function startOidcProvider(sterkUrl) {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'oidc', 'provider.mjs'), '--sterk', sterkUrl], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout });
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OIDC provider did not start within 30 s')), 30_000);
    child.on('exit', (code) => reject(new Error(`the OIDC provider exited with ${code}`)));
    lines.on('line', (line) => {
      const m = line.match(/OIDC-provider op (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { issuer, stop: () => child.kill('SIGTERM') };
}

/** Starts an SMTP sink, Sterk mailing to it, and Chromium before a file's tests; stops them after. */
export function sterkBrowserAndSmtp() {
  const env = {};
  before(async () => {
    env.smtp = await startSmtpSink();
    env.sterk = await startSterk({ STERK_SMTP_URL: `smtp://127.0.0.1:${env.smtp.port}`, STERK_MAIL_FROM: 'Sterk <noreply@sterk.example>' });
    env.browser = await startBrowser();
  });
  after(async () => {
    await env.browser?.close();
    env.sterk?.stop();
    env.smtp?.stop();
  });
  return env;
}
