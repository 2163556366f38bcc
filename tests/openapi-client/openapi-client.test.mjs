// The committed OpenAPI document (clients/openapi/ebakul-hub.v1.json) read by a generator the project does not otherwise
// use: openapi-typescript makes TypeScript types of it, tsc type-checks program.ts against them (openapi-fetch calls),
// and the compiled program runs against a real hub process (Release build, its own SQLite file and free ports, always
// stopped): two rupiah amounts recorded over JSON add up to their sum. The same program must NOT compile against the
// document with int64 typed as a JSON number, which is how the check has teeth.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import assert from "node:assert/strict";
import { startHub } from "../../clients/typescript/test/hub-process.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const documentPath = join(root, "clients/openapi/ebakul-hub.v1.json");
const generator = join(root, "node_modules/openapi-typescript/bin/cli.js");
const tsc = join(root, "node_modules/typescript/bin/tsc");

/** Generates the types from `document` into a fresh folder under TestResults/ with the program, and runs tsc there. */
function compile(name, document) {
  const work = join(root, "TestResults", "openapi-client", name);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "ebakul-hub.v1.json"), JSON.stringify(document));
  execFileSync(process.execPath, [generator, join(work, "ebakul-hub.v1.json"), "--output", join(work, "ebakul-hub.d.ts")], { stdio: "pipe" });
  copyFileSync(join(here, "program.ts"), join(work, "program.ts"));
  copyFileSync(join(here, "tsconfig.json"), join(work, "tsconfig.json"));
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module", private: true }));
  try {
    execFileSync(process.execPath, [tsc, "-p", work], { stdio: "pipe", encoding: "utf8" });
    return { work, ok: true, output: "" };
  } catch (e) {
    return { work, ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** The document as it was before int64 was typed honestly: every string/int64 schema an integer again. */
function withInt64AsNumbers(node) {
  if (Array.isArray(node)) return node.map(withInt64AsNumbers);
  if (node && typeof node === "object") {
    const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withInt64AsNumbers(v)]));
    if (copy.type === "string" && copy.format === "int64") {
      copy.type = "integer";
      delete copy.pattern;
    }
    return copy;
  }
  return node;
}

const document = JSON.parse(readFileSync(documentPath, "utf8"));
let hub;

before(async () => {
  hub = await startHub({
    ready: async (_, token, httpAddress) => {
      try {
        return (await fetch(`${httpAddress}/v1/regencies`, { headers: { Authorization: `Bearer ${token}` } })).ok;
      } catch { return false; }
    },
  });
});

after(async () => {
  await hub?.stop();
});

test("the document types every int64 field as a JSON string, every timestamp as date-time, errors as google.rpc.Status", () => {
  const schemas = document.components.schemas;
  const text = JSON.stringify(document);
  assert.equal((text.match(/"type":"integer","format":"int64"/g) ?? []).length, 0);
  assert.equal(schemas["ebakul.ledger.v1.Purchase"].properties.amountRupiah.type, "string");
  assert.equal(schemas["ebakul.ledger.v1.Purchase"].properties.amountRupiah.format, "int64");
  assert.equal(schemas["ebakul.ledger.v1.Purchase"].properties.occurTime.format, "date-time");
  assert.deepEqual(document.servers.map((s) => s.url), ["/"]);
  for (const name of Object.keys(schemas)) assert.match(name, /^[a-z][a-z0-9]*(\.[a-z0-9]+)*\.[A-Z]/, `schema ${name} is not named by its proto full name`);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [verb, operation] of Object.entries(item)) {
      for (const status of ["400", "401", "403", "404", "409", "429", "503"]) {
        assert.equal(operation.responses[status]?.$ref, `#/components/responses/Error${status}`, `${verb} ${path} ${status}`);
      }
    }
  }
  assert.equal(document.components.responses.Error400.content["application/json"].schema.$ref, "#/components/schemas/google.rpc.Status");
});

test("a client generated from the committed document type-checks and adds two rupiah amounts correctly against a hub", async () => {
  const compiled = compile("honest", document);
  assert.ok(compiled.ok, `tsc failed on the generated types:\n${compiled.output}`);
  const { run } = await import(pathToFileURL(join(compiled.work, "out", "program.js")).href);
  const outcome = await run(hub.httpAddress, hub.token);
  assert.deepEqual(outcome.amounts, ["420000", "1000"]);
  assert.equal(outcome.total, 421000n);
  assert.equal(outcome.totalOfList, 421000n);
  assert.ok(!Number.isNaN(Date.parse(outcome.occurTime)), `occurTime ${outcome.occurTime} is not a date-time`);
  assert.equal(outcome.unknownQueryStatus, 400);
  assert.equal(outcome.unknownQueryReason, "QUERY_PARAMETER_UNKNOWN");
  assert.equal(outcome.unknownQueryField, "period");
});

test("the same program does not compile when the document calls int64 a number", () => {
  const compiled = compile("int64-as-number", withInt64AsNumbers(document));
  assert.equal(compiled.ok, false, "tsc accepted a number where the wire sends a string");
  assert.match(compiled.output, /Unused '@ts-expect-error' directive|not assignable to type 'bigint \| string/);
});
