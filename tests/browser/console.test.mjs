// The search console in a real headless Chromium against a live server with the demo profiles
// (scripts/console-test sets it up). Drives the page as a person would and checks the DOM, and
// what it shows against the API itself.
//
// VITAE_URL, VITAE_READ_KEY (a key with the read scope), CHROMIUM (the browser), SCREENSHOT_DIR.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = required("VITAE_URL");
const KEY = required("VITAE_READ_KEY");
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || ".";
const QUERY = "engineer";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (scripts/console-test sets it)`);
  return value;
}

let browser, page;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // This machine has no network beyond loopback: keep Chromium from calling out.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // A CSP violation or a script error shows up here; the page must have none.
  page.on("pageerror", (error) => pageErrors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // The wrong-key test's 401 is expected; every other failed load is not.
    if (message.type() === "error" && !/status of 401/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && response.status() !== 401) pageErrors.push(`${response.status()} ${response.url()}`);
  });
});

after(async () => {
  await browser?.close();
});

async function api(path) {
  const response = await fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

const hitIds = () => page.$$eval("#hits > li.hit", (items) => items.map((li) => li.dataset.profile));
const ranks = () => page.$$eval("#hits .rank", (spans) => spans.map((s) => s.textContent));
const summary = () => page.textContent("#summary");

async function search() {
  const before = await summary();
  await page.click("#run");
  await page.waitForFunction((old) => document.querySelector("#summary").textContent !== old
    || !document.querySelector("#problem").hidden, before);
}

test("the console is served with a content security policy and no inline script", async () => {
  const response = await page.goto(`${BASE}/console`);
  assert.equal(response.status(), 200);
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const inline = await page.$$eval("script:not([src])", (scripts) => scripts.length);
  assert.equal(inline, 0);
  assert.match(await page.textContent("#key-state"), /No key/);
});

test("a wrong key gets the API's own error, shown plainly", async () => {
  await page.fill("#key", "vitae_not_a_real_key");
  await page.click("#key-form button[type=submit]");
  await page.fill("#q", QUERY);
  await search();
  await page.waitForSelector("#problem:not([hidden])");
  const problem = await page.textContent("#problem");
  assert.match(problem, /401/);
  assert.match(problem, /unauthorized|key/i);
  assert.equal((await hitIds()).length, 0);
});

test("a query shows hits with highlights, explain bars, timings and facets", async () => {
  await page.fill("#key", KEY);
  await page.click("#key-form button[type=submit]");
  await page.waitForSelector("#hits > li.hit");
  assert.ok(await page.isHidden("#problem"), "the error of the wrong key is gone");
  assert.match(await summary(), /^\d+ matching · page 1/);
  const hits = await hitIds();
  assert.ok(hits.length > 0 && hits.length <= 10);

  // The same hits, in the same order, as the API gives for the same request.
  const direct = await (await fetch(`${BASE}/v1/search`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ q: QUERY, limit: 10, explain: true }),
  })).json();
  assert.deepEqual(hits, direct.hits.map((h) => h.profile_id));

  // Matched words are <mark> elements (parsed, not injected markup).
  assert.ok(await page.$$eval("#hits mark", (marks) => marks.length) > 0, "no highlighted word");
  // Each hit explains its score: a row per leg and the fused score, drawn as bars.
  const rows = await page.$$eval("#hits > li.hit:first-child .explain tr", (trs) => trs.map((tr) => tr.className));
  assert.deepEqual(rows, ["leg-semantic", "leg-keyword", "leg-fused"]);
  const fused = await page.$eval("#hits > li.hit:first-child .leg-fused meter", (m) => m.value);
  assert.ok(Math.abs(fused - direct.hits[0].explain.fused_score) < 1e-9);
  // Per-stage timings and the plan.
  assert.equal(await page.$$eval("#timings tr", (trs) => trs.length), 7);
  assert.notEqual(await page.textContent("#plan"), "");
  // Facets over the matching set.
  assert.ok(await page.$$eval("#facets [data-facet=skills] button", (b) => b.length) > 0);
});

test("clicking a facet filters the results by it", async () => {
  const button = await page.$("#facets [data-facet=skills] li:first-child button");
  const skill = await button.getAttribute("data-value");
  const count = Number(await button.$eval(".count", (c) => c.textContent));
  const before = await summary();
  await button.click();
  await page.waitForFunction((old) => document.querySelector("#summary").textContent !== old, before);
  const chip = await page.textContent("#filter-chips");
  assert.ok(chip.includes(`skill: ${skill}`), chip);
  const total = Number((await summary()).split(" ")[0]);
  assert.ok(total > 0 && total <= count, `total ${total}, facet count ${count}`);
  // Every profile shown holds the skill (checked through the API).
  for (const id of await hitIds()) {
    const profile = await api(`/v1/profiles/${id}`);
    const names = profile.skills.map((s) => s.name.toLowerCase());
    assert.ok(names.includes(skill.toLowerCase()), `${profile.display_name} lacks ${skill}: ${names}`);
  }
  await page.screenshot({ path: screenshotPath("console-facet.png"), fullPage: true });
  // Removing the filter brings the unfiltered results back.
  const filtered = await summary();
  await page.click(`#filter-chips button[data-value="${skill}"]`);
  await page.waitForFunction(() => document.querySelector("#active-filters").hidden);
  await page.waitForFunction((old) => document.querySelector("#summary").textContent !== old, filtered);
  assert.equal((await summary()).split(" ")[0], before.split(" ")[0], "the unfiltered total is back");
});

test("paging follows the cursor forward and back", async () => {
  await page.fill("#limit", "3");
  await search();
  const first = await hitIds();
  assert.equal(first.length, 3);
  assert.ok(await page.isEnabled("#next"), "a second page exists");
  assert.ok(await page.isDisabled("#prev"));
  await page.click("#next");
  await page.waitForFunction(() => document.querySelector("#page-label").textContent === "page 2");
  await page.waitForFunction(() => document.querySelector("#hits .rank")?.textContent === "#4");
  const second = await hitIds();
  assert.ok(second.length > 0);
  assert.deepEqual(second.filter((id) => first.includes(id)), [], "page 2 repeats page 1");
  assert.deepEqual((await ranks()).slice(0, 1), ["#4"]);
  await page.click("#prev");
  await page.waitForFunction(() => document.querySelector("#page-label").textContent === "page 1");
  assert.deepEqual(await hitIds(), first);
});

test("the same query in every mode, side by side", async () => {
  await page.fill("#limit", "5");
  await page.click("#compare");
  await page.waitForSelector("#compare-view:not([hidden])");
  const modes = await page.$$eval("#compare-columns .column", (cols) => cols.map((c) => [c.dataset.mode, c.querySelectorAll("li").length]));
  assert.deepEqual(modes.map(([mode]) => mode), ["hybrid", "semantic", "keyword"]);
  for (const [mode, hits] of modes) assert.ok(hits > 0, `${mode} shows no hits`);
  await page.screenshot({ path: screenshotPath("console-compare.png"), fullPage: true });
});

test("the page ran without script errors or policy violations", () => {
  assert.deepEqual(pageErrors, []);
});

function screenshotPath(name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, name);
}
