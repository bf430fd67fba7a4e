// Runs the Nu HTML Checker (vnu.jar, the W3C's validator) over every HTML page the browser tests
// loaded (tests/helpers.mjs keeps them in .html-pages), signed in and out, and fails on any error
// or warning, naming the page's address, line and message.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vnu from 'vnu-jar';

const dir = join(import.meta.dirname, '..', '.html-pages');
const pages = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.html')) : [];
if (pages.length === 0) {
  console.error('Geen pagina\'s om te controleren: draaien de browsertests wel?');
  process.exit(1);
}
// vnu writes its report on stderr, and exits 1 when the report holds anything.
const run = spawnSync('java', ['-jar', vnu, '--format', 'json', '--also-check-svg', ...pages.map((p) => join(dir, p))], {
  encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
});
if (run.error || !run.stderr.trim().startsWith('{')) {
  console.error(`vnu.jar ran not: ${run.error?.message ?? run.stderr}`);
  process.exit(1);
}
const output = run.stderr;
const messages = JSON.parse(output).messages || [];
const where = (url) => {
  const file = decodeURIComponent(new URL(url).pathname).split('/').pop();
  return readFileSync(join(dir, file.replace(/\.html$/, '.url')), 'utf8');
};
for (const m of messages) {
  console.log(`${where(m.url)}:${m.lastLine ?? '?'}: ${m.type}${m.subType ? `/${m.subType}` : ''}: ${m.message}`);
  if (m.extract) console.log(`    ${m.extract.replace(/\s+/g, ' ').trim()}`);
}
const pagesChecked = new Set(pages.map((p) => readFileSync(join(dir, p.replace(/\.html$/, '.url')), 'utf8').split(' ')[1]));
console.log(`Nu HTML Checker: ${pages.length} pagina's (${pagesChecked.size} adressen), ${messages.length} meldingen.`);
process.exit(messages.length === 0 ? 0 : 1);
