// @ebakul/client against the real hub process: gRPC (Node transport) and gRPC-Web (the hub's HTTP endpoint).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Code, ConnectError, create, createHubClients, fieldViolations, errorInfo, ledger, merchants, roster, timestampFromDate } from "../dist/index.js";
import { createNodeTransport } from "../dist/node.js";
import { createWebTransport } from "../dist/web.js";
import { startHub } from "./hub-process.mjs";

const regencyCode = "35.22";
let hub;
let hubClients;
let merchantId;
let nipSequence = 100;

async function ready(address, token) {
  try {
    await createHubClients(createNodeTransport({ address, token, maxAttempts: 1 })).regions.listRegencies({});
    return true;
  } catch {
    return false;
  }
}

/** A new active employee on the roster (each test its own, so their purchases do not mix). */
async function newEmployee() {
  const nip = `199001012015011${nipSequence++}`;
  async function* chunks() {
    yield create(roster.SyncEmployeesRequestSchema, {
      requestId: crypto.randomUUID().replaceAll("-", ""),
      regencyCode,
      employees: [{
        nip, name: "Siti Aminah", officeCode: "1.02.01", officeName: "Dinas Kesehatan", kelasJabatan: 7,
        employmentType: roster.EmploymentType.PNS, echelon: roster.Echelon.NON_STRUCTURAL, tppCeilingRupiah: 3_000_000n,
        status: roster.EmployeeStatus.ACTIVE, statusEffectiveDate: { year: 2020, month: 1, day: 2 },
      }],
    });
  }
  for await (const answer of hubClients.roster.syncEmployees(chunks())) {
    for (const result of answer.results) assert.notEqual(result.outcome, roster.SyncOutcome.REJECTED, result.description);
  }
  return nip;
}

function purchaseRequest(nip, amountRupiah, receiptReference) {
  return create(ledger.RecordPurchaseRequestSchema, {
    regencyCode,
    purchase: {
      employeeNip: nip, merchantId, amountRupiah, occurTime: timestampFromDate(new Date()),
      receiptKind: ledger.ReceiptKind.NOTA, receiptReference,
    },
  });
}

describe("@ebakul/client against the hub", () => {
  before(async () => {
    hub = await startHub({ ready });
    hubClients = createHubClients(createNodeTransport({ address: hub.address, token: hub.token }));
    const registered = await hubClients.merchants.registerMerchant({
      regencyCode,
      merchant: {
        name: "Warung Bu Sri", ownerName: "Sri Wahyuni", ownerNik: "3522015708850001",
        category: merchants.MerchantCategory.FOOD_AND_DRINK, scale: merchants.MerchantScale.MICRO,
        kecamatanCode: "35.22.15", address: "Jl. Veteran 12, Bojonegoro", location: { latitude: -7.1502, longitude: 111.8817 },
      },
    });
    merchantId = registered.merchant.merchantId;
    await hubClients.merchants.verifyMerchant({ regencyCode, merchantId, reason: "field visit, NIB checked" });
  });

  after(async () => {
    await hub?.stop();
  });

  test("records a purchase (filling its request_id) and reads it back", async () => {
    const nip = await newEmployee();
    const request = purchaseRequest(nip, 75_000n, "NT-0001");
    const { purchase } = await hubClients.ledger.recordPurchase(request);
    assert.match(request.requestId, /^[0-9a-f]{32}$/);
    assert.equal(purchase.amountRupiah, 75_000n);
    assert.equal(purchase.employeeNip, nip);

    const read = await hubClients.ledger.getPurchase({ regencyCode, purchaseId: purchase.purchaseId });
    assert.equal(read.purchase.purchaseId, purchase.purchaseId);
    assert.equal(read.purchase.receiptReference, "NT-0001");

    // The same request again (same request_id) answers the same entry: recorded once.
    const again = await hubClients.ledger.recordPurchase(request);
    assert.equal(again.purchase.purchaseId, purchase.purchaseId);
  });

  test("lists purchases page by page", async () => {
    const nip = await newEmployee();
    const recorded = [];
    for (const receipt of ["NT-P1", "NT-P2", "NT-P3"]) {
      recorded.push((await hubClients.ledger.recordPurchase(purchaseRequest(nip, 10_000n, receipt))).purchase.purchaseId);
    }
    const first = await hubClients.ledger.listPurchases({ regencyCode, employeeNip: nip, pageSize: 2 });
    assert.equal(first.purchases.length, 2);
    assert.notEqual(first.nextPageToken, "");
    const second = await hubClients.ledger.listPurchases({ regencyCode, employeeNip: nip, pageSize: 2, pageToken: first.nextPageToken });
    assert.equal(second.purchases.length, 1);
    assert.equal(second.nextPageToken, "");
    assert.deepEqual([...first.purchases, ...second.purchases].map((p) => p.purchaseId), recorded);
  });

  test("reads an employee's progress for the month", async () => {
    const nip = await newEmployee();
    const { purchase } = await hubClients.ledger.recordPurchase(purchaseRequest(nip, 120_000n, "NT-Q1"));
    const { evaluation } = await hubClients.quota.evaluateEmployee({ regencyCode, nip, period: purchase.period });
    assert.equal(evaluation.nip, nip);
    assert.equal(evaluation.period, purchase.period);
    assert.equal(evaluation.countedRupiah, 120_000n);
    assert.equal(evaluation.remainingRupiah, evaluation.requiredRupiah > 120_000n ? evaluation.requiredRupiah - 120_000n : 0n);
  });

  test("a validation error surfaces with its field violations", async () => {
    const nip = await newEmployee();
    const error = await hubClients.ledger.recordPurchase(purchaseRequest(nip, 0n, "NT-ZERO")).then(
      () => assert.fail("an amount of 0 was accepted"), (e) => e);
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, Code.InvalidArgument);
    const violations = fieldViolations(error);
    assert.deepEqual(violations.map((v) => v.field), ["purchase.amount_rupiah"]);
    assert.notEqual(violations[0].description, "");
    assert.notEqual(errorInfo(error)?.reason ?? "", "");
  });

  test("a call without a token is refused as UNAUTHENTICATED", async () => {
    const anonymous = createHubClients(createNodeTransport({ address: hub.address }));
    await assert.rejects(anonymous.merchants.listMerchants({ regencyCode }), (e) => e.code === Code.Unauthenticated);
  });

  test("over gRPC-Web on the hub's HTTP endpoint: records, reads and gets field violations", async () => {
    const nip = await newEmployee();
    const web = createHubClients(createWebTransport({ address: hub.httpAddress, token: hub.token }));
    const { purchase } = await web.ledger.recordPurchase(purchaseRequest(nip, 30_000n, "NT-WEB"));
    const read = await web.ledger.getPurchase({ regencyCode, purchaseId: purchase.purchaseId });
    assert.equal(read.purchase.amountRupiah, 30_000n);
    const error = await web.ledger.recordPurchase(purchaseRequest(nip, -5n, "NT-WEB-2")).then(() => assert.fail("accepted"), (e) => e);
    assert.equal(error.code, Code.InvalidArgument);
    assert.deepEqual(fieldViolations(error).map((v) => v.field), ["purchase.amount_rupiah"]);
  });
});
