// Checks the dashboard's page in a browser for what makes figures unreadable: text cut off by a box that hides or
// scrolls what does not fit, and a page wider than the window. Used by dashboard.test.mjs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Elements holding text whose content is wider than their box while their overflow hides or scrolls it (a sideways
 * scrolling region, a clipped cell, an ellipsis), and whether the page is wider than the window.
 */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
    }
    // Form fields draw their text themselves: the chosen option or month must fit beside the field's own button.
    const measure = document.createElement("canvas").getContext("2d");
    for (const field of document.querySelectorAll("select, input[type=month]")) {
      if (!field.checkVisibility()) continue;
      const style = getComputedStyle(field);
      measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      // A month field shows the month in the browser's language: the longer of the page's and English is measured.
      const month = (lang) => new Date(`${field.value || "2026-09"}-15T00:00:00Z`).toLocaleDateString(lang, { month: "long", year: "numeric", timeZone: "UTC" });
      const texts = field.tagName === "SELECT" ? [field.selectedOptions[0]?.textContent ?? ""] : [month(document.documentElement.lang), month("en")];
      const room = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
      for (const text of texts) {
        if (measure.measureText(text).width > room) problems.push(`#${field.id} shows "${text}" in ${Math.round(room)} px`);
      }
    }
    for (const el of document.querySelectorAll("body *")) {
      if (!el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) continue;
      const style = getComputedStyle(el);
      if (!["hidden", "scroll", "auto", "clip"].includes(style.overflowX) && style.textOverflow !== "ellipsis") continue;
      if (!el.textContent.trim()) continue;
      // Visually hidden text for screen readers is a 1-px box on purpose.
      if (el.clientWidth <= 1 && el.clientHeight <= 1) continue;
      if (el.scrollWidth > el.clientWidth + 1) {
        const name = el.id ? `#${el.id}` : el.tagName.toLowerCase() + (el.className ? `.${[...el.classList].join(".")}` : "");
        problems.push(`${name} holds ${el.scrollWidth} px of content in ${el.clientWidth} px (overflow ${style.overflowX}): "${el.textContent.trim().slice(0, 60)}"`);
      }
    }
    return problems;
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations of the page as it is now (WCAG 2.x A and AA rules and best practices). */
export async function accessibilityProblems(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}
