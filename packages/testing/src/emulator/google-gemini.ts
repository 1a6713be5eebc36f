import { splitIntoPieces } from "./tokens.js";
import type { ReplyInput, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

/** `…/models/{model}:generateContent` or `:streamGenerateContent`: the model and whether to stream. */
export function geminiRoute(path: string): { model: string; stream: boolean } | undefined {
  const match = /\/models\/(.+):(generateContent|streamGenerateContent)$/.exec(path);
  if (!match) return undefined;
  return { model: decodeURIComponent(match[1] as string), stream: match[2] === "streamGenerateContent" };
}

/** Gemini's clients write OpenAPI types in capitals (`OBJECT`); the schema sampler reads JSON Schema. */
function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes);
  if (typeof schema !== "object" || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema as Json).map(([key, value]) => [
      key,
      key === "type" && typeof value === "string" ? value.toLowerCase() : lowerTypes(value),
    ]),
  );
}

function summarize(parts: Json[]): { text: string; images: number; toolResult: string | undefined } {
  const texts: string[] = [];
  let images = 0;
  let toolResult: string | undefined;
  for (const part of parts) {
    if (typeof part?.text === "string") texts.push(part.text);
    if (part?.inlineData || part?.fileData) images++;
    const response = part?.functionResponse as Json | undefined;
    if (response) {
      const value = response.response as Json | undefined;
      toolResult = typeof value?.result === "string" ? value.result : JSON.stringify(value ?? {});
      texts.push(toolResult);
    }
  }
  return { text: texts.join(" "), images, toolResult };
}

/** Reads a `generateContent` body; answers an error message for a body Gemini would refuse. */
export function parseGemini(body: unknown, model: string): ReplyInput | string {
  if (typeof body !== "object" || body === null) return "Invalid JSON payload received.";
  const b = body as Json;
  for (const unknown of ["model", "messages", "stream"])
    if (b[unknown] !== undefined)
      return `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`;
  if (!Array.isArray(b.contents) || b.contents.length === 0)
    return "* GenerateContentRequest.contents: contents is not specified";
  const contents = b.contents as Json[];
  const summaries = contents.map((turn) =>
    summarize(Array.isArray(turn?.parts) ? (turn.parts as Json[]) : []),
  );
  const system = summarize(((b.systemInstruction as Json | undefined)?.parts as Json[] | undefined) ?? []);
  const last = summaries[summaries.length - 1] as ReturnType<typeof summarize>;
  const declarations = (Array.isArray(b.tools) ? (b.tools as Json[]) : []).flatMap((tool) =>
    Array.isArray(tool?.functionDeclarations) ? (tool.functionDeclarations as Json[]) : [],
  );
  const calling = ((b.toolConfig as Json | undefined)?.functionCallingConfig ?? {}) as Json;
  const allowed = calling.allowedFunctionNames as string[] | undefined;
  let toolChoice: ReplyInput["toolChoice"] = "auto";
  if (calling.mode === "NONE") toolChoice = "none";
  if (calling.mode === "ANY") toolChoice = allowed?.length === 1 ? { name: String(allowed[0]) } : "required";
  const config = (b.generationConfig ?? {}) as Json;
  const schema = config.responseJsonSchema ?? lowerTypes(config.responseSchema);
  return {
    model,
    lastText: last.toolResult ?? last.text,
    afterToolResult: last.toolResult !== undefined,
    promptText: [system.text, ...summaries.map((s) => s.text)].join(" "),
    messageCount: contents.length + (system.text ? 1 : 0),
    imageCount: summaries.reduce((sum, s) => sum + s.images, 0),
    tools: declarations.map((d) => ({
      name: String(d.name),
      parameters: d.parametersJsonSchema ?? lowerTypes(d.parameters),
    })),
    toolChoice,
    ...(typeof config.maxOutputTokens === "number" ? { maxTokens: config.maxOutputTokens } : {}),
    jsonOutput: config.responseMimeType === "application/json" ? (schema ?? "json_object") : undefined,
    cacheHint: typeof b.cachedContent === "string",
  };
}

const finishReasons = { stop: "STOP", tool_calls: "STOP", length: "MAX_TOKENS" } as const;

function usageMetadata(plan: ReplyPlan) {
  return {
    promptTokenCount: plan.promptTokens,
    candidatesTokenCount: plan.completionTokens,
    totalTokenCount: plan.promptTokens + plan.completionTokens,
    ...(plan.cachedTokens > 0 ? { cachedContentTokenCount: plan.cachedTokens } : {}),
  };
}

const callParts = (plan: ReplyPlan) =>
  plan.toolCalls.map((call) => ({ functionCall: { name: call.name, args: JSON.parse(call.arguments) } }));

/** A `generateContent` answer (Gemini's API gives function calls no id). */
export function geminiResponse(plan: ReplyPlan, model: string, id: string) {
  const parts = [...(plan.text ? [{ text: plan.text }] : []), ...callParts(plan)];
  return {
    candidates: [{ content: { parts, role: "model" }, finishReason: finishReasons[plan.finish], index: 0 }],
    usageMetadata: usageMetadata(plan),
    modelVersion: model,
    responseId: id,
  };
}

/** The `streamGenerateContent?alt=sse` events: text a word at a time; calls, finish reason and usage last. */
export function geminiStreamEvents(plan: ReplyPlan, model: string, id: string): string[] {
  const event = (parts: Json[], last: boolean) =>
    `data: ${JSON.stringify({
      candidates: [
        {
          content: { parts, role: "model" },
          ...(last ? { finishReason: finishReasons[plan.finish] } : {}),
          index: 0,
        },
      ],
      usageMetadata: last
        ? usageMetadata(plan)
        : { promptTokenCount: plan.promptTokens, totalTokenCount: plan.promptTokens },
      modelVersion: model,
      responseId: id,
    })}\r\n\r\n`;
  const pieces = splitIntoPieces(plan.text);
  const events = pieces.slice(0, -1).map((piece) => event([{ text: piece }], false));
  const lastText = pieces.length > 0 ? [{ text: pieces[pieces.length - 1] as string }] : [];
  events.push(event([...lastText, ...callParts(plan)], true));
  return events;
}

const statuses: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** Google's error body shape. */
export function googleError(status: number, message: string) {
  return { error: { code: status, message, status: statuses[status] ?? "UNKNOWN" } };
}
