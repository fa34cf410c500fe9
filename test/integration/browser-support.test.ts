import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, browserMissing, launchChromium } from '../support/browser';

const missing = browserMissing();
if (missing) console.warn(`Skipping the browser support check: ${missing}.`);

describe.skipIf(missing)('the browser tests’ support', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('finds what axe-core finds, and nothing on a clean page', async () => {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Status</h1><img src="x.png"></main></body></html>');
    expect((await axeViolations(page)).map((v) => v.id)).toEqual(['image-alt']);
    await page.setContent('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Status</h1><img src="x.png" alt="chart"></main></body></html>');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('runs axe-core on a page whose Content-Security-Policy allows no script', async () => {
    const page = await browser.newPage();
    await page.route('http://console.test/', (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: { 'content-security-policy': "default-src 'none'" },
        body: '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Status</h1><img src="x.png"></main></body></html>',
      }),
    );
    await page.goto('http://console.test/');
    expect((await axeViolations(page)).map((v) => v.id)).toEqual(['image-alt']);
  });
});
