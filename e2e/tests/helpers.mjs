// Starts a real `sterk serve --demo` on a free port and a real headless Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const PASSWORD = 'sterk-demo-2025';

export function sterkBinary() {
  if (process.env.STERK_BIN) return process.env.STERK_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(import.meta.dirname, '..', '..', 'target');
  return join(target, 'debug', 'sterk');
}

/** Starts Sterk with the demo set; resolves to { url, stop }. */
export async function startSterk() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sterk-e2e-'));
  const env = { ...process.env, RUST_LOG: 'warn' };
  delete env.STERK_DATABASE_URL;
  const child = spawn(sterkBinary(), ['--data-dir', dataDir, 'serve', '--demo', '--bind', '127.0.0.1:0'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sterk did not start within 60 s')), 60_000);
    child.on('exit', (code) => reject(new Error(`sterk exited with ${code}`)));
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

export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export async function signIn(page, url, email) {
  await page.goto(`${url}/inloggen`);
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(`${url}/beheer`);
}
