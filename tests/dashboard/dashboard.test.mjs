// The reports dashboard in a real browser: Debian's chromium driven by playwright-core, against a hub process seeded
// with demo data. The numbers shown must equal ReportService's answers (read over the hub's JSON routes), a token without
// reports.read must get a clear message, and screenshots at desktop and phone widths are saved as test artifacts
// (TestResults/dashboard/).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startHub } from "../../clients/typescript/test/hub-process.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = join(root, "TestResults", "dashboard");
const chromiumPath = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const skip = chromiumPath ? false : "Debian's chromium is not installed (apt-get install chromium; scripts/install-tools.sh does it when run as root): the dashboard's browser test is skipped";

/** The previous month in Asia/Jakarta, as the demo data loads it. */
function previousJakartaMonth() {
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** Rp with dots between thousands, written out here on its own (not the page's code). */
function rupiah(value) {
  const text = String(value ?? "0");
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  return (negative ? "-Rp" : "Rp") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

let hub, browser, noScopeToken;
const period = previousJakartaMonth();

before(async () => {
  if (skip) return;
  hub = await startHub({
    args: ["--DemoData:Enabled=true", "--DemoData:Merchants=300", "--DemoData:Employees=600", "--Reports:MinimumGroupSize=5"],
    ready: async (_, token, httpAddress) => {
      try {
        return (await fetch(`${httpAddress}/v1/regencies`, { headers: { Authorization: `Bearer ${token}` } })).ok;
      } catch { return false; }
    },
  });
  // A caller without reports.read, made with the hub's own command on the same database.
  const output = execFileSync("dotnet", [hub.hubDll, "callers", "add", "viewer", "--kind", "admin", "--regencies", "35.22", "--scopes", "regions.read",
    `--Database:Path=${join(hub.folder, "hub.db")}`], { cwd: dirname(hub.hubDll), encoding: "utf8", timeout: 120_000 });
  noScopeToken = /ebk\.[A-Za-z0-9_.-]+/.exec(output)?.[0];
  assert.ok(noScopeToken, `no token printed by 'callers add':\n${output}`);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

async function api(path, token = hub.token) {
  const response = await fetch(`${hub.httpAddress}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

async function openDashboard(viewport, token) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: viewport.width < 600, hasTouch: viewport.width < 600, locale: "id-ID" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("requestfailed", (r) => { if (!r.url().startsWith("blob:")) errors.push(`request failed: ${r.url()}`); });
  await page.goto(`${hub.httpAddress}/dashboard`);
  await page.getByLabel("Token akses (disimpan hanya di tab ini)").fill(token);
  await page.getByRole("button", { name: "Simpan token" }).click();
  await page.getByLabel("Bulan", { exact: true }).fill(period);
  await page.getByRole("button", { name: "Tampilkan" }).click();
  return { context, page, errors };
}

test("the dashboard shows the month's reports exactly as ReportService answers them", { skip, timeout: 240_000 }, async () => {
  const spending = (await api(`/v1/regencies/35.22/spendingReports/${period}?topMerchantCount=10`)).report;
  const compliance = (await api(`/v1/regencies/35.22/complianceReports/${period}`)).report;
  assert.ok(BigInt(spending.spentRupiah ?? 0) > 0n, "the demo month has spending");

  const { context, page, errors } = await openDashboard({ width: 1366, height: 900 }, hub.token);
  await page.getByText(/dimuat/).waitFor();
  const figure = (name) => page.locator(`[data-figure="${name}"]`).textContent();
  assert.equal(await figure("spent"), rupiah(spending.spentRupiah));
  assert.equal(await figure("purchases"), rupiah(spending.purchaseCount).slice(2));
  assert.equal(await figure("buyers"), rupiah(spending.buyerCount).slice(2));

  // Every kecamatan row of the data table: name and amount.
  const rows = await page.locator("#table-kecamatan tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), spending.byKecamatan.map((g) => [g.displayName, rupiah(g.spentRupiah)]));
  const categories = await page.locator("#table-category tbody tr").evaluateAll((trs) => trs.map((tr) => tr.cells[1].textContent));
  assert.deepEqual(categories, spending.byCategory.map((g) => rupiah(g.spentRupiah)));
  const top = await page.locator("#table-top-amount tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.cells[1].textContent, tr.cells[2].textContent]));
  assert.deepEqual(top, (spending.topMerchantsByAmount ?? []).map((m) => [m.merchantName, rupiah(m.spentRupiah)]));

  // The compliance table: one row per office and the total last.
  const offices = await page.locator("#table-compliance tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const expected = [...(compliance.offices ?? []), { ...compliance.total, displayName: "Jumlah" }];
  assert.deepEqual(offices.map((r) => [r[0], r[1], r[7]]),
    expected.map((o) => [o.displayName, rupiah(o.employeeCount ?? 0).slice(2), rupiah(o.totalShortfallRupiah)]));

  // Charts have text alternatives; the CSV button downloads the same records as the HTTP download.
  for (const id of ["chart-kecamatan", "chart-category", "chart-scale", "chart-trend"]) {
    assert.match(await page.locator(`#${id}`).getAttribute("aria-label"), /Rp\d/);
  }
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator('button[data-csv="spending-by-kecamatan"]').click()]);
  const saved = join(artifacts, "spending-by-kecamatan.csv");
  await download.saveAs(saved);
  const csv = await (await fetch(`${hub.httpAddress}/v1/regencies/35.22/reports/spending-by-kecamatan.csv?period=${period}&months=12`,
    { headers: { Authorization: `Bearer ${hub.token}` } })).text();
  assert.equal((await import("node:fs")).readFileSync(saved, "utf8"), csv);

  await page.screenshot({ path: join(artifacts, "dashboard-desktop.png"), fullPage: true });
  await page.screenshot({ path: join(artifacts, "dashboard-desktop-first-screen.png") });
  assert.deepEqual(errors, []);

  // Keyboard: on a fresh page the first Tab reaches the skip link, the next the token field.
  const fresh = await context.newPage();
  await fresh.goto(`${hub.httpAddress}/dashboard`);
  await fresh.keyboard.press("Tab");
  assert.equal(await fresh.evaluate(() => document.activeElement?.textContent), "Lewati ke isi");
  await fresh.keyboard.press("Tab");
  assert.equal(await fresh.evaluate(() => document.activeElement?.id), "token");
  await context.close();
});

test("the dashboard is readable at a phone's width", { skip, timeout: 120_000 }, async () => {
  const { context, page, errors } = await openDashboard({ width: 390, height: 844 }, hub.token);
  await page.getByText(/dimuat/).waitFor();
  // Nothing overflows the page sideways (tables scroll inside their own box).
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), "the page scrolls sideways");
  await page.screenshot({ path: join(artifacts, "dashboard-phone.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a token without reports.read gets a clear message", { skip, timeout: 120_000 }, async () => {
  const { context, page } = await openDashboard({ width: 1366, height: 900 }, noScopeToken);
  const status = page.locator("#status");
  await status.filter({ hasText: "reports.read" }).waitFor();
  assert.match(await status.textContent(), /tidak memiliki izin reports\.read/);
  assert.equal(await page.locator("#isi").isHidden(), true);
  await context.close();
});
