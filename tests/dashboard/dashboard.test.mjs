// The reports dashboard in a real browser: Debian's chromium driven by playwright-core, against a hub process seeded
// with demo data. The numbers shown must equal ReportService's answers (read over the hub's JSON routes); at a desktop
// (1366×900), a small laptop (1024×768) and a phone (390×844) no text is cut off or left in a sideways-scrolling box and
// the page is no wider than the window; axe-core finds no serious or critical violation in any view; the keyboard
// reaches everything; a token without reports.read gets a clear message. Screenshots of every view, and the print
// view as PDF, are saved as test artifacts (TestResults/dashboard/).
import { execFileSync } from "node:child_process";
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
const laptop = { width: 1024, height: 768 };
const phone = { width: 390, height: 844 };

/** A month before `period` (YYYY-MM), and the previous month in Asia/Jakarta, which the demo data fills. */
function monthBefore(period) {
  const [y, m] = period.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}
function previousJakartaMonth() {
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  return monthBefore(`${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`);
}

/** Rp with dots between thousands, written out here on its own (not the page's code). */
function rupiah(value) {
  const text = String(value ?? "0");
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  return (negative ? "-Rp" : "Rp") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}
const count = (value) => rupiah(value ?? 0).slice(2);
/** 6280 basis points → "62,8%". */
const percent = (bps) => `${String((bps ?? 0) / 100).replace(".", ",")}%`;

let hub, browser, noScopeToken, reportsOnlyToken;
const period = previousJakartaMonth();
const emptyPeriod = monthBefore(period);

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
  // A caller with the reports but not the integrity signals.
  const reportsOutput = execFileSync("dotnet", [hub.hubDll, "callers", "add", "report-viewer", "--kind", "admin", "--regencies", "35.22", "--scopes",
    "regions.read,reports.read", `--Database:Path=${join(hub.folder, "hub.db")}`], { cwd: dirname(hub.hubDll), encoding: "utf8", timeout: 120_000 });
  reportsOnlyToken = /ebk\.[A-Za-z0-9_.-]+/.exec(reportsOutput)?.[0];
  assert.ok(reportsOnlyToken, `no token printed by 'callers add':\n${reportsOutput}`);
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

/** A fresh tab on the dashboard; `errors` collects script errors and failed or refused requests for its own files. */
async function newTab(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: viewport.width < 600, hasTouch: viewport.width < 600, locale: "id-ID" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("requestfailed", (r) => { if (!r.url().startsWith("blob:")) errors.push(`request failed: ${r.url()}`); });
  page.on("response", (r) => { if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/v1/")) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(`${hub.httpAddress}/dashboard`);
  return { context, page, errors };
}

async function showMonth(page, token, month) {
  await page.getByLabel("Token akses (disimpan hanya di tab ini)").fill(token);
  await page.getByRole("button", { name: "Simpan token" }).click();
  await page.getByLabel("Bulan", { exact: true }).fill(month);
  await page.getByRole("button", { name: "Tampilkan" }).click();
}

async function openDashboard(viewport, token, month = period) {
  const tab = await newTab(viewport);
  await showMonth(tab.page, token, month);
  return tab;
}

/** The view as it is must have no layout problem and no serious or critical accessibility violation. */
async function assertReadable(page, view) {
  assert.deepEqual(await layoutProblems(page), [], `${view}: text cut off or scrolling sideways`);
  assert.deepEqual(await accessibilityProblems(page), [], `${view}: axe-core`);
}

/** Lowest compliance rate first, more employees short first among equals, the folded "Lainnya" group last. */
const byCompliance = (a, b) => (a.officeCode === "OTHER") - (b.officeCode === "OTHER")
  || (a.complianceRateBasisPoints ?? 0) - (b.complianceRateBasisPoints ?? 0) || (b.nonCompliantCount ?? 0) - (a.nonCompliantCount ?? 0);

test("the dashboard shows the month's reports exactly as ReportService answers them", { skip, timeout: 240_000 }, async () => {
  const spending = (await api(`/v1/regencies/35.22/spendingReports/${period}?topMerchantCount=10`)).report;
  const compliance = (await api(`/v1/regencies/35.22/complianceReports/${period}`)).report;
  const previous = (await api(`/v1/regencies/35.22/complianceReports/${emptyPeriod}`)).report;
  assert.ok(BigInt(spending.spentRupiah ?? 0) > 0n, "the demo month has spending");

  const { context, page, errors } = await openDashboard(desktop, hub.token);
  await page.getByText(/dimuat/).waitFor();
  const figure = (name) => page.locator(`[data-figure="${name}"]`).textContent();
  assert.equal(await figure("spent"), rupiah(spending.spentRupiah));
  // Abbreviated the Indonesian way, with the exact figure on hover.
  assert.match(await figure("spent-short"), /^Rp\d{1,3}(,\d)?\u00a0(jt|M)$/);
  assert.equal(await page.locator('[data-figure="spent-short"]').getAttribute("title"), rupiah(spending.spentRupiah));
  assert.equal(await figure("purchases"), count(spending.purchaseCount));
  assert.equal(await figure("buyers"), count(spending.buyerCount));
  assert.equal(await figure("compliance-rate"), percent(compliance.total.complianceRateBasisPoints));
  const correction = compliance.closed ? compliance.total.totalCorrectionRupiah : compliance.total.totalProjectedCorrectionRupiah;
  assert.equal(await figure("correction"), rupiah(correction));
  // Month over month: the month before has no spending in the demo data, and a compliance rate of its own.
  assert.match(await figure("spent-change"), /tidak ada belanja/);
  assert.match(await figure("compliance-change"), new RegExp(
    `^${compliance.total.complianceRateBasisPoints > previous.total.complianceRateBasisPoints ? "naik" : "(turun|tetap)"} .* dari `));

  // The offices to act on first: the five lowest rates, with employees short.
  const offices = [...compliance.offices].sort(byCompliance);
  const lowest = offices.filter((o) => o.officeCode !== "OTHER" && o.nonCompliantCount > 0).slice(0, 5);
  const shownLowest = await page.locator("#lowest-offices li").evaluateAll((lis) => lis.map((li) => li.firstChild.textContent + li.querySelector(".rate").textContent));
  assert.deepEqual(shownLowest, lowest.map((o) => `${o.displayName}: ${percent(o.complianceRateBasisPoints)}`));

  // Every kecamatan row of the data table: name and amount.
  const rows = await page.locator("#table-kecamatan tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), spending.byKecamatan.map((g) => [g.displayName, rupiah(g.spentRupiah)]));
  const categories = await page.locator("#table-category tbody tr").evaluateAll((trs) => trs.map((tr) => tr.cells[1].textContent));
  assert.deepEqual(categories, spending.byCategory.map((g) => rupiah(g.spentRupiah)));
  const top = await page.locator("#table-top-amount tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));
  assert.deepEqual(top, (spending.topMerchantsByAmount ?? []).map((m, i) => [`${i + 1}. ${m.merchantName}`, rupiah(m.spentRupiah)]));

  // The compliance table: one row per office, lowest rate first, and the total last; every column.
  const table = await page.locator("#table-compliance tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const expected = [...offices, { ...compliance.total, displayName: "Jumlah" }];
  assert.deepEqual(table, expected.map((o) => [o.displayName, percent(o.complianceRateBasisPoints), count(o.nonCompliantCount), rupiah(o.totalShortfallRupiah),
    ...(compliance.closed ? [rupiah(o.totalCorrectionRupiah), rupiah(o.totalProjectedCorrectionRupiah)] : [rupiah(o.totalProjectedCorrectionRupiah), rupiah(o.totalCorrectionRupiah)]),
    count(o.obligedCount), count(o.compliantCount), count(o.exemptCount), count(o.employeeCount)]));

  // The integrity signals (the hub's token holds integrity.read): IntegrityService's signals, strongest first.
  const signals = (await api(`/v1/regencies/35.22/periods/${period}/integritySignals?pageSize=100`)).signals ?? [];
  const shownSignals = await page.locator("#table-integrity tbody tr").evaluateAll((trs) =>
    trs.filter((tr) => !tr.querySelector(".empty")).map((tr) => [tr.cells[1].textContent, tr.cells[3].textContent]));
  assert.deepEqual(shownSignals, signals.map((s) => [String(s.strength), s.explanation]));
  if (signals.length === 0) assert.equal(await page.locator("#integrity-note").textContent(), "Tidak ada sinyal bulan ini.");

  // Charts have text alternatives with the exact figures, the kecamatan first by amount.
  for (const id of ["chart-kecamatan", "chart-category", "chart-scale", "chart-trend"]) {
    assert.match(await page.locator(`#${id}`).getAttribute("aria-label"), /Rp\d/);
  }
  const top2 = [...spending.byKecamatan].filter((g) => g.key !== "OTHER").sort((a, b) => Number(BigInt(b.spentRupiah) - BigInt(a.spentRupiah)));
  assert.ok((await page.locator("#chart-kecamatan").getAttribute("aria-label")).startsWith(`Belanja per kecamatan: ${top2[0].displayName} ${rupiah(top2[0].spentRupiah)}`));

  // The CSV button, pressed from the keyboard, downloads the same records as the HTTP download.
  await page.locator('button[data-csv="spending-by-kecamatan"]').focus();
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  const saved = join(artifacts, "spending-by-kecamatan.csv");
  await download.saveAs(saved);
  const csv = await (await fetch(`${hub.httpAddress}/v1/regencies/35.22/reports/spending-by-kecamatan.csv?period=${period}&months=12`,
    { headers: { Authorization: `Bearer ${hub.token}` } })).text();
  assert.equal(readFileSync(saved, "utf8"), csv);

  // The hub serves the page's icon, and the footer points to a page the hub serves.
  const icon = await fetch(`${hub.httpAddress}/favicon.ico`);
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get("content-type"), "image/svg+xml");
  for (const href of await page.locator("footer a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
    assert.equal((await fetch(`${hub.httpAddress}${href}`)).status, 200, href);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [name, viewport] of [["desktop", desktop], ["laptop", laptop], ["phone", phone]]) {
  test(`at ${viewport.width}×${viewport.height} (${name}) nothing is cut off, nothing scrolls sideways, and axe-core finds nothing serious`, { skip, timeout: 180_000 }, async () => {
    const { context, page, errors } = await newTab(viewport);
    await assertReadable(page, "the page before a token");
    await showMonth(page, hub.token, period);
    await page.getByText(/dimuat/).waitFor();
    await assertReadable(page, "the month");
    await page.screenshot({ path: join(artifacts, `dashboard-${name}.png`), fullPage: true });
    await page.screenshot({ path: join(artifacts, `dashboard-${name}-first-screen.png`) });
    if (viewport.width >= 1000) {
      // What officials act on first is on the first screen: the month's correction and the offices lowest in compliance.
      for (const selector of ['[data-figure="correction-short"]', "#lowest-offices li:last-child", '[data-figure="spent-short"]']) {
        const box = await page.locator(selector).boundingBox();
        assert.ok(box && box.y + box.height <= viewport.height, `${selector} is below the first screen (${JSON.stringify(box)})`);
      }
    }
    // Every column of the compliance table and every data table open.
    await page.getByRole("button", { name: "Tampilkan semua kolom" }).click();
    assert.equal(await page.locator("#compliance-columns").getAttribute("aria-pressed"), "true");
    for (const summary of await page.locator("main details > summary").all()) await summary.click();
    await assertReadable(page, "every table open, every column shown");
    await page.screenshot({ path: join(artifacts, `dashboard-${name}-all-columns.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("an empty month says so in Indonesian instead of drawing empty axes", { skip, timeout: 180_000 }, async () => {
  assert.equal((await api(`/v1/regencies/35.22/spendingReports/${emptyPeriod}`)).report.spentRupiah, "0", "the month before the demo month is empty");
  for (const [name, viewport] of [["desktop", desktop], ["phone", phone]]) {
    const { context, page, errors } = await openDashboard(viewport, hub.token, emptyPeriod);
    await page.getByText(/dimuat/).waitFor();
    for (const id of ["kecamatan", "category", "scale"]) {
      assert.equal(await page.locator(`#figure-${id} .empty`).textContent(), "Tidak ada belanja pada bulan ini.");
      assert.equal(await page.locator(`#chart-${id}`).isHidden(), true);
    }
    assert.equal(await page.locator("#figure-trend .empty").textContent(), "Tidak ada belanja dalam 12 bulan ini.");
    assert.equal(await page.locator("#table-top-amount td.empty").textContent(), "Tidak ada belanja pada bulan ini.");
    assert.equal(await page.locator('[data-figure="spent"]').textContent(), "Rp0");
    await assertReadable(page, `the empty month (${name})`);
    await page.screenshot({ path: join(artifacts, `dashboard-empty-month-${name}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("the print view is the month's summary on A4, without controls or the token field", { skip, timeout: 120_000 }, async () => {
  const { context, page, errors } = await openDashboard(desktop, hub.token);
  await page.getByText(/dimuat/).waitFor();
  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  for (const selector of ["#token", "#akses", "#month", "button", ".skip", "main details"]) {
    assert.equal(await page.locator(selector).evaluateAll((els) => els.some((e) => e.checkVisibility())), false, `${selector} is printed`);
  }
  for (const selector of ["#ringkasan", "#lowest-offices", "#chart-kecamatan", "#table-compliance table"]) {
    assert.equal(await page.locator(selector).isVisible(), true, `${selector} is not printed`);
  }
  // Sections start on a new page; charts are drawn for the paper's width.
  const breaks = await page.locator("main > .charts, main > section[data-report]").evaluateAll((els) =>
    els.map((e) => `${e.dataset.report ?? e.className}: ${getComputedStyle(e).breakBefore}`));
  assert.deepEqual(breaks, ["grid charts: page", "spending-trend: auto", "top-merchants-by-amount: page", "compliance-by-office: page"]);
  assert.ok(await page.locator("#chart-kecamatan").evaluate((c) => c.width <= 710), "the kecamatan chart is drawn at the page's width");
  assert.deepEqual(await accessibilityProblems(page), [], "the print view: axe-core");
  const pdf = await page.pdf({ path: join(artifacts, "dashboard-print.pdf"), format: "A4" });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 3 && pages <= 8, `${pages} A4 pages`);
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: join(artifacts, "dashboard-print.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the keyboard reaches the token, the month, the table controls and the CSV buttons", { skip, timeout: 120_000 }, async () => {
  const { context, page, errors } = await newTab(desktop);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent);
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "Lewati ke isi");
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "token");
  await page.keyboard.type(hub.token);
  await page.keyboard.press("Enter");
  await page.getByText("Token disimpan untuk tab ini.").waitFor();
  // Token field → save → forget → regency → month.
  await page.locator("#token").focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
  assert.equal(await focused(), "month");
  const month = await page.locator("#month").inputValue();
  await page.keyboard.press("ArrowDown");
  assert.notEqual(await page.locator("#month").inputValue(), month, "the arrow keys change the month");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator("#month").inputValue(), month);
  await page.keyboard.press("Enter");
  await page.getByText(/dimuat/).waitFor();
  // The column switch and a data table open from the keyboard.
  await page.locator("#compliance-columns").focus();
  await page.keyboard.press("Space");
  assert.equal(await page.locator("#compliance-columns").getAttribute("aria-pressed"), "true");
  await page.locator("section[data-report=spending-by-kecamatan] summary").focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("section[data-report=spending-by-kecamatan] details").evaluate((d) => d.open), true);
  // From the open table, Tab reaches its CSV button, and Enter downloads.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.csv), "spending-by-kecamatan");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.match(download.suggestedFilename(), /^35\.22-spending-by-kecamatan-\d{4}-\d{2}\.csv$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a token without reports.read gets a clear message", { skip, timeout: 120_000 }, async () => {
  const { context, page } = await openDashboard(desktop, noScopeToken);
  const status = page.locator("#status");
  await status.filter({ hasText: "reports.read" }).waitFor();
  assert.match(await status.textContent(), /tidak memiliki izin reports\.read/);
  assert.equal(await page.locator("#isi").isHidden(), true);
  await assertReadable(page, "the refusal");
  await context.close();
});

test("a token with the reports but without integrity.read sees the reports and a note instead of the signals", { skip, timeout: 120_000 }, async () => {
  const { context, page, errors } = await openDashboard(desktop, reportsOnlyToken);
  await page.getByText(/dimuat/).waitFor();
  assert.match(await page.locator("#integrity-note").textContent(), /hanya untuk pemegang izin integrity\.read/);
  assert.equal(await page.locator("#table-integrity tbody tr").count(), 0);
  assert.equal(await page.locator("#integrity-csv").isHidden(), true);
  await assertReadable(page, "the reports without the signals");
  assert.deepEqual(errors, []);
  await context.close();
});
