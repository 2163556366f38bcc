// The dashboard's integrity signals in a real browser, on a hub of its own whose demo month has planted cases of every
// kind (DemoData:PlantIntegrityCases) among the ordinary purchases, so that the tab shows real signal rows; the hub of
// dashboard.test.mjs stays without them (its empty month and print view are about the reports). The rows must be
// IntegrityService's answer (over the hub's JSON routes), strongest first, with a review made through the service; at a
// desktop and a phone no text is cut off or scrolls sideways and axe-core finds no serious or critical violation; the
// CSV button downloads the same records as the HTTP download. Screenshots go to TestResults/dashboard/.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startHub } from "../../clients/typescript/test/hub-process.mjs";
import { accessibilityProblems, layoutProblems } from "./layout.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = join(root, "TestResults", "dashboard");
const chromiumPath = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const skip = chromiumPath ? false : "Debian's chromium is not installed (apt-get install chromium; scripts/install-tools.sh does it when run as root): the dashboard's browser test is skipped";

const desktop = { width: 1366, height: 900 };
const phone = { width: 390, height: 844 };

/** The previous month in Asia/Jakarta, which the demo data fills. */
function previousJakartaMonth() {
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The dashboard's names of the kinds, written out here on their own (not the page's code). */
const kindNames = {
  INTEGRITY_SIGNAL_KIND_OFFICE_CAPTIVE_MERCHANT: "Toko bergantung pada satu OPD",
  INTEGRITY_SIGNAL_KIND_QUOTA_AT_MONTH_END: "Kuota dipenuhi sekali di akhir bulan",
  INTEGRITY_SIGNAL_KIND_RECEIPT_SEQUENCE: "Nota berurutan dalam hitungan menit",
  INTEGRITY_SIGNAL_KIND_SHARED_EVIDENCE: "Bukti yang sama pada beberapa pembelian",
  INTEGRITY_SIGNAL_KIND_SCALE_EXCEEDED: "Melebihi skala usaha terdaftar",
  INTEGRITY_SIGNAL_KIND_NEW_MERCHANT_FEW_BUYERS: "Toko baru, sedikit pembeli, belanja besar",
  INTEGRITY_SIGNAL_KIND_SAME_AMOUNT_GROUP: "Jumlah sama oleh satu OPD di satu hari",
};

let hub, browser;
const period = previousJakartaMonth();

before(async () => {
  if (skip) return;
  hub = await startHub({
    args: ["--DemoData:Enabled=true", "--DemoData:Merchants=300", "--DemoData:Employees=600", "--DemoData:PlantIntegrityCases=true",
      "--DemoData:PlantedCasesPerKind=2", "--Reports:MinimumGroupSize=5"],
    ready: async (_, token, httpAddress) => {
      try {
        return (await fetch(`${httpAddress}/v1/regencies`, { headers: { Authorization: `Bearer ${token}` } })).ok;
      } catch { return false; }
    },
  });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

async function api(path, init = {}) {
  const response = await fetch(`${hub.httpAddress}${path}`, { ...init, headers: { Authorization: `Bearer ${hub.token}`, "Content-Type": "application/json" } });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

async function openMonth(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: viewport.width < 600, hasTouch: viewport.width < 600, locale: "id-ID" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("requestfailed", (r) => { if (!r.url().startsWith("blob:")) errors.push(`request failed: ${r.url()}`); });
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(`${hub.httpAddress}/dashboard`);
  await page.getByLabel("Token akses (disimpan hanya di tab ini)").fill(hub.token);
  await page.getByRole("button", { name: "Simpan token" }).click();
  await page.getByLabel("Bulan", { exact: true }).fill(period);
  await page.getByRole("button", { name: "Tampilkan" }).click();
  await page.getByText(/dimuat/).waitFor();
  return { context, page, errors };
}

test("the integrity tab shows the month's planted signals of every kind as IntegrityService answers them, with their review", { skip, timeout: 240_000 }, async () => {
  const base = `/v1/regencies/35.22/periods/${period}/integritySignals`;
  const first = (await api(`${base}?pageSize=100`)).signals ?? [];
  assert.deepEqual(new Set(first.map((s) => s.kind)), new Set(Object.keys(kindNames)), "the demo month has a signal of every kind");
  // An inspector confirms the strongest signal through the service; the tab shows the verdict.
  const reviewed = first[0];
  await api(`${base}/${reviewed.signalId}:review`, {
    method: "POST",
    body: JSON.stringify({ requestId: `dashboard-${Date.now()}`, verdict: "REVIEW_VERDICT_CONFIRMED", note: "Diperiksa di tempat: nota ditulis tanpa barang." }),
  });
  const signals = (await api(`${base}?pageSize=100`)).signals ?? [];
  assert.ok(signals.length >= 7 && signals.length <= 100, `${signals.length} signals`);

  const { context, page, errors } = await openMonth(desktop);
  const rows = await page.locator("#table-integrity tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows, signals.map((s) => [kindNames[s.kind], String(s.strength), s.merchantName, s.explanation,
    s.signalId === reviewed.signalId ? "Terbukti" : "Belum"]));
  assert.deepEqual(rows.map((r) => Number(r[1])), [...rows.map((r) => Number(r[1]))].sort((a, b) => b - a), "strongest first");
  assert.match(await page.locator("#integrity-note").textContent(), new RegExp(`^${signals.length} sinyal, terkuat lebih dahulu\\. Sinyal adalah alasan untuk memeriksa, bukan temuan\\.$`));

  // The CSV button downloads the same records as the HTTP download.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#integrity-csv").click()]);
  assert.equal(download.suggestedFilename(), `35.22-integrity-signals-${period}.csv`);
  const saved = join(artifacts, "integrity-signals.csv");
  await download.saveAs(saved);
  const csv = await (await fetch(`${hub.httpAddress}${base}.csv`, { headers: { Authorization: `Bearer ${hub.token}` } })).text();
  assert.equal(readFileSync(saved, "utf8"), csv);
  assert.equal(csv.trim().split("\n").length, signals.length + 1, "one record per signal under the header");

  // Every table open, the signals' secondary column shown: nothing cut off, axe-core finds nothing serious.
  await page.getByRole("button", { name: "Tampilkan semua kolom" }).click();
  for (const summary of await page.locator("main details > summary").all()) await summary.click();
  assert.deepEqual(await layoutProblems(page), [], "the signals at a desktop: text cut off or scrolling sideways");
  assert.deepEqual(await accessibilityProblems(page), [], "the signals at a desktop: axe-core");
  await page.locator("#table-integrity").screenshot({ path: join(artifacts, "integrity-signals-desktop.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("on a phone the integrity signals are readable and axe-core finds nothing serious", { skip, timeout: 180_000 }, async () => {
  const { context, page, errors } = await openMonth(phone);
  assert.ok(await page.locator("#table-integrity tbody tr").count() >= 7);
  assert.deepEqual(await layoutProblems(page), [], "the signals on a phone: text cut off or scrolling sideways");
  assert.deepEqual(await accessibilityProblems(page), [], "the signals on a phone: axe-core");
  await page.locator("#table-integrity").screenshot({ path: join(artifacts, "integrity-signals-phone.png") });
  // The screen a phone shows where the signals begin.
  await page.locator("#integrity-note").evaluate((e) => e.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: join(artifacts, "integrity-signals-phone-screen.png") });
  assert.deepEqual(errors, []);
  await context.close();
});
