import type { IncomingMessage, ServerResponse } from "node:http";
import { listen } from "../http/listen.js";
import { parseJson, readBody } from "../http/read-body.js";
import {
  anthropicError,
  anthropicMessage,
  anthropicStreamEvents,
  parseAnthropicMessages,
} from "./anthropic-messages.js";
import { azureGate, EntraTokens } from "./azure.js";
import { BedrockAuth } from "./bedrock-auth.js";
import {
  bedrockRoute,
  converseResponse,
  converseStreamEvents,
  invokeEmbedding,
  parseConverse,
} from "./bedrock-converse.js";
import {
  cohereChatResponse,
  cohereChatStreamEvents,
  cohereEmbed,
  cohereError,
  parseCohereChat,
} from "./cohere.js";
import { describeFault, FaultBook } from "./faults.js";
import {
  geminiResponse,
  geminiRoute,
  geminiStreamEvents,
  googleError,
  parseGemini,
} from "./google-gemini.js";
import { openAICompletion, openAIError, openAIStreamEvents, parseOpenAIChat } from "./openai-chat.js";
import { openAIEmbeddings } from "./openai-embeddings.js";
import { openAIResponse, openAIResponsesStreamEvents, parseOpenAIResponses } from "./openai-responses.js";
import { ReplicatePredictions, replicateError, replicateRoute } from "./replicate.js";
import { planReply } from "./reply.js";
import { ReplyWriter, sleep, writeEventStream } from "./reply-writer.js";
import type { EmulatedRequest, FaultSpec, ReplyInput, WireFormat } from "./types.js";
import { VertexAuth, vertexRoute } from "./vertex.js";

export interface ProviderEmulatorOptions {
  port?: number;
  /** Fixed delay before every reply's headers, to stand in for upstream latency. */
  latencyMs?: number;
  /** Delay between stream chunks. */
  chunkDelayMs?: number;
  /** When set, only these API keys are accepted; others get 401. Default: any non-empty key. */
  validKeys?: string[];
  /** Accept requests without any API key, like a self-hosted vLLM with auth off. */
  allowMissingKey?: boolean;
  /** Model ids listed by `GET /v1/models`. */
  models?: string[];
  /** Keep only the last N request records (default 10,000), so long benchmarks stay flat in memory. */
  maxRecords?: number;
}

export interface ProviderEmulator {
  url: string;
  port: number;
  /** OpenAI-style base URL (`{url}/v1`), also the Anthropic SDK's base when it appends `/v1/messages` itself. */
  baseURL: string;
  /** Every request seen, oldest first. */
  readonly requests: readonly EmulatedRequest[];
  /** Requests made with one API key. */
  requestsWithKey(apiKey: string): EmulatedRequest[];
  /** Scripts a fault; faults apply in the order added. */
  fault(spec: FaultSpec): void;
  clearFaults(): void;
  /** Google's OAuth token endpoint (`/oauth2/token`) and the service accounts it knows, for Vertex AI. */
  readonly vertex: VertexAuth;
  /** Entra ID tokens the emulated Azure resources accept in place of an api-key. */
  readonly entra: EntraTokens;
  /** AWS credentials and Bedrock API keys the emulated Bedrock runtime accepts (SigV4 verified). */
  readonly bedrock: BedrockAuth;
  /** Replicate's predictions: how long they run (`runMs`) and the longest `Prefer: wait` (`waitMs`). */
  readonly replicate: ReplicatePredictions;
  /** Forgets requests and faults. */
  reset(): void;
  /** Client connections open right now (keep-alive ones included). */
  openConnections(): number;
  close(): Promise<void>;
}

function apiKeyOf(req: IncomingMessage, format: WireFormat | "models"): string | undefined {
  if (format === "google-gemini") {
    const google = req.headers["x-goog-api-key"];
    if (typeof google === "string") return google;
    return new URL(req.url ?? "/", "http://emulator.local").searchParams.get("key") ?? undefined;
  }
  const header = req.headers["x-api-key"];
  if (format === "anthropic-messages" && typeof header === "string") return header;
  const auth = req.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice(7);
  return typeof header === "string" ? header : undefined;
}

function formatOf(method: string | undefined, path: string): WireFormat | "models" | undefined {
  if (method === "POST" && geminiRoute(path)) return "google-gemini";
  if (method === "POST" && path.endsWith("/v2/chat")) return "cohere-chat";
  if (method === "POST" && path.endsWith("/v2/embed")) return "cohere-embed";
  if (method === "POST" && path.endsWith("/chat/completions")) return "openai-chat";
  if (method === "POST" && path.endsWith("/messages")) return "anthropic-messages";
  if (method === "POST" && path.endsWith("/embeddings")) return "openai-embeddings";
  if (method === "POST" && path.endsWith("/responses")) return "openai-responses";
  if (method === "GET" && path.endsWith("/models")) return "models";
  return undefined;
}

/**
 * Starts a provider emulator on loopback: OpenAI chat completions at any `…/chat/completions` path
 * (`/v1`, `/openai/v1` for Groq, `/inference/v1` for Fireworks), OpenAI embeddings at `…/embeddings` (deterministic
 * unit vectors), Anthropic Messages at `…/messages`, Gemini at `…/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`, models at `…/models`. Replies are derived from the request (see `planReply`), every request is recorded with the key
 * it used, and faults can be scripted per key or model.
 */
export async function startProviderEmulator(
  options: ProviderEmulatorOptions = {},
): Promise<ProviderEmulator> {
  const { latencyMs = 0, chunkDelayMs = 0, maxRecords = 10_000 } = options;
  const validKeys = options.validKeys ? new Set(options.validKeys) : undefined;
  const models = options.models ?? ["gpt-4o-mini", "claude-sonnet-4-5", "llama-3.1-8b-instant"];
  const faults = new FaultBook();
  let requests: EmulatedRequest[] = [];
  let seq = 0;
  let ownURL = "";
  const vertexAuth = new VertexAuth(() => ownURL);
  const bedrockAuth = new BedrockAuth();
  const entraTokens = new EntraTokens();
  const replicate = new ReplicatePredictions(() => ownURL);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const azure = azureGate(req, path, entraTokens);
    if (azure && "refuse" in azure) {
      res
        .writeHead(azure.refuse.status, { "content-type": "application/json" })
        .end(JSON.stringify(azure.refuse.body));
      return;
    }
    if (req.method === "POST" && path === "/oauth2/token") {
      const answer = vertexAuth.token(new URLSearchParams((await readBody(req)).toString("utf8")));
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      return;
    }
    const replicateCall = replicateRoute(req.method, path);
    if (replicateCall) return handleReplicate(req, res, path, replicateCall);
    const bedrock = req.method === "POST" ? bedrockRoute(path) : undefined;
    if (bedrock) return handleBedrock(req, res, path, bedrock);
    const vertex = req.method === "POST" ? vertexRoute(path) : undefined;
    let vertexToken: string | undefined;
    if (vertex) {
      const checked = vertexAuth.check(req);
      const methods =
        vertex.publisher === "google"
          ? ["generateContent", "streamGenerateContent"]
          : ["rawPredict", "streamRawPredict"];
      const refusal =
        "refuse" in checked
          ? checked.refuse
          : methods.includes(vertex.method)
            ? undefined
            : { status: 404, body: googleError(404, `Method ${vertex.method} not found.`) };
      if (refusal) {
        res
          .writeHead(refusal.status, { "content-type": "application/json" })
          .end(JSON.stringify(refusal.body));
        return;
      }
      vertexToken = "token" in checked ? checked.token : undefined;
    }
    const format = vertex?.publisher === "anthropic" ? "anthropic-messages" : formatOf(req.method, path);
    if (format === undefined) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify(openAIError(404, `no route ${req.method} ${path}`)));
      return;
    }
    const raw = format === "models" ? Buffer.alloc(0) : await readBody(req);
    const body = format === "models" ? undefined : parseJson(raw);
    // Claude on Vertex: the model and streaming are in the path, the API version in the body, no `model` field.
    if (vertex?.publisher === "anthropic" && body && typeof body === "object") {
      const claude = body as Record<string, unknown>;
      const problem =
        claude.anthropic_version !== "vertex-2023-10-16"
          ? "anthropic_version: must be vertex-2023-10-16"
          : claude.model !== undefined
            ? "model: Extra inputs are not permitted"
            : undefined;
      if (problem) {
        res
          .writeHead(400, { "content-type": "application/json" })
          .end(JSON.stringify(anthropicError(400, problem)));
        return;
      }
      claude.model = vertex.model;
      claude.stream = vertex.method === "streamRawPredict";
    }
    const gemini = format === "google-gemini" ? geminiRoute(path) : undefined;
    const model =
      gemini?.model ??
      (typeof (body as { model?: unknown })?.model === "string"
        ? (body as { model: string }).model
        : undefined);
    const record: EmulatedRequest = {
      seq: ++seq,
      at: Date.now(),
      path,
      format,
      apiKey: vertexToken ?? azure?.apiKey ?? apiKeyOf(req, format),
      model,
      stream: gemini?.stream ?? (body as { stream?: unknown })?.stream === true,
      headers: { ...req.headers },
      body,
      clientClosed: false,
      completed: false,
    };
    requests.push(record);
    if (requests.length > maxRecords) requests = requests.slice(-maxRecords);

    if (format === "models") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "emulator" })),
        }),
      );
      record.status = 200;
      record.completed = true;
      return;
    }

    const fault = faults.take({ apiKey: record.apiKey, model, format });
    if (fault) record.fault = describeFault(fault);
    const writer = new ReplyWriter(res, record, fault, chunkDelayMs);
    const plannedReply = (input: ReplyInput, idPrefix: string) => {
      const plan = planReply(input, idPrefix);
      const tokens = fault?.reportedTokens;
      return tokens === undefined ? plan : { ...plan, promptTokens: tokens, completionTokens: tokens };
    };
    const errorBody =
      format === "anthropic-messages"
        ? anthropicError
        : format === "google-gemini"
          ? googleError
          : format === "cohere-chat" || format === "cohere-embed"
            ? cohereError
            : openAIError;
    const wait = (fault?.headerDelayMs ?? 0) + latencyMs;
    if (wait > 0) await sleep(wait);
    if (writer.gone) return;

    const keyMissing = !record.apiKey && !options.allowMissingKey;
    if (keyMissing || (record.apiKey && validKeys && !validKeys.has(record.apiKey))) {
      await writer.json(
        401,
        errorBody(401, record.apiKey ? "Incorrect API key provided." : "Missing API key."),
      );
      return;
    }
    if (fault?.status !== undefined && fault.status >= 400) {
      const headers: Record<string, string> =
        fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      await writer.json(
        fault.status,
        errorBody(fault.status, fault.errorMessage ?? `emulated ${fault.status}`),
        headers,
      );
      return;
    }
    if (body === undefined) {
      await writer.json(400, errorBody(400, "We could not parse the JSON body of your request."));
      return;
    }
    if (format === "openai-embeddings") {
      const answer = openAIEmbeddings(body);
      return typeof answer === "string" ? writer.json(400, errorBody(400, answer)) : writer.json(200, answer);
    }
    if (format === "cohere-embed") {
      const answer = cohereEmbed(body);
      return typeof answer === "string" ? writer.json(400, errorBody(400, answer)) : writer.json(200, answer);
    }
    if (format === "cohere-chat") {
      const input = parseCohereChat(body);
      if (typeof input === "string") return writer.json(400, errorBody(400, input));
      const plan = plannedReply(input, "call_");
      const id = `cohere_emu_${record.seq}`;
      if (!record.stream) return writer.json(200, cohereChatResponse(plan, id));
      return writer.stream(cohereChatStreamEvents(plan, id));
    }
    if (gemini) {
      const input = parseGemini(body, gemini.model);
      if (typeof input === "string") return writer.json(400, errorBody(400, input));
      const alt = new URL(req.url ?? "/", "http://emulator.local").searchParams.get("alt");
      if (gemini.stream && alt !== "sse")
        return writer.json(400, errorBody(400, "the emulator streams only with alt=sse"));
      const id = `gemini_emu_${record.seq}`;
      const plan = plannedReply(input, "call_");
      if (!gemini.stream) return writer.json(200, geminiResponse(plan, gemini.model, id));
      return writer.stream(geminiStreamEvents(plan, gemini.model, id));
    }
    if (format === "openai-responses") {
      const input = parseOpenAIResponses(body);
      if (typeof input === "string") return writer.json(400, errorBody(400, input));
      const id = `resp_emu_${record.seq}`;
      const plan = plannedReply(input, "call_");
      const created = Math.floor(Date.now() / 1000);
      if (!record.stream) return writer.json(200, openAIResponse(plan, input.model, id, created));
      return writer.stream(openAIResponsesStreamEvents(plan, input.model, id, created));
    }
    const input = format === "openai-chat" ? parseOpenAIChat(body) : parseAnthropicMessages(body);
    if (typeof input === "string") {
      await writer.json(400, errorBody(400, input));
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    if (format === "openai-chat") {
      const id = `chatcmpl-emu-${record.seq}`;
      const plan = plannedReply(input, "call_");
      if (!record.stream) return writer.json(200, openAICompletion(plan, input.model, id, created));
      const includeUsage =
        (body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true;
      return writer.stream(openAIStreamEvents(plan, input.model, id, created, includeUsage));
    }
    const id = `msg_emu_${record.seq}`;
    const plan = plannedReply(input, "toolu_");
    if (!record.stream) return writer.json(200, anthropicMessage(plan, input.model, id));
    return writer.stream(anthropicStreamEvents(plan, input.model, id));
  }

  /** Replicate: a prediction created (waiting with `Prefer: wait`), read back, or its stream. */
  async function handleReplicate(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: NonNullable<ReturnType<typeof replicateRoute>>,
  ): Promise<void> {
    const raw = route.op === "create" ? await readBody(req) : Buffer.alloc(0);
    const body = route.op === "create" ? parseJson(raw) : undefined;
    const apiKey = apiKeyOf(req, "replicate-predictions");
    const known = route.op === "create" ? undefined : replicate.find(route.id);
    const record: EmulatedRequest = {
      seq: ++seq,
      at: Date.now(),
      path,
      format: "replicate-predictions",
      apiKey,
      model: route.op === "create" ? route.model : known?.model,
      stream: route.op === "stream",
      headers: { ...req.headers },
      body,
      clientClosed: false,
      completed: false,
    };
    requests.push(record);
    // A fault is taken when the prediction is created; its stream faults apply to the prediction's stream.
    const fault =
      route.op === "create"
        ? faults.take({ apiKey, model: record.model, format: "replicate-predictions" })
        : route.op === "stream"
          ? known?.fault
          : undefined;
    if (fault) record.fault = describeFault(fault);
    const writer = new ReplyWriter(res, record, fault, chunkDelayMs);
    // The stream URL is a capability of its own (Replicate serves it without the token); the API needs the token.
    if (route.op !== "stream" && (!apiKey || (validKeys && !validKeys.has(apiKey))))
      return writer.json(401, replicateError(401, "You did not pass a valid authentication token"));
    if (route.op === "create" && fault?.status !== undefined && fault.status >= 400)
      return writer.json(
        fault.status,
        replicateError(fault.status, fault.errorMessage ?? `emulated ${fault.status}`),
      );
    if (route.op !== "create") {
      if (!known) return writer.json(404, replicateError(404, "The requested resource could not be found."));
      if (route.op === "get") return writer.json(200, replicate.view(known));
      await writer.stream(replicate.streamEvents(known));
      if (record.completed) replicate.finishStream(known);
      return;
    }
    const prediction = replicate.create(route.model, route.prefix, body);
    if (typeof prediction === "string") return writer.json(422, replicateError(422, prediction));
    if (fault) prediction.fault = fault;
    const wait = replicate.waitFor(req, prediction);
    if (wait > 0) await sleep(wait);
    return writer.json(201, replicate.view(prediction));
  }

  /** Bedrock's runtime: SigV4 (or a Bedrock API key) checked first, then Converse, ConverseStream or InvokeModel. */
  async function handleBedrock(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: NonNullable<ReturnType<typeof bedrockRoute>>,
  ): Promise<void> {
    const raw = await readBody(req);
    const refuse = (status: number, type: string, message: string) => {
      res
        .writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type })
        .end(JSON.stringify({ message }));
    };
    const auth = bedrockAuth.check(req, path, raw);
    if ("refuse" in auth) return refuse(auth.refuse.status, auth.refuse.type, auth.refuse.message);
    const body = parseJson(raw);
    const format = route.op === "invoke" ? "bedrock-invoke" : "bedrock-converse";
    const record: EmulatedRequest = {
      seq: ++seq,
      at: Date.now(),
      path,
      format,
      apiKey: auth.identity,
      model: route.modelId,
      stream: route.op === "converse-stream",
      headers: { ...req.headers },
      body,
      clientClosed: false,
      completed: false,
    };
    requests.push(record);
    const fault = faults.take({ apiKey: record.apiKey, model: record.model, format });
    if (fault) record.fault = describeFault(fault);
    const wait = (fault?.headerDelayMs ?? 0) + latencyMs;
    if (wait > 0) await sleep(wait);
    if (fault?.status !== undefined && fault.status >= 400) {
      record.status = fault.status;
      const type =
        fault.status === 429
          ? "ThrottlingException"
          : fault.status >= 500
            ? "InternalServerException"
            : "ValidationException";
      return refuse(fault.status, type, fault.errorMessage ?? `emulated ${fault.status}`);
    }
    if (body === undefined) return refuse(400, "SerializationException", "Unable to parse the request body.");
    if (route.op === "invoke") {
      const answer = invokeEmbedding(route.modelId, body);
      if (typeof answer === "string") return refuse(400, "ValidationException", answer);
      record.status = 200;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      record.completed = true;
      return;
    }
    const input = parseConverse(body, route.modelId);
    if (typeof input === "string") return refuse(400, "ValidationException", input);
    const plan = planReply(input, "tooluse_");
    record.status = 200;
    if (route.op === "converse") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(converseResponse(plan)));
    } else {
      const writer = new ReplyWriter(res, record, fault, chunkDelayMs);
      await writeEventStream(writer, res, converseStreamEvents(plan), fault?.chunkDelayMs ?? chunkDelayMs);
    }
    record.completed = true;
  }

  const server = await listen((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify(openAIError(500, `emulator failure: ${String(error)}`)));
    });
  }, options.port);
  ownURL = server.url;

  return {
    url: server.url,
    port: server.port,
    baseURL: `${server.url}/v1`,
    get requests() {
      return requests;
    },
    requestsWithKey: (apiKey) => requests.filter((request) => request.apiKey === apiKey),
    fault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    vertex: vertexAuth,
    bedrock: bedrockAuth,
    entra: entraTokens,
    replicate,
    reset() {
      requests = [];
      faults.clear();
    },
    openConnections: () => server.openConnections(),
    close: () => server.close(),
  };
}
