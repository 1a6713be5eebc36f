import type { RequestLog } from "../log/request-log.js";
import type { CallOutcomeBase } from "./base-log.js";
import type { ChatOptions } from "./gateway-types.js";
import type { RateSubject } from "./rate-limits.js";
import type { RouteDeps } from "./route-call.js";
import type { UpstreamDeps } from "./upstream-request.js";

/** What an endpoint (chat, embeddings) uses of its gateway: the steps every endpoint shares. */
export interface EndpointParts {
  begin<T>(
    raw: unknown,
    options: ChatOptions,
    validate: (value: unknown) => void,
  ): Promise<{
    call: Omit<CallOutcomeBase, "startedAt" | "startedAtMs" | "endedAt" | "route" | "error">;
    request: T;
    subject: RateSubject;
  }>;
  start(): () => void;
  deps: RouteDeps;
  upstreamDeps: UpstreamDeps;
  emit(log: RequestLog, secrets: readonly string[], subject: RateSubject): RequestLog;
  now(): number;
}
