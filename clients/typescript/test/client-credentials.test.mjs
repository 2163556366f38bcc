// @ebakul/client with clientCredentials(): tokens from a real OAuth 2.0 issuer (the test issuer, oidc-provider), sent to
// a real hub process configured to accept that issuer (docs/access.md, "OAuth 2.0 access tokens").
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { clientCredentials, createHubClients } from "../dist/index.js";
import { createNodeTransport } from "../dist/node.js";
import { startIssuer } from "../../../tests/oidc-issuer/start-issuer.mjs";
import { startHub } from "./hub-process.mjs";

const audience = "https://hub.ebakul.test";
const client = { client_id: "regions-reader", client_secret: "reader-secret", scope: "regions.read", ebakul_kind: "app", ebakul_regencies: "35.22" };

describe("@ebakul/client with an issuer's access tokens", () => {
  let issuer;
  let hub;

  before(async () => {
    issuer = await startIssuer({ audience, clients: [client] });
    hub = await startHub({
      ready: async (address, token) => {
        try {
          await createHubClients(createNodeTransport({ address, token, maxAttempts: 1 })).regions.listRegencies({});
          return true;
        } catch {
          return false;
        }
      },
      args: [`--Access:Issuers:0:Authority=${issuer.address}`, `--Access:Issuers:0:Audience=${audience}`, "--Access:Issuers:0:Name=test-issuer"],
    });
  });

  after(async () => {
    await hub?.stop();
    await issuer?.stop();
  });

  test("the client gets a token from the issuer, keeps it and calls the hub with it", async () => {
    const tokens = clientCredentials({ tokenEndpoint: issuer.tokenEndpoint, clientId: client.client_id, clientSecret: client.client_secret, scope: "regions.read" });
    const hubClients = createHubClients(createNodeTransport({ address: hub.address, tokenProvider: tokens }));
    const first = await hubClients.regions.listRegencies({});
    const second = await hubClients.regions.listRegencies({});
    assert.ok(first.regencies.some((r) => r.code === "35.22"));
    assert.equal(second.regencies.length, first.regencies.length);
    assert.equal(tokens.requests, 1);
  });

  test("a token is renewed shortly before it expires, and a refused client's error names no secret", async () => {
    let clock = Date.now();
    const tokens = clientCredentials({
      tokenEndpoint: issuer.tokenEndpoint, clientId: client.client_id, clientSecret: client.client_secret, now: () => clock,
    });
    const first = await tokens();
    clock += (600 - 61) * 1000;
    assert.equal(await tokens(), first);
    clock += 2000; // within 60 s of its expiry
    assert.notEqual(await tokens(), first);
    assert.equal(tokens.requests, 2);

    const refused = clientCredentials({ tokenEndpoint: issuer.tokenEndpoint, clientId: client.client_id, clientSecret: "not-the-secret" });
    await assert.rejects(refused(), (e) => /invalid_client/.test(e.message) && !e.message.includes("not-the-secret"));
  });
});
