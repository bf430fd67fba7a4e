import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, signIn, sterkAndBrowser } from './helpers.mjs';

const env = sterkAndBrowser();

test('a region manager previews and publishes news that the region page and feed then show; the FAQ filters without JavaScript', async () => {
  const context = await env.browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  const manager = await context.newPage();
  await signIn(manager, env.sterk.url, 'programmamanager@sterk.example');
  await manager.goto(env.sterk.url + '/beheer/inhoud');
  await axe(manager, 'the editors\' list');
  await manager.getByLabel('Soort').selectOption('nieuws');
  await manager.getByLabel('Voor').selectOption('zuid-friesland');
  await manager.getByRole('button', { name: 'Schrijven' }).click();
  await manager.getByLabel('Titel').fill('Techniekweek in Heerenveen');
  await manager.getByLabel(/^Samenvatting/).fill('Vijf dagen open lessen bij bedrijven.');
  await manager.getByLabel(/^Tekst/).fill('## Programma\n\n- maandag: *installatietechniek*\n- dinsdag: bouw');
  await manager.getByRole('button', { name: 'Voorbeeld' }).click();
  const preview = manager.getByRole('region', { name: 'Voorbeeld (nog niet opgeslagen)' });
  await assert.doesNotReject(preview.locator('em', { hasText: 'installatietechniek' }).waitFor());
  await axe(manager, 'the editor with a preview');
  await manager.getByLabel('Gepubliceerd').check();
  await manager.getByRole('button', { name: 'Opslaan' }).click();
  await manager.getByRole('status').filter({ hasText: 'Opgeslagen.' }).waitFor();

  const visitor = await env.browser.newPage();
  await visitor.goto(env.sterk.url + '/regios/zuid-friesland');
  await visitor.getByRole('link', { name: 'Techniekweek in Heerenveen' }).click();
  await visitor.getByRole('heading', { level: 2, name: 'Programma' }).waitFor();
  const feed = await (await fetch(env.sterk.url + '/regios/zuid-friesland/nieuws.atom')).text();
  assert.match(feed, /<title>Techniekweek in Heerenveen<\/title>/);

  // The FAQ filter is a plain form: it works with JavaScript off.
  const noScript = await env.browser.newContext({ javaScriptEnabled: false, locale: 'nl-NL' });
  const reader = await noScript.newPage();
  await reader.goto(env.sterk.url + '/veelgestelde-vragen');
  await reader.getByLabel('Onderwerp').selectOption('kosten');
  await reader.getByRole('button', { name: 'Filteren' }).click();
  await reader.getByText('1 resultaat').waitFor();
  await reader.getByText('Mogen we hogere uurtarieven rekenen nu de loonkosten zijn gestegen?').click();
  await reader.getByText(/ten hoogste € 60 per uur/).first().waitFor();
  await noScript.close();
  await context.close();
});
