import { InvalidRequestError } from "../../errors/errors.js";
import type { OpenAIChatChunk, OpenAIChatRequest } from "../../wire/openai-types.js";
import { toReplicatePrediction } from "../../wire/replicate/chat-to-replicate.js";
import {
  fromPrediction,
  predictionFailure,
  predictionUsage,
  terminalStatuses,
} from "../../wire/replicate/prediction.js";
import { abortableSleep } from "../abortable-sleep.js";
import { keywayParamSet } from "../request/keyway-params.js";
import { encodePathSegments } from "../request/model-id.js";
import { guardedBody, readGuardedJson } from "./guarded-body.js";
import {
  badResponse,
  callUpstreamURL,
  postUpstream,
  type UpstreamDeps,
  type UpstreamResult,
  type UpstreamTarget,
} from "./upstream-request.js";
import { upstreamChunks } from "./upstream-stream.js";

type Json = Record<string, unknown>;

/** How long a prediction still running after `Prefer: wait` is polled before the call gives up. */
const POLL_LIMIT_MS = 10 * 60_000;

/**
 * A link the prediction answered with (`urls.get`, `urls.stream`), followed with the caller's key only when it
 * stays with the provider: the base URL's origin or a replicate.com host over https.
 */
function linkOf(prediction: Json, name: string, target: UpstreamTarget): string {
  const link = (prediction.urls as Json | undefined)?.[name];
  if (typeof link !== "string") throw badResponse(target.provider.id, `a prediction without urls.${name}`);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw badResponse(target.provider.id, `a prediction whose urls.${name} is not a URL`);
  }
  const own = url.origin === new URL(target.baseURL).origin;
  const replicate = url.protocol === "https:" && /(?:^|\.)replicate\.(?:com|delivery)$/.test(url.hostname);
  if (!own && !replicate)
    throw badResponse(target.provider.id, `a prediction link outside Replicate (${url.host})`);
  return url.href;
}

/** The prediction once it has finished: polled at `urls.get`, a little less often each time, within the limit. */
async function finished(
  target: UpstreamTarget,
  prediction: Json,
  signal: AbortSignal | undefined,
  deps: UpstreamDeps,
  firstWait = 100,
): Promise<Json> {
  const until = Date.now() + POLL_LIMIT_MS;
  let current = prediction;
  for (
    let wait = firstWait;
    !terminalStatuses.has(String(current.status));
    wait = Math.min(Math.max(wait * 2, 100), 2_000)
  ) {
    if (Date.now() > until)
      throw badResponse(target.provider.id, "a prediction that did not finish in 10 minutes");
    await abortableSleep(wait, signal);
    const url = linkOf(current, "get", target);
    const response = await callUpstreamURL(target, url, "", { stream: false, method: "GET", signal, deps });
    current = await readGuardedJson(response, target.provider.id, deps.bodyLimits, signal);
  }
  return current;
}

/** The stream's chunks, then the usage the finished prediction reports (a stream carries none). */
async function* withUsage(
  chunks: AsyncGenerator<OpenAIChatChunk>,
  usageOf: () => Promise<OpenAIChatChunk | undefined>,
): AsyncGenerator<OpenAIChatChunk> {
  yield* chunks;
  const usage = await usageOf();
  if (usage) yield usage;
}

/**
 * One chat call to a Replicate language model (`replicate/{owner}/{name}`) through its predictions API: created
 * with `Prefer: wait` for a synchronous answer (polled if still running when the wait ends); a stream reads the
 * prediction's `urls.stream` events, then the finished prediction for its token counts.
 */
export async function callReplicate(
  target: UpstreamTarget,
  request: OpenAIChatRequest,
  signal: AbortSignal | undefined,
  deps: UpstreamDeps,
): Promise<UpstreamResult> {
  const { provider, upstreamModel: model } = target;
  if (!/^[\w.-]+\/[\w.-]+$/.test(model))
    throw new InvalidRequestError(
      `Replicate models are named replicate/{owner}/{name} (a model's latest version), not "${model}"`,
      { field: "model" },
    );
  const body = JSON.stringify(toReplicatePrediction(request, keywayParamSet));
  const path = `/models/${encodePathSegments(model)}/predictions`;
  const created = Math.floor(Date.now() / 1000);
  const stream = request.stream === true;
  const response = await postUpstream(target, path, body, {
    stream: false,
    signal,
    deps,
    ...(stream ? {} : { headers: { prefer: "wait" } }),
  });
  const prediction = await readGuardedJson(response, provider.id, deps.bodyLimits, signal);
  if (!stream) {
    const done = await finished(target, prediction, signal, deps);
    const failure = predictionFailure(done, provider.id);
    if (failure) throw failure;
    return { kind: "json", completion: fromPrediction(done, target.requestedModel, created) };
  }
  const failure =
    terminalStatuses.has(String(prediction.status)) && predictionFailure(prediction, provider.id);
  if (failure) throw failure;
  const events = await callUpstreamURL(target, linkOf(prediction, "stream", target), "", {
    stream: true,
    method: "GET",
    signal,
    deps,
    headers: { "cache-control": "no-store" },
  });
  const reader = guardedBody(events, provider.id, deps.bodyLimits, signal);
  const chunks = upstreamChunks(reader, "replicate-predictions", target, false, created);
  const usageChunk = async (): Promise<OpenAIChatChunk | undefined> => {
    const usage = predictionUsage(await finished(target, prediction, signal, deps, 0));
    if (!usage) return undefined;
    const id = String(prediction.id ?? "");
    return { id, object: "chat.completion.chunk", created, model: target.requestedModel, choices: [], usage };
  };
  return { kind: "stream", chunks: withUsage(chunks, usageChunk), cancel: () => events.cancel() };
}
