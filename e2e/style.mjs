import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage();
await page.goto('http://127.0.0.1:8099/inloggen');
await page.fill('input[name=email]', 'beoordelaar@sterk.example');
await page.fill('input[name=password]', 'sterk-demo-2025');
await page.click('button[type=submit]');
await page.waitForLoadState('networkidle');
await page.goto('http://127.0.0.1:8099/portefeuille');
const c = await page.context().newCDPSession(page);
await c.send('DOM.enable'); await c.send('CSS.enable');
const doc = await c.send('DOM.getDocument');
const { nodeId } = await c.send('DOM.querySelector', { nodeId: doc.root.nodeId, selector: 'td.utrecht-table__cell--numeric-column' });
const m = await c.send('CSS.getMatchedStylesForNode', { nodeId });
for (const r of m.matchedCSSRules) { const ta = r.rule.style.cssProperties.filter(p => p.name === 'text-align'); if (ta.length) console.log(r.rule.selectorList.text, ta.map(p=>p.value)); }
await browser.close();
