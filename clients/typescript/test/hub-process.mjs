// Starts the built hub (src/EBakul.Hub/bin/Release/net10.0/EBakul.Hub.dll) as its own process on free loopback
// ports with a fresh SQLite file and the development credentials, and stops it (killed) when asked or when node exits.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const hubDll = process.env.EBAKUL_HUB_DLL ?? join(repositoryRoot, "src/EBakul.Hub/bin/Release/net10.0/EBakul.Hub.dll");

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * A running hub: { address (gRPC), httpAddress (HTTP/1.1: gRPC-Web, JSON, dashboard), managementAddress (metrics,
 * health), token, folder, stop() }. `args` adds settings (e.g. demo data); `ready(address, token, httpAddress,
 * managementAddress)` says when it serves. By default it runs on free ports in a temporary folder that stop() removes;
 * `folder` (kept), `databaseFile`, `address`, `httpAddress`, `managementAddress` and `cwd` put it where a caller needs it
 * (the docs test runs it on the documented addresses).
 */
export async function startHub({ ready, args = [], folder: givenFolder, databaseFile = "hub.db", address: givenAddress,
  httpAddress: givenHttpAddress, managementAddress: givenManagementAddress, cwd = dirname(hubDll) }) {
  if (!existsSync(hubDll)) throw new Error(`${hubDll} is not built: dotnet build EBakul.sln -c Release`);
  const folder = givenFolder ?? mkdtempSync(join(tmpdir(), "ebakul-ts-client-"));
  const address = givenAddress ?? `http://127.0.0.1:${await freePort()}`;
  const httpAddress = givenHttpAddress ?? `http://127.0.0.1:${await freePort()}`;
  const managementAddress = givenManagementAddress ?? `http://127.0.0.1:${await freePort()}`;
  let output = "";
  const child = spawn("dotnet", [hubDll,
    `--Kestrel:Endpoints:Grpc:Url=${address}`,
    `--Kestrel:Endpoints:Http:Url=${httpAddress}`,
    `--Kestrel:Endpoints:Management:Url=${managementAddress}`,
    `--Database:Path=${join(folder, databaseFile)}`,
    "--Access:CreateDevelopmentCredential=true", ...args], {
    cwd,
    env: { ...process.env, DOTNET_ENVIRONMENT: "Production", ASPNETCORE_ENVIRONMENT: "Production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    if (!givenFolder) rmSync(folder, { recursive: true, force: true });
  };

  try {
    const credentials = join(folder, "dev-credentials.env");
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the hub exited (${child.exitCode}):\n${output}`);
      if (Date.now() - started > 180_000) throw new Error(`the hub did not start within 3 minutes:\n${output}`);
      if (existsSync(credentials)) {
        const token = /^EBAKUL_TOKEN=(.+)$/m.exec(readFileSync(credentials, "utf8"))?.[1];
        if (token && (await ready(address, token, httpAddress, managementAddress))) {
          return { address, httpAddress, managementAddress, token, folder, hubDll, stop, output: () => output };
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }
}
