// The e-Bakul dashboard: reads ReportService through the hub's JSON routes with the token kept in sessionStorage only
// (gone when the tab closes), and shows a regency's month. Every chart has its data as a table beside it.
"use strict";
(() => {
  const TOKEN_KEY = "ebakul.dashboard.token";
  const $ = (id) => document.getElementById(id);
  const number = new Intl.NumberFormat("id-ID");
  const status = $("status");
  const charts = {};

  /** Rp1.234.567: whole rupiah, Indonesian digit grouping, no space after Rp. */
  const rupiah = (value) => {
    const n = BigInt(value ?? 0);
    return (n < 0n ? "-Rp" : "Rp") + number.format(n < 0n ? -n : n);
  };
  const count = (value) => number.format(BigInt(value ?? 0));
  /** Basis points as a percentage with up to two decimals: 1234 → "12,34%". */
  const percent = (bps) => (Number(bps ?? 0) / 100).toLocaleString("id-ID", { maximumFractionDigits: 2 }) + "%";
  const monthName = (period) => {
    const [y, m] = period.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString("id-ID", { month: "long", year: "numeric", timeZone: "UTC" });
  };

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("error", isError);
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY) ?? ""; }

  /** Explains a refusal in the user's terms, from the google.rpc.Status the hub answers. */
  async function failure(response) {
    let reason = "", message = "";
    try {
      const body = await response.json();
      message = body.message ?? "";
      reason = (body.details ?? []).find((d) => (d["@type"] ?? "").endsWith("google.rpc.ErrorInfo"))?.reason ?? "";
    } catch { /* not JSON */ }
    if (response.status === 401) return "Token tidak dikenal, salah ketik, atau sudah dicabut. Tempel token yang diberikan admin hub.";
    if (reason === "SCOPE_MISSING") return "Token ini tidak memiliki izin reports.read. Minta admin hub menambahkan scope reports.read pada pemanggil ini.";
    if (reason === "REGENCY_NOT_ALLOWED") return "Token ini tidak berhak atas kabupaten/kota yang dipilih.";
    if (reason === "QUOTA_POLICY_NOT_IN_FORCE") return "Belum ada kebijakan kuota untuk bulan ini, jadi belum ada laporan kepatuhan.";
    return `Permintaan ditolak (${response.status}${reason ? " " + reason : ""}): ${message}`;
  }

  async function get(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) throw new Error(await failure(response));
    return response;
  }
  const json = async (path) => (await get(path)).json();

  function table(container, caption, headers, rows) {
    const t = document.createElement("table");
    const c = t.createCaption();
    c.textContent = caption;
    const head = t.createTHead().insertRow();
    headers.forEach(([label, numeric]) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      if (numeric) th.className = "num";
      head.appendChild(th);
    });
    const body = t.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      row.forEach((value, i) => {
        const td = tr.insertCell();
        td.textContent = value;
        if (headers[i][1]) td.className = "num";
      });
    }
    if (rows.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = headers.length;
      td.textContent = "Tidak ada data.";
    }
    container.replaceChildren(t);
  }

  function groupTable(id, caption, groups) {
    table($(id), caption, [["Kelompok"], ["Belanja", true], ["Pangsa", true], ["Transaksi", true], ["Pembeli", true], ["Pelaku usaha", true]],
      groups.map((g) => [g.displayName || g.key, rupiah(g.spentRupiah), percent(g.shareBasisPoints), count(g.purchaseCount),
        count(g.buyerCount), count(g.merchantCount)]));
  }

  /** Draws a chart when Chart.js is there; the canvas's label states the figures for screen readers either way. */
  function chart(id, type, labels, values, label) {
    const canvas = $(id);
    canvas.setAttribute("aria-label", `${label}: ` + labels.map((l, i) => `${l} ${rupiah(values[i])}`).join("; "));
    charts[id]?.destroy();
    if (typeof Chart === "undefined") return;
    const horizontal = type === "bar" && labels.length > 6;
    const money = { ticks: { callback: (v) => rupiah(Math.round(v)) } };
    charts[id] = new Chart(canvas, {
      type,
      data: { labels, datasets: [{ label, data: values.map((v) => Number(v ?? 0)), backgroundColor: ["#0b6e4f", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#457b9d", "#8d99ae", "#6d597a"] }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: type === "doughnut" }, tooltip: { callbacks: { label: (c) => rupiah(c.raw) } } },
        scales: type === "doughnut" ? {} : horizontal ? { x: money } : { y: money },
      },
    });
  }

  function showSpending(report) {
    $("period-label").textContent = monthName(report.period);
    const figures = {
      spent: rupiah(report.spentRupiah), purchases: count(report.purchaseCount), buyers: count(report.buyerCount),
      merchants: count(report.merchantCount), "new-share": percent(report.newMerchantShareBasisPoints),
    };
    for (const [name, text] of Object.entries(figures)) document.querySelector(`[data-figure="${name}"]`).textContent = text;
    const note = $("suppressed-note");
    note.hidden = !report.suppressed;
    note.textContent = report.suppressed
      ? `Pembeli bulan ini kurang dari ${report.minimumGroupSize} orang: angka tidak ditampilkan agar tidak ada yang dapat dikenali.` : "";
    const groups = [["kecamatan", report.byKecamatan, "bar", "Belanja per kecamatan"], ["category", report.byCategory, "doughnut", "Belanja per kategori"],
      ["scale", report.byScale, "bar", "Belanja per skala"]];
    for (const [name, list, type, label] of groups) {
      const rows = list ?? [];
      chart(`chart-${name}`, type, rows.map((g) => g.displayName || g.key), rows.map((g) => g.spentRupiah), label);
      groupTable(`table-${name}`, label, rows);
    }
    const merchantRows = (list) => (list ?? []).map((m, i) => [String(i + 1), m.merchantName, rupiah(m.spentRupiah), count(m.buyerCount),
      count(m.purchaseCount), m.newlyRegistered ? "ya" : "tidak"]);
    const merchantHeaders = [["#", true], ["Pelaku usaha"], ["Belanja", true], ["Pembeli", true], ["Transaksi", true], ["Baru terdaftar"]];
    table($("table-top-amount"), "Menurut nilai belanja", merchantHeaders, merchantRows(report.topMerchantsByAmount));
    table($("table-top-buyers"), "Menurut jumlah pembeli", merchantHeaders, merchantRows(report.topMerchantsByBuyers));
  }

  function showTrend(trend) {
    const months = trend.months ?? [];
    chart("chart-trend", "line", months.map((m) => monthName(m.period)), months.map((m) => m.spentRupiah), "Belanja per bulan");
    table($("table-trend"), "Belanja per bulan", [["Bulan"], ["Belanja", true], ["Perubahan", true], ["Perubahan %", true], ["Pembeli", true]],
      months.map((m) => [monthName(m.period), rupiah(m.spentRupiah), rupiah(m.changeRupiah), m.changeDefined ? percent(m.changeBasisPoints) : "–",
        count(m.buyerCount)]));
  }

  function showCompliance(report) {
    $("compliance-note").textContent = report.closed
      ? "Bulan ini sudah ditutup: koreksi TPP yang berlaku berasal dari penyesuaian terakhir setiap pegawai."
      : "Bulan ini belum ditutup: kekurangan dan koreksi masih proyeksi dan dapat berubah.";
    const rows = [...(report.offices ?? []), { ...report.total, displayName: "Jumlah" }];
    table($("table-compliance"), "Kepatuhan per perangkat daerah",
      [["Perangkat daerah"], ["Pegawai", true], ["Wajib", true], ["Patuh", true], ["Dikecualikan", true], ["Kurang", true], ["Tingkat kepatuhan", true],
        ["Total kekurangan", true], ["Koreksi proyeksi", true], ["Koreksi berlaku", true]],
      rows.map((o) => [o.displayName || o.officeCode, count(o.employeeCount), count(o.obligedCount), count(o.compliantCount), count(o.exemptCount),
        count(o.nonCompliantCount), percent(o.complianceRateBasisPoints), rupiah(o.totalShortfallRupiah), rupiah(o.totalProjectedCorrectionRupiah),
        rupiah(o.totalCorrectionRupiah)]));
  }

  async function show() {
    if (!token()) { say("Tempel token akses terlebih dahulu.", true); $("token").focus(); return; }
    const regency = $("regency").value;
    const period = $("month").value;
    if (!period) { say("Pilih bulan.", true); return; }
    say("Memuat laporan …");
    try {
      const base = `/v1/regencies/${encodeURIComponent(regency)}`;
      const [spending, trend] = await Promise.all([
        json(`${base}/spendingReports/${period}?topMerchantCount=10`),
        json(`${base}/spendingTrend?endPeriod=${period}&months=12`),
      ]);
      showSpending(spending.report);
      showTrend(trend);
      try {
        showCompliance((await json(`${base}/complianceReports/${period}`)).report);
      } catch (error) {
        $("compliance-note").textContent = error.message;
        $("table-compliance").replaceChildren();
      }
      $("isi").hidden = false;
      say(`Laporan ${monthName(period)} dimuat.`);
    } catch (error) {
      $("isi").hidden = true;
      say(error.message, true);
    }
  }

  async function download(report) {
    const regency = $("regency").value;
    const period = $("month").value;
    try {
      const response = await get(`/v1/regencies/${encodeURIComponent(regency)}/reports/${report}.csv?period=${period}&months=12`);
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `${regency}-${report}-${period}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      say(`CSV ${report} diunduh.`);
    } catch (error) {
      say(error.message, true);
    }
  }

  async function loadRegencies() {
    try {
      const regencies = (await json("/v1/regencies")).regencies ?? [];
      if (regencies.length === 0) return;
      $("regency").replaceChildren(...regencies.map((r) => new Option(`${r.code} ${r.name}`, r.code)));
    } catch { /* without regions.read the default stays */ }
  }

  // The previous month in Asia/Jakarta (UTC+7): the latest complete month.
  const jakarta = new Date(Date.now() + 7 * 3600 * 1000);
  const previous = new Date(Date.UTC(jakarta.getUTCFullYear(), jakarta.getUTCMonth() - 1, 1));
  $("month").value = `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, "0")}`;

  $("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    say("Token disimpan untuk tab ini.");
    await loadRegencies();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $("isi").hidden = true;
    say("Token dihapus.");
  });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); show(); });
  document.querySelectorAll("button[data-csv]").forEach((b) => b.addEventListener("click", () => download(b.dataset.csv)));
  if (token()) { say("Token tersimpan di tab ini."); loadRegencies(); }
})();
