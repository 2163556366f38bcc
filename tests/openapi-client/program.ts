// A program written against types that openapi-typescript generates from the hub's committed OpenAPI document
// (clients/openapi/ebakul-hub.v1.json), calling the hub's JSON routes with openapi-fetch. It compiles only if the
// document tells the truth about the wire: a rupiah amount is a JSON string (int64), never a number, so adding two
// amounts goes through BigInt and gives the sum, not "4200001000".
import createClient from "openapi-fetch";
import type { components, paths } from "./ebakul-hub.js";

type Schemas = components["schemas"];
type Purchase = Schemas["ebakul.ledger.v1.Purchase"];
type ErrorInfo = Schemas["google.rpc.ErrorInfo"];
type BadRequest = Schemas["google.rpc.BadRequest"];

// @ts-expect-error an int64 field is typed as a string: a number does not fit
export const numberIsNotAnAmount: Purchase["amountRupiah"] = 420000;

/** What the program saw, for the test to judge. */
export interface Outcome {
  amounts: string[];
  total: bigint;
  totalOfList: bigint;
  occurTime: string;
  unknownQueryStatus: number;
  unknownQueryReason: string;
  unknownQueryField: string;
}

function errorInfo(status: Schemas["google.rpc.Status"] | undefined): ErrorInfo | undefined {
  return status?.details.find((d): d is ErrorInfo => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo");
}

function badRequest(status: Schemas["google.rpc.Status"] | undefined): BadRequest | undefined {
  return status?.details.find((d): d is BadRequest => d["@type"] === "type.googleapis.com/google.rpc.BadRequest");
}

function check<T>(result: { data?: T; error?: Schemas["google.rpc.Status"]; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new Error(`${what}: HTTP ${result.response.status} ${errorInfo(result.error)?.reason ?? ""} ${result.error?.message ?? ""}`);
  }
  return result.data;
}

/** Puts an employee and a merchant in place, records two purchases and adds their amounts. */
export async function run(baseUrl: string, token: string): Promise<Outcome> {
  const hub = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
  const regencyCode = "35.22";
  const nip = "199001012015011777";

  const synced = check(await hub.POST("/v1/regencies/{regencyCode}/employees:sync", {
    params: { path: { regencyCode } },
    body: {
      requestId: "openapi-client-sync",
      employees: [{
        nip, name: "Siti Aminah", officeCode: "1.02.01", officeName: "Dinas Kesehatan", kelasJabatan: 7,
        employmentType: "EMPLOYMENT_TYPE_PNS", echelon: "ECHELON_NON_STRUCTURAL", tppCeilingRupiah: "3000000",
        status: "EMPLOYEE_STATUS_ACTIVE", statusEffectiveDate: { year: 2020, month: 1, day: 2 },
      }],
    },
  }), "sync an employee");
  if (synced.results[0]?.outcome === "SYNC_OUTCOME_REJECTED") throw new Error(`sync rejected: ${synced.results[0].description}`);

  const registered = check(await hub.POST("/v1/regencies/{regencyCode}/merchants", {
    params: { path: { regencyCode } },
    body: {
      requestId: "openapi-client-merchant",
      merchant: {
        name: "Warung Bu Sri", ownerName: "Sri Wahyuni", ownerNik: "3522015708850001",
        category: "MERCHANT_CATEGORY_FOOD_AND_DRINK", scale: "MERCHANT_SCALE_MICRO",
        kecamatanCode: "35.22.15", address: "Jl. Veteran 12, Bojonegoro", location: { latitude: -7.1502, longitude: 111.8817 },
      },
    },
  }), "register a merchant");
  const merchantId = registered.merchant!.merchantId;
  check(await hub.POST("/v1/regencies/{regencyCode}/merchants/{merchantId}:verify", {
    params: { path: { regencyCode, merchantId } },
    body: { requestId: "openapi-client-verify", reason: "field visit, NIB checked" },
  }), "verify the merchant");

  const purchases: Purchase[] = [];
  for (const [receipt, amountRupiah] of [["NT-OA-1", "420000"], ["NT-OA-2", "1000"]] as const) {
    const recorded = check(await hub.POST("/v1/regencies/{regencyCode}/purchases", {
      params: { path: { regencyCode } },
      body: {
        requestId: `openapi-client-${receipt}`,
        purchase: {
          employeeNip: nip, merchantId, amountRupiah, occurTime: new Date().toISOString(),
          receiptKind: "RECEIPT_KIND_NOTA", receiptReference: receipt,
        },
      },
    }), `record ${receipt}`);
    purchases.push(recorded.purchase!);
  }
  const [first, second] = purchases as [Purchase, Purchase];
  const total = BigInt(first.amountRupiah) + BigInt(second.amountRupiah);

  const listed = check(await hub.GET("/v1/regencies/{regencyCode}/purchases", {
    params: { path: { regencyCode }, query: { employeeNip: nip, pageSize: 10 } },
  }), "list the employee's purchases");
  const totalOfList = listed.purchases.reduce((sum, p) => sum + BigInt(p.amountRupiah), 0n);

  // A query parameter the call does not have is refused, and the error is typed: google.rpc.Status with ErrorInfo.
  const refused = await hub.GET("/v1/regencies/{regencyCode}/adjustments:stream", {
    // @ts-expect-error period is not a query parameter of StreamAdjustments
    params: { path: { regencyCode }, query: { period: "2026-11" } },
  });
  const parsed: Schemas["google.rpc.Status"] | undefined = refused.error;

  return {
    amounts: purchases.map((p) => p.amountRupiah),
    total,
    totalOfList,
    occurTime: first.occurTime ?? "",
    unknownQueryStatus: refused.response.status,
    unknownQueryReason: errorInfo(parsed)?.reason ?? "",
    unknownQueryField: badRequest(parsed)?.fieldViolations[0]?.field ?? "",
  };
}
