// Starts the test issuer (issuer.mjs) as its own Node process and answers { address, token(client, options), stop() },
// for the node tests. The issuer is killed when node exits.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "issuer.mjs");

/** The issuer with these settings (audience, accessTokenTtl, clients: see issuer.mjs). */
export async function startIssuer(settings) {
  const child = spawn(process.execPath, [script, JSON.stringify(settings)], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (d) => { output += d; });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const address = await new Promise((resolve, reject) => {
    let line = "";
    child.stdout.on("data", (d) => {
      line += d;
      const match = /^issuer (\S+)\n/m.exec(line);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the test issuer exited (${code}): ${output}`)));
  });
  return {
    address,
    tokenEndpoint: `${address}/token`,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
