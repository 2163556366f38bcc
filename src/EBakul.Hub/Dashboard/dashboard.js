// The e-Bakul dashboard: reads ReportService through the hub's JSON routes with the token kept in sessionStorage only
// (gone when the tab closes), and shows a regency's month. Every chart has its data as a table beside it; large amounts
// are abbreviated the Indonesian way (Rp31,2 jt, Rp1,8 M) where space is short, with the exact figure beside them, on
// hover and in the tables.
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
  const units = [[1_000_000_000_000n, "T"], [1_000_000_000n, "M"], [1_000_000n, "jt"]];
  /** Rp31,2 jt, Rp1,8 M, Rp2 T: one decimal at most, rounded half up; below a million the exact figure. */
  const rupiahShort = (value) => {
    const n = BigInt(value ?? 0);
    const abs = n < 0n ? -n : n;
    const sign = n < 0n ? "-Rp" : "Rp";
    for (const [unit, name] of units) {
      if (abs < unit) continue;
      const tenths = (abs * 10n + unit / 2n) / unit;
      const whole = number.format(tenths / 10n);
      return `${sign}${whole}${tenths % 10n === 0n ? "" : "," + (tenths % 10n)}\u00a0${name}`;
    }
    return sign + number.format(abs);
  };
  /** The same for a chart's axis, whose ticks are JavaScript numbers. */
  const rupiahTick = (value) => rupiahShort(BigInt(Math.round(value)));
  const count = (value) => number.format(BigInt(value ?? 0));
  /** Basis points as a percentage with up to two decimals: 1234 → "12,34%". */
  const percent = (bps) => (Number(bps ?? 0) / 100).toLocaleString("id-ID", { maximumFractionDigits: 2 }) + "%";
  const points = (bps) => (Math.abs(Number(bps)) / 100).toLocaleString("id-ID", { maximumFractionDigits: 1 }) + " poin";
  const monthName = (period) => {
    const [y, m] = period.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString("id-ID", { month: "long", year: "numeric", timeZone: "UTC" });
  };
  const monthShort = (period) => {
    const [y, m] = period.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString("id-ID", { month: "short", year: "2-digit", timeZone: "UTC" });
  };
  const previousPeriod = (period) => {
    const [y, m] = period.split("-").map(Number);
    const d = new Date(Date.UTC(y, m - 2, 15));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
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

  // ---- Tables ----------------------------------------------------------------------------------------------------------

  /**
   * A table named by the heading `labelledBy`; `columns` are [label, {numeric, secondary}]; the first column heads its
   * row. Every cell carries its column's label, which a stacked table (one block per row) shows beside the value.
   */
  function table(container, labelledBy, columns, rows, { empty = "Tidak ada data.", totalLast = false } = {}) {
    const t = document.createElement("table");
    t.setAttribute("aria-labelledby", labelledBy);
    const head = t.createTHead().insertRow();
    columns.forEach(([label, options = {}]) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      th.className = [options.numeric && "num", options.secondary && "secondary"].filter(Boolean).join(" ");
      head.appendChild(th);
    });
    const body = t.createTBody();
    rows.forEach((row, r) => {
      const tr = body.insertRow();
      if (totalLast && r === rows.length - 1) tr.className = "total";
      row.forEach((value, i) => {
        const [label, options = {}] = columns[i];
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = value;
        cell.dataset.label = label;
        cell.className = [options.numeric && "num", options.secondary && "secondary"].filter(Boolean).join(" ");
        tr.appendChild(cell);
      });
    });
    if (rows.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = columns.length;
      td.className = "empty";
      td.textContent = empty;
    }
    container.replaceChildren(t);
    fit(container);
    return t;
  }

  /** A table wider than its box (at its narrowest) is shown as one block per row instead of scrolling sideways. */
  function fit(container) {
    const t = container.querySelector("table");
    if (!t || container.clientWidth === 0) return;
    t.classList.remove("stacked");
    if (t.offsetWidth > container.clientWidth + 1) t.classList.add("stacked");
  }
  const resized = new ResizeObserver((entries) => entries.forEach((e) => fit(e.target)));
  document.querySelectorAll(".table").forEach((c) => resized.observe(c));

  const groupColumns = [["Kelompok"], ["Belanja", { numeric: true }], ["Pangsa", { numeric: true }], ["Transaksi", { numeric: true }],
    ["Pembeli", { numeric: true }], ["Pelaku usaha", { numeric: true }]];
  function groupTable(id, labelledBy, groups) {
    table($(id), labelledBy, groupColumns,
      groups.map((g) => [g.displayName || g.key, rupiah(g.spentRupiah), percent(g.shareBasisPoints), count(g.purchaseCount),
        count(g.buyerCount), count(g.merchantCount)]));
  }

  // ---- Charts ----------------------------------------------------------------------------------------------------------

  /** Shows "no data" in Indonesian in place of a chart. */
  function emptyFigure(name, text) {
    charts[name]?.destroy();
    delete charts[name];
    const figure = $(`figure-${name}`);
    const canvas = $(`chart-${name}`);
    canvas.hidden = true;
    canvas.removeAttribute("aria-label");
    figure.querySelector(".empty")?.remove();
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = text;
    figure.appendChild(p);
    figure.style.height = "";
  }

  function canvasFor(name, label, labels, values) {
    const figure = $(`figure-${name}`);
    figure.querySelector(".empty")?.remove();
    const canvas = $(`chart-${name}`);
    canvas.hidden = false;
    canvas.setAttribute("aria-label", `${label}: ` + labels.map((l, i) => `${l} ${rupiah(values[i])}`).join("; "));
    charts[name]?.destroy();
    return canvas;
  }

  /** Writes each bar's amount (abbreviated) at its end, or inside it when the bar reaches the edge. */
  const barValues = {
    id: "barValues",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea } = chart;
      const meta = chart.getDatasetMeta(0);
      ctx.save();
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      meta.data.forEach((bar, i) => {
        const raw = chart.data.datasets[0].data[i];
        const text = rupiahTick(raw) + (chart.options.plugins.barValues?.capped === i ? " ▸" : "");
        const width = ctx.measureText(text).width;
        const end = Math.min(bar.x, chartArea.right);
        if (end + 6 + width <= chartArea.right) {
          ctx.fillStyle = "#1b1f24";
          ctx.textAlign = "left";
          ctx.fillText(text, end + 6, bar.y);
        } else {
          ctx.fillStyle = "#fff";
          ctx.textAlign = "right";
          ctx.fillText(text, end - 6, bar.y);
        }
      });
      ctx.restore();
    },
  };

  /**
   * A ranking: horizontal bars, largest first ("Lainnya", the folded small groups, last), every label shown. When the first is more than three times the second,
   * the axis stops at 1,5 times the second so that the others can be compared; the first bar runs to the edge with its
   * amount written in it, and `note` says so.
   */
  function ranking(name, label, groups, note, empty) {
    const rows = [...groups].filter((g) => BigInt(g.spentRupiah ?? 0) > 0n)
      .sort((a, b) => (a.key === "OTHER") - (b.key === "OTHER")
        || (BigInt(b.spentRupiah) > BigInt(a.spentRupiah) ? 1 : BigInt(b.spentRupiah) < BigInt(a.spentRupiah) ? -1 : 0));
    if (note) note.textContent = "";
    if (rows.length === 0) { emptyFigure(name, empty); return; }
    const labels = rows.map((g) => g.displayName || g.key);
    const values = rows.map((g) => Number(g.spentRupiah));
    const canvas = canvasFor(name, label, labels, rows.map((g) => g.spentRupiah));
    $(`figure-${name}`).style.height = `${Math.max(160, rows.length * 26 + 50)}px`;
    let max, capped;
    if (values.length > 1 && rows[0].key !== "OTHER" && values[0] > 3 * values[1]) {
      max = values[1] * 1.5;
      capped = 0;
      if (note) {
        const ratio = (values[0] / values[1]).toLocaleString("id-ID", { maximumFractionDigits: 1 });
        note.textContent = `${labels[0]} (${rupiahShort(rows[0].spentRupiah)}, ${percent(rows[0].shareBasisPoints)} dari total) ${ratio} kali ` +
          `${labels[1]}: batangnya dipotong (▸) agar kecamatan lain dapat dibandingkan.`;
      }
    }
    if (typeof Chart === "undefined") return;
    const phone = window.innerWidth < 600;
    charts[name] = new Chart(canvas, {
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: "#2a7f62", borderSkipped: false, barPercentage: 0.8 }] },
      plugins: [barValues],
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y",
        layout: { padding: { right: 4 } },
        plugins: { legend: { display: false }, barValues: { capped },
          tooltip: { callbacks: { label: (c) => `${rupiah(rows[c.dataIndex].spentRupiah)} (${percent(rows[c.dataIndex].shareBasisPoints)})` } } },
        scales: {
          x: { beginAtZero: true, max, grace: "18%", ticks: { callback: rupiahTick, maxTicksLimit: phone ? 3 : 5, maxRotation: 0 } },
          y: { ticks: { autoSkip: false, font: { size: 12 } }, grid: { display: false } },
        },
      },
    });
  }

  function trendChart(months) {
    const label = "Belanja per bulan";
    if (months.every((m) => BigInt(m.spentRupiah ?? 0) === 0n)) { emptyFigure("trend", "Tidak ada belanja dalam 12 bulan ini."); return; }
    const canvas = canvasFor("trend", label, months.map((m) => monthName(m.period)), months.map((m) => m.spentRupiah));
    if (typeof Chart === "undefined") return;
    charts.trend = new Chart(canvas, {
      type: "line",
      data: { labels: months.map((m) => monthShort(m.period)),
        datasets: [{ label, data: months.map((m) => Number(m.spentRupiah ?? 0)), borderColor: "#0b6e4f", backgroundColor: "#0b6e4f", pointRadius: 3 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false },
          tooltip: { callbacks: { title: (c) => monthName(months[c[0].dataIndex].period), label: (c) => rupiah(months[c.dataIndex].spentRupiah) } } },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkipPadding: 8 } },
          y: { beginAtZero: true, ticks: { callback: rupiahTick, maxTicksLimit: 5 } },
        },
      },
    });
  }

  // ---- The month -------------------------------------------------------------------------------------------------------

  const figure = (name) => document.querySelector(`[data-figure="${name}"]`);
  function setFigure(name, text, exact) {
    const el = figure(name);
    el.textContent = text;
    if (exact && exact !== text) el.title = exact; else el.removeAttribute("title");
  }
  function setChange(name, text, direction) {
    const el = figure(name);
    el.textContent = text;
    el.removeAttribute("title");
    el.classList.toggle("up", direction > 0);
    el.classList.toggle("down", direction < 0);
  }

  function showSpending(report, trend) {
    $("period-label").textContent = monthName(report.period);
    setFigure("spent-short", rupiahShort(report.spentRupiah), rupiah(report.spentRupiah));
    setFigure("spent", rupiah(report.spentRupiah));
    setFigure("purchases", count(report.purchaseCount));
    setFigure("buyers", count(report.buyerCount));
    setFigure("merchants", count(report.merchantCount));
    setFigure("new-share", percent(report.newMerchantShareBasisPoints));
    // Month over month, from the trend (the report's month is its last).
    const months = trend.months ?? [];
    const current = months[months.length - 1];
    const before = months[months.length - 2];
    if (current && before && current.period === report.period) {
      const change = BigInt(current.changeRupiah ?? 0);
      if (BigInt(before.spentRupiah ?? 0) === 0n) {
        setChange("spent-change", `${monthName(before.period)}: tidak ada belanja`, 0);
      } else {
        const sign = change > 0n ? "+" : "";
        const pct = current.changeDefined ? ` (${sign}${percent(current.changeBasisPoints)})` : "";
        setChange("spent-change", `${sign}${rupiahShort(change)}${pct} dari ${monthName(before.period)}`, change > 0n ? 1 : change < 0n ? -1 : 0);
        figure("spent-change").title = `${sign}${rupiah(change)}`;
      }
    } else {
      setChange("spent-change", "", 0);
    }
    const note = $("suppressed-note");
    note.hidden = !report.suppressed;
    note.textContent = report.suppressed
      ? `Pembeli bulan ini kurang dari ${report.minimumGroupSize} orang: angka tidak ditampilkan agar tidak ada yang dapat dikenali.` : "";
    const empty = report.suppressed ? "Angka tidak ditampilkan: pembeli terlalu sedikit." : "Tidak ada belanja pada bulan ini.";
    ranking("kecamatan", "Belanja per kecamatan", report.byKecamatan ?? [], $("kec-note"), empty);
    ranking("category", "Belanja per kategori", report.byCategory ?? [], null, empty);
    ranking("scale", "Belanja per skala", report.byScale ?? [], null, empty);
    groupTable("table-kecamatan", "kec-judul", report.byKecamatan ?? []);
    groupTable("table-category", "kat-judul", report.byCategory ?? []);
    groupTable("table-scale", "skala-judul", report.byScale ?? []);
    const merchantRows = (list) => (list ?? []).map((m, i) => [`${i + 1}. ${m.merchantName}`, rupiah(m.spentRupiah), count(m.buyerCount),
      count(m.purchaseCount), m.newlyRegistered ? "ya" : "tidak"]);
    const merchantColumns = [["Pelaku usaha"], ["Belanja", { numeric: true }], ["Pembeli", { numeric: true }], ["Transaksi", { numeric: true }],
      ["Baru terdaftar"]];
    const none = empty;
    table($("table-top-amount"), "top-amount-judul", merchantColumns, merchantRows(report.topMerchantsByAmount), { empty: none });
    table($("table-top-buyers"), "top-buyers-judul", merchantColumns, merchantRows(report.topMerchantsByBuyers), { empty: none });
  }

  function showTrend(trend) {
    const months = trend.months ?? [];
    trendChart(months);
    table($("table-trend"), "tren-judul", [["Bulan"], ["Belanja", { numeric: true }], ["Perubahan", { numeric: true }],
      ["Perubahan %", { numeric: true }], ["Pembeli", { numeric: true }]],
    months.map((m) => [monthName(m.period), rupiah(m.spentRupiah), rupiah(m.changeRupiah), m.changeDefined ? percent(m.changeBasisPoints) : "–",
      count(m.buyerCount)]));
  }

  /** Lowest rate first; among equal rates, more employees short first; the folded "Lainnya" group last. */
  const byCompliance = (a, b) => (a.officeCode === "OTHER") - (b.officeCode === "OTHER")
    || (a.complianceRateBasisPoints ?? 0) - (b.complianceRateBasisPoints ?? 0) || (b.nonCompliantCount ?? 0) - (a.nonCompliantCount ?? 0);

  function showCompliance(report, previous) {
    const closed = !!report.closed;
    $("compliance-note").textContent = closed
      ? "Bulan ini sudah ditutup: koreksi TPP yang berlaku berasal dari penyesuaian terakhir setiap pegawai."
      : "Bulan ini belum ditutup: kekurangan dan koreksi masih proyeksi dan dapat berubah.";
    const total = report.total ?? {};
    setFigure("compliance-rate", percent(total.complianceRateBasisPoints));
    setFigure("compliance-count", `${count(total.compliantCount)} dari ${count(total.obligedCount)} pegawai wajib`);
    if (previous) {
      const delta = (total.complianceRateBasisPoints ?? 0) - (previous.total?.complianceRateBasisPoints ?? 0);
      const word = delta > 0 ? "naik" : delta < 0 ? "turun" : "tetap";
      setChange("compliance-change", `${word}${delta ? " " + points(delta) : ""} dari ${monthName(previous.period)}`, Math.sign(delta));
    } else {
      setChange("compliance-change", "", 0);
    }
    const correction = closed ? total.totalCorrectionRupiah : total.totalProjectedCorrectionRupiah;
    setFigure("correction-label", closed ? "Koreksi TPP berlaku" : "Koreksi TPP (proyeksi)");
    setFigure("correction-short", rupiahShort(correction), rupiah(correction));
    setFigure("correction", rupiah(correction));
    setChange("correction-note", `${count(total.nonCompliantCount)} pegawai kurang; kekurangan ${rupiah(total.totalShortfallRupiah)}`, 0);

    const offices = [...(report.offices ?? [])].sort(byCompliance);
    const lowest = offices.filter((o) => o.officeCode !== "OTHER" && (o.obligedCount ?? 0) > 0 && (o.nonCompliantCount ?? 0) > 0).slice(0, 5);
    $("lowest-offices").replaceChildren(...lowest.map((o) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = `${o.displayName || o.officeCode}: `;
      const rate = document.createElement("span");
      rate.className = "rate";
      rate.textContent = percent(o.complianceRateBasisPoints);
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = `${count(o.nonCompliantCount)} dari ${count(o.obligedCount)} wajib kurang; kekurangan ${rupiah(o.totalShortfallRupiah)}`;
      li.append(name, rate, detail);
      return li;
    }));
    if (lowest.length === 0) {
      const li = document.createElement("li");
      li.textContent = "Semua perangkat daerah patuh.";
      $("lowest-offices").replaceChildren(li);
    }

    const rows = [...offices, { ...total, displayName: "Jumlah" }];
    const correctionColumns = closed
      ? [["Koreksi berlaku", { numeric: true }], ["Koreksi proyeksi", { numeric: true, secondary: true }]]
      : [["Koreksi proyeksi", { numeric: true }], ["Koreksi berlaku", { numeric: true, secondary: true }]];
    const t = table($("table-compliance"), "patuh-judul",
      [["Perangkat daerah"], ["Tingkat kepatuhan", { numeric: true }], ["Kurang", { numeric: true }], ["Total kekurangan", { numeric: true }],
        ...correctionColumns, ["Wajib", { numeric: true, secondary: true }], ["Patuh", { numeric: true, secondary: true }],
        ["Dikecualikan", { numeric: true, secondary: true }], ["Pegawai", { numeric: true, secondary: true }]],
      rows.map((o) => {
        const [main, other] = closed ? [o.totalCorrectionRupiah, o.totalProjectedCorrectionRupiah] : [o.totalProjectedCorrectionRupiah, o.totalCorrectionRupiah];
        return [o.displayName || o.officeCode, percent(o.complianceRateBasisPoints), count(o.nonCompliantCount), rupiah(o.totalShortfallRupiah),
          rupiah(main), rupiah(other), count(o.obligedCount), count(o.compliantCount), count(o.exemptCount), count(o.employeeCount)];
      }), { totalLast: true });
    showAllColumns($("compliance-columns").getAttribute("aria-pressed") === "true", t);
  }

  function noCompliance(message) {
    $("compliance-note").textContent = message;
    $("table-compliance").replaceChildren();
    for (const name of ["compliance-rate", "correction-short"]) setFigure(name, "–");
    for (const name of ["compliance-count", "correction"]) setFigure(name, "");
    for (const name of ["compliance-change", "correction-note"]) setChange(name, "", 0);
    setFigure("correction-label", "Koreksi TPP bulan ini");
    const li = document.createElement("li");
    li.textContent = message;
    $("lowest-offices").replaceChildren(li);
  }

  /** The compliance table shows the columns acted on first; the rest are one press away. */
  function showAllColumns(all, t = $("table-compliance").querySelector("table")) {
    const button = $("compliance-columns");
    button.setAttribute("aria-pressed", String(all));
    button.textContent = all ? "Tampilkan kolom utama saja" : "Tampilkan semua kolom";
    if (!t) return;
    t.classList.toggle("compact", !all);
    fit($("table-compliance"));
  }

  async function show() {
    if (!token()) { say("Tempel token akses terlebih dahulu.", true); $("token").focus(); return; }
    const regency = $("regency").value;
    const period = $("month").value;
    if (!period) { say("Pilih bulan.", true); return; }
    say("Memuat laporan …");
    try {
      const base = `/v1/regencies/${encodeURIComponent(regency)}`;
      const optional = (path) => json(path).then((r) => r.report, (error) => error);
      const [spending, trend, compliance, previousCompliance] = await Promise.all([
        json(`${base}/spendingReports/${period}?topMerchantCount=10`),
        json(`${base}/spendingTrend?endPeriod=${period}&months=12`),
        optional(`${base}/complianceReports/${period}`),
        optional(`${base}/complianceReports/${previousPeriod(period)}`),
      ]);
      $("isi").hidden = false;
      $("regency-label").textContent = $("regency").selectedOptions[0]?.textContent ?? regency;
      showSpending(spending.report, trend);
      showTrend(trend);
      if (compliance instanceof Error) noCompliance(compliance.message);
      else showCompliance(compliance, previousCompliance instanceof Error ? null : previousCompliance);
      await showIntegrity(base, period);
      say(`Laporan ${monthName(period)} dimuat.`);
    } catch (error) {
      $("isi").hidden = true;
      say(error.message, true);
    }
  }

  // ---- Integrity signals (integrity.read only) ------------------------------------------------------------------------

  const signalKinds = {
    INTEGRITY_SIGNAL_KIND_OFFICE_CAPTIVE_MERCHANT: "Toko bergantung pada satu OPD",
    INTEGRITY_SIGNAL_KIND_QUOTA_AT_MONTH_END: "Kuota dipenuhi sekali di akhir bulan",
    INTEGRITY_SIGNAL_KIND_RECEIPT_SEQUENCE: "Nota berurutan dalam hitungan menit",
    INTEGRITY_SIGNAL_KIND_SHARED_EVIDENCE: "Bukti yang sama pada beberapa pembelian",
    INTEGRITY_SIGNAL_KIND_SCALE_EXCEEDED: "Melebihi skala usaha terdaftar",
    INTEGRITY_SIGNAL_KIND_NEW_MERCHANT_FEW_BUYERS: "Toko baru, sedikit pembeli, belanja besar",
    INTEGRITY_SIGNAL_KIND_SAME_AMOUNT_GROUP: "Jumlah sama oleh satu OPD di satu hari",
  };
  const verdicts = { REVIEW_VERDICT_CLEARED: "Bersih", REVIEW_VERDICT_CONFIRMED: "Terbukti" };

  /** The month's signals, strongest first; a token without integrity.read gets a note instead. */
  async function showIntegrity(base, period) {
    const note = $("integrity-note");
    const container = $("table-integrity");
    const response = await fetch(`${base}/periods/${period}/integritySignals?pageSize=100`, { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) {
      const message = response.status === 403
        ? "Sinyal integritas hanya untuk pemegang izin integrity.read (Inspektorat); token ini tidak memilikinya."
        : await failure(response);
      note.textContent = message;
      container.replaceChildren();
      $("integrity-csv").hidden = true;
      return;
    }
    const body = await response.json();
    const signals = body.signals ?? [];
    const total = body.totalSize ?? signals.length;
    note.textContent = total === 0
      ? "Tidak ada sinyal bulan ini."
      : `${count(total)} sinyal, terkuat lebih dahulu${total > signals.length ? ` (${signals.length} pertama ditampilkan; semuanya ada di CSV)` : ""}. Sinyal adalah alasan untuk memeriksa, bukan temuan.`;
    $("integrity-csv").hidden = total === 0;
    table(container, "integritas-judul",
      [["Jenis"], ["Kekuatan", { numeric: true }], ["Pelaku usaha"], ["Penjelasan"], ["Ulasan", { secondary: true }]],
      signals.map((s) => [signalKinds[s.kind] ?? s.kind, String(s.strength ?? 0), s.merchantName || s.merchantId, s.explanation ?? "",
        s.review ? verdicts[s.review.verdict] ?? "" : "Belum"]),
      { empty: "Tidak ada sinyal bulan ini." });
  }

  async function downloadIntegrity() {
    const regency = $("regency").value;
    const period = $("month").value;
    try {
      const response = await get(`/v1/regencies/${encodeURIComponent(regency)}/periods/${period}/integritySignals.csv`);
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `${regency}-integrity-signals-${period}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      say("CSV sinyal integritas diunduh.");
    } catch (error) {
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
      $("regency").replaceChildren(...regencies.map((r) => new Option(r.name || r.code, r.code)));
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
  $("compliance-columns").addEventListener("click", () => showAllColumns($("compliance-columns").getAttribute("aria-pressed") !== "true"));
  document.querySelectorAll("button[data-csv]").forEach((b) => b.addEventListener("click", () => download(b.dataset.csv)));
  $("integrity-csv").addEventListener("click", downloadIntegrity);
  // Printing: a chart does not follow the print layout by itself, so it is drawn again at the width of an A4 page's text
  // (186 mm) before printing, and at its box's width again afterwards.
  const printWidth = Math.round((186 / 25.4) * 96);
  const forPrint = () => Object.values(charts).forEach((c) => c.resize(printWidth, c.canvas.parentElement.clientHeight || c.height));
  const forScreen = () => Object.values(charts).forEach((c) => c.resize());
  window.addEventListener("beforeprint", forPrint);
  window.addEventListener("afterprint", forScreen);
  matchMedia("print").addEventListener("change", (e) => (e.matches ? forPrint() : forScreen()));
  if (token()) { say("Token tersimpan di tab ini."); loadRegencies(); }
})();
