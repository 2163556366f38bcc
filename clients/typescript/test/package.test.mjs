// The packed @ebakul/client as a project installs it under a strict layout (npm --install-strategy=linked: only the
// project's own dependencies are visible from its code, as with pnpm): a program importing only from
// "@ebakul/client" and "@ebakul/client/node", the documented way, compiles with strict tsc and runs.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, test } from "node:test";

const run = promisify(execFile);
const packageFolder = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(packageFolder, "node_modules/typescript/bin/tsc");
const typesNodeVersion = JSON.parse(readFileSync(join(packageFolder, "package.json"), "utf8")).devDependencies["@types/node"];

const program = `
import { create, createHubClients, ledger, timestampDate, timestampFromDate, toJson, type Timestamp } from "@ebakul/client";
import { createNodeTransport } from "@ebakul/client/node";

const occurTime: Timestamp = timestampFromDate(new Date("2026-03-10T03:00:00Z"));
const request = create(ledger.RecordPurchaseRequestSchema, {
  regencyCode: "35.22",
  purchase: {
    employeeNip: "198503152010011001", merchantId: "m-1", amountRupiah: 75_000n, occurTime,
    receiptKind: ledger.ReceiptKind.NOTA, receiptReference: "NT-0001",
  },
});
const hub = createHubClients(createNodeTransport({ address: "http://127.0.0.1:5080", token: "t" }));
console.log(JSON.stringify({
  json: toJson(ledger.RecordPurchaseRequestSchema, request),
  occurMs: timestampDate(request.purchase!.occurTime!).getTime(),
  recordPurchase: typeof hub.ledger.recordPurchase,
}));
`;

let folder;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), "ebakul-ts-package-"));
  // dist/ is what the package ships; scripts/test.sh (and the README's "npm run build") builds it before the tests.
  if (!existsSync(join(packageFolder, "dist/index.js"))) throw new Error("dist/ is not built: npm run build");
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", folder], { cwd: packageFolder });
  const tarball = join(folder, JSON.parse(packed.stdout)[0].filename);
  const project = join(folder, "project");
  await run("mkdir", ["-p", join(project, "src")]);
  writeFileSync(join(project, "package.json"), JSON.stringify({
    name: "office-system", version: "1.0.0", private: true, type: "module",
    dependencies: { "@ebakul/client": `file:${tarball}` },
    devDependencies: { "@types/node": typesNodeVersion },
  }, null, 2));
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], strict: true,
      verbatimModuleSyntax: true, outDir: "dist", rootDir: "src",
    },
    include: ["src"],
  }, null, 2));
  writeFileSync(join(project, "src/main.ts"), program);
  // The dependencies come from npm's cache when they are there (the package's own npm ci put them there).
  await run("npm", ["install", "--install-strategy=linked", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: project, timeout: 180_000 });
});

after(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("the linked layout hides the package's own dependencies from the project", async () => {
  const project = join(folder, "project");
  assert.ok(existsSync(join(project, "node_modules/@ebakul/client/package.json")));
  assert.ok(!existsSync(join(project, "node_modules/@bufbuild/protobuf")), "@bufbuild/protobuf was hoisted: the layout is not strict");
  // So an import of @bufbuild/protobuf from the project fails there: what the project needs must come from @ebakul/client.
  await assert.rejects(run(process.execPath, ["--input-type=module", "-e", 'await import("@bufbuild/protobuf/wkt")'], { cwd: project }),
    /ERR_MODULE_NOT_FOUND|Cannot find package/);
});

test("a program importing only from @ebakul/client compiles with strict tsc and runs", async () => {
  const project = join(folder, "project");
  await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).catch((e) => {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  });
  const { stdout } = await run(process.execPath, ["dist/main.js"], { cwd: project });
  const printed = JSON.parse(stdout);
  assert.equal(printed.recordPurchase, "function");
  assert.equal(printed.occurMs, Date.parse("2026-03-10T03:00:00Z"));
  assert.equal(printed.json.purchase.amountRupiah, "75000");
  assert.equal(printed.json.purchase.occurTime, "2026-03-10T03:00:00Z");
});
