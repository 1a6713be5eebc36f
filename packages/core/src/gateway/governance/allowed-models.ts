import { InvalidRequestError } from "../../errors/errors.js";
import type { KeywayParams } from "../request/keyway-params.js";
import type { CallerLimits } from "./governance.js";

/**
 * Refuses (403 `model_not_allowed`, before anything is sent) a call whose model, or any fallback it could be
 * routed to, is not among the models the caller's key may use.
 */
export function refuseModels(
  request: Record<string, unknown>,
  params: KeywayParams,
  limits: CallerLimits,
): void {
  const allowed = limits.allowedModels ?? [];
  const models = [request.model, ...(params.disable_fallback ? [] : (params.fallback_models ?? []))];
  const refused = models.find((model) => typeof model === "string" && !allowed.includes(model));
  if (refused === undefined) return;
  throw new InvalidRequestError(
    `This API key may not call ${refused as string} (it may call ${allowed.join(", ")}).`,
    { field: "model", code: "model_not_allowed", statusCode: 403 },
  );
}
