/**
 * Debian's Chromium for the browser tests, launched headless with a fresh profile and without the
 * background connections a machine with no network refuses. Kept apart from helpers.ts so that
 * only the browser tests load Playwright.
 * @module
 */
import { type BrowserContext, chromium } from "playwright-core";

/** A running browser, and `close`, which ends it and removes its profile. */
export interface Chromium {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when the browser is installed; the browser tests are ignored otherwise. */
export const hasChromium: boolean = await Deno.stat(CHROMIUM).then(() => true, () => false);

/** A headless Chromium on a new, empty profile (its --user-data-dir). */
export async function launchChromium(): Promise<Chromium> {
  const profile = await Deno.makeTempDir({ prefix: "minigpt-chromium-" });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      await Deno.remove(profile, { recursive: true });
    },
  };
}
