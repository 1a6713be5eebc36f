import type { RequestLog } from "../log/request-log.js";
import type { CallOutcomeBase } from "./base-log.js";
import type { ChatOptions } from "./gateway-types.js";
import type { GovernedCall } from "./governance/governance.js";
import type { RouteDeps } from "./route/route-call.js";
import type { UpstreamDeps } from "./upstream/upstream-request.js";

/** What an endpoint (chat, embeddings) uses of its gateway: the steps every endpoint shares. */
export interface EndpointParts {
  begin<T>(
    raw: unknown,
    options: ChatOptions,
    validate: (value: unknown) => void,
  ): Promise<{
    call: Omit<CallOutcomeBase, "startedAt" | "startedAtMs" | "endedAt" | "route" | "error">;
    request: T;
    subject: GovernedCall;
  }>;
  start(): () => void;
  deps: RouteDeps;
  upstreamDeps: UpstreamDeps;
  /** The log step: the log sent, counted and settled against governance; `outcome` gives its secrets and error. */
  emit(
    log: RequestLog,
    outcome: Pick<CallOutcomeBase, "route" | "face" | "error">,
    subject: GovernedCall,
  ): RequestLog;
  /** Gives back what a call admitted reserved, when it is refused before it runs (and so never logged). */
  release(subject: GovernedCall): void;
  now(): number;
}
