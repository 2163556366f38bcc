// The documentation runs: every ```bash block of README.md and docs/clients.md, in order, in one shell per page (as a
// newcomer pastes them into one terminal), against a fresh demo hub on the documented addresses (gRPC 127.0.0.1:5080,
// JSON 127.0.0.1:5081, metrics and health 127.0.0.1:5082); and the PHP example of docs/clients.md with Debian's php-cli and php-curl.
//
// The shell works in a folder laid out like the repository (src/EBakul.Hub/data holds the hub's database and
// dev-credentials.env, node_modules is the repository's own), so the blocks run as written. What differs from a
// newcomer's terminal: `curl` fails on an HTTP error (--fail-with-body), to make a refusal visible; `dotnet run --project
// src/EBakul.Hub -- ARGS` runs the Release build already made (in the project folder, as dotnet run does) instead of
// building it again; and `dotnet run --project clients/…` runs the repository's project. A block preceded by `<!-- not run by tests/docs: REASON -->` is not
// run (it starts a hub of its own, runs the test suite, or needs a machine of the reader's). Each page's output is kept
// in TestResults/docs/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { startHub } from "../../clients/typescript/test/hub-process.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const hubDll = join(root, "src/EBakul.Hub/bin/Release/net10.0/EBakul.Hub.dll");
const artifacts = join(root, "TestResults", "docs");
const Skip = /^<!-- not run by tests\/docs: (.+) -->$/;

/** The fenced blocks of one language in a Markdown file: { code, line, skipped (the reason, or null) }. */
export function fencedBlocks(file, language) {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```" + language) continue;
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === "") previous--;
    const skipped = previous >= 0 ? Skip.exec(lines[previous].trim())?.[1] ?? null : null;
    const start = i + 1;
    while (++i < lines.length && lines[i].trim() !== "```");
    blocks.push({ code: lines.slice(start, i).join("\n"), line: start, skipped });
  }
  return blocks;
}

/** A folder laid out like the repository for the blocks, with a demo hub on the documented addresses. */
async function startDemoHub() {
  const work = mkdtempSync(join(tmpdir(), "ebakul-docs-"));
  const data = join(work, "src/EBakul.Hub/data");
  mkdirSync(data, { recursive: true });
  symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
  try {
    const hub = await startHub({
      folder: data, databaseFile: "ebakul.db", cwd: join(work, "src/EBakul.Hub"), args: ["--DemoData:Enabled=true"],
      address: "http://127.0.0.1:5080", httpAddress: "http://127.0.0.1:5081", managementAddress: "http://127.0.0.1:5082",
      ready: async (_, __, ___, managementAddress) => {
        try { return (await fetch(`${managementAddress}/health/ready`)).ok; } catch { return false; }
      },
    });
    return {
      work,
      stop: async () => {
        await hub.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`the demo hub did not start on 127.0.0.1:5080, :5081 and :5082 (are they free?): ${e.message}`);
  }
}

const preamble = `set -euo pipefail
# A refused call fails the page (the documented commands use curl -s, which would hide it).
curl() { command curl --fail-with-body --show-error "$@"; }
# dotnet run --project src/EBakul.Hub -- ARGS: the Release build, in the project folder, as dotnet run would run it.
dotnet() {
  if [ "\${1:-}" = run ] && [ "\${2:-}" = --project ] && [ "\${3:-}" = src/EBakul.Hub ]; then
    shift 3; if [ "\${1:-}" = -- ]; then shift; fi
    (cd src/EBakul.Hub && command dotnet "${hubDll}" "$@")
  elif [ "\${1:-}" = run ] && [ "\${2:-}" = --project ] && [[ "\${3:-}" == clients/* ]]; then
    local project="${root}/\$3"; shift 3
    command dotnet run --project "\$project" "$@"
  else
    command dotnet "$@"
  fi
}
`;

/** Runs the page's runnable blocks in one bash, in the demo hub's folder; returns { status, output }. */
function runPage(hub, page) {
  const blocks = fencedBlocks(page, "bash");
  const runnable = blocks.filter((b) => !b.skipped);
  assert.ok(runnable.length > 0, `${page} has no block to run`);
  const script = preamble + runnable.map((b) => `echo "::: ${page}, line ${b.line}" >&2\n${b.code}\n`).join("\n");
  const result = spawnSync("bash", ["-c", script], { cwd: hub.work, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout}\n----- stderr\n${result.stderr}`;
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${page.replaceAll("/", "_")}.log`), output);
  return { status: result.status, output, blocks: runnable.length, skipped: blocks.filter((b) => b.skipped) };
}

// One fresh demo hub per page, as a newcomer starts one; the PHP example runs on the hub of docs/clients.md, after it.
let hub;
after(async () => { await hub?.stop(); });

for (const page of ["README.md", "docs/clients.md"]) {
  test(`every bash block of ${page} runs against a fresh demo hub`, async () => {
    await hub?.stop();
    hub = await startDemoHub();
    const { status, output, skipped } = runPage(hub, page);
    assert.equal(status, 0, `${page} failed (TestResults/docs/${page.replaceAll("/", "_")}.log):\n${output.slice(-4000)}`);
    for (const block of skipped) assert.ok(block.skipped.length > 10, `${page} line ${block.line} is skipped without a reason`);
  });
}

test("the PHP example of docs/clients.md runs with php-cli and php-curl", async (t) => {
  hub ??= await startDemoHub();
  const php = spawnSync("php", ["-r", "exit(function_exists('curl_init') ? 0 : 3);"]);
  if (php.error || php.status !== 0) {
    t.skip("Debian's php-cli and php-curl are not installed (scripts/install-tools.sh installs them when run as root)");
    return;
  }
  const [example] = fencedBlocks("docs/clients.md", "php");
  assert.ok(example, "docs/clients.md has no php block");
  const script = join(hub.work, "example.php");
  writeFileSync(script, example.code);
  const result = spawnSync("php", [script, "src/EBakul.Hub/data/dev-credentials.env"], { cwd: hub.work, encoding: "utf8", timeout: 120_000 });
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, "php-example.log"), `${result.stdout}\n----- stderr\n${result.stderr}`);
  assert.equal(result.status, 0, `the PHP example failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /recorded once/);
  assert.match(result.stdout, /refused: HTTP 409 RECEIPT_ALREADY_RECORDED/);
  assert.match(result.stdout, /refused: HTTP 400 REQUEST_INVALID/);
  // The credentials file reads in PHP as in a shell.
  const ini = spawnSync("php", ["-r", "echo strlen(parse_ini_file($argv[1])['EBAKUL_TOKEN'] ?? '');", "src/EBakul.Hub/data/dev-credentials.env"],
    { cwd: hub.work, encoding: "utf8" });
  const shell = spawnSync("bash", ["-c", "set -a; . src/EBakul.Hub/data/dev-credentials.env; set +a; bash -c 'printf %s \"$EBAKUL_TOKEN\"' | wc -c"],
    { cwd: hub.work, encoding: "utf8" });
  assert.ok(Number(ini.stdout) > 20, `parse_ini_file read no token: ${ini.stderr}`);
  assert.equal(Number(shell.stdout.trim()), Number(ini.stdout));
});
