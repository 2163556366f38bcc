// The transport for Node: gRPC over HTTP/2 to the hub's gRPC endpoint (default http://127.0.0.1:5080).
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { hubInterceptors, type HubTransportOptions } from "./index.js";

/** A gRPC transport to the hub with the bearer token, retries and request ids of {@link hubInterceptors}. */
export function createNodeTransport(options: HubTransportOptions): Transport {
  return createGrpcTransport({
    baseUrl: options.address,
    interceptors: hubInterceptors(options),
    defaultTimeoutMs: options.defaultTimeoutMs,
  });
}
