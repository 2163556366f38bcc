// The hub's reference page (/docs) in a real browser (Debian's chromium, playwright-core), against a hub process: a hub
// in a regency's intranet may have no internet, so the page must load nothing from another host (every request the
// browser makes goes to the hub), offer no third-party service (AI chat, SDK generation, sharing, deploying), and show
// the description's `Bearer <token>` as text.
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startHub } from "../../clients/typescript/test/hub-process.mjs";

const chromiumPath = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const skip = chromiumPath ? false : "Debian's chromium is not installed (apt-get install chromium; scripts/install-tools.sh does it when run as root): the reference page's browser test is skipped";

const loopback = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;
let hub, browser;

before(async () => {
  hub = await startHub({
    ready: async (_, token, httpAddress) => {
      try {
        return (await fetch(`${httpAddress}/openapi/v1.json`)).ok;
      } catch { return false; }
    },
  });
  if (!skip) browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

test("the /docs page and the files it links name no other host", async () => {
  const page = await fetch(`${hub.httpAddress}/docs/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  const outside = (text) => [...text.matchAll(/(?:https?:)?\/\/[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>)]*/g)].map((m) => m[0])
    .filter((url) => !url.startsWith("//www.w3.org/") && !/^https?:\/\/www\.w3\.org\//.test(url));
  assert.deepEqual(outside(html), [], "the page's HTML names another host");
  // Settings of the page itself: no CDN fonts, no AI chat or MCP, no telemetry, no client (SDK) button or developer tools.
  assert.match(html, /"withDefaultFonts":false/);
  assert.match(html, /"agent":\{"disabled":true\}/);
  assert.match(html, /"mcp":\{"disabled":true\}/);
  assert.match(html, /"telemetry":false/);
  assert.match(html, /"hideClientButton":true/);
  assert.match(html, /"showDeveloperTools":"never"/);
  for (const src of [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1])) {
    assert.ok(!/^(https?:)?\/\//.test(src) || loopback.test(src), `script from another host: ${src}`);
    const script = await fetch(new URL(src, `${hub.httpAddress}/docs/`));
    assert.equal(script.status, 200, `${src} is not served by the hub`);
  }
});

test("in a browser, /docs renders from the hub alone and offers no third-party service", { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const requested = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    requested.push(url);
    if (url.startsWith("data:") || url.startsWith("blob:") || loopback.test(url)) return route.continue();
    return route.abort("blockedbyclient");
  });
  await page.goto(`${hub.httpAddress}/docs`);
  await page.getByText("e-Bakul integration hub", { exact: false }).first().waitFor({ timeout: 60_000 });
  await page.getByText("MerchantService", { exact: false }).first().waitFor({ timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  const external = requested.filter((url) => !url.startsWith("data:") && !url.startsWith("blob:") && !loopback.test(url));
  assert.deepEqual(external, [], "the page asked another host");
  const text = await page.locator("body").innerText();
  assert.match(text, /Bearer <token>/, "the description's `Bearer <token>` is not shown as text");
  for (const name of ["Share", "Ask AI", "Generate SDK", "Deploy", "Generate MCP"]) {
    assert.equal(await page.getByRole("button", { name, exact: true }).count(), 0, `a "${name}" button is shown`);
    assert.equal(await page.getByRole("link", { name, exact: true }).count(), 0, `a "${name}" link is shown`);
  }
  await context.close();
});
