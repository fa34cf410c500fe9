import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * A real Chromium for the browser tests: Debian's (`apt-get install chromium`, which `.ci/run` does where it is
 * missing), driven by Playwright's core, which downloads no browser of its own. `CHROMIUM_PATH` names another.
 */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // Not this name: try the next.
    }
  }
  return undefined;
}

/** Why the browser tests cannot run here, said once by the test file that skips; undefined when they can. */
export function browserMissing(): string | undefined {
  return chromiumPath() ? undefined : 'no Chromium installed (apt-get install chromium, or set CHROMIUM_PATH)';
}

export function launchChromium(): Promise<Browser> {
  // No sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}

/** Where the browser tests leave their screenshots: test artifacts, not kept in git. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-results', 'screenshots');

/**
 * Saves a screenshot of `page` as `<name>.png` under {@link SCREENSHOT_DIR}, of the whole page unless
 * `fullPage` is false (the viewport only, small enough for a README); answers its path.
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage, type: 'png' });
  return path;
}

/** A violation as axe-core reports it, cut to what a failing assertion needs to say. */
export interface AxeViolation {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/** Runs axe-core (WCAG 2.x A and AA, and best practices) on the page as it is; answers its violations. */
export async function axeViolations(page: Page): Promise<readonly AxeViolation[]> {
  // Evaluated rather than added as a <script>: a page's Content-Security-Policy would refuse that, and the
  // tests keep the policy on so that they see what it blocks.
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    // Runs in the page, where axe-core is now a global (this project's types know no DOM).
    const page = globalThis as unknown as { axe: typeof axe; document: Parameters<typeof axe.run>[0] };
    const { violations } = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
