import { MemoryLogSink, type RequestLog, runWithContext } from "@keyway/core";
import { type ProviderEmulator, startProviderEmulator } from "@keyway/testing";
import { ChatAnthropic } from "@langchain/anthropic";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { KeywayCallbackHandler } from "../src/index.js";

let emulator: ProviderEmulator;
let sink: MemoryLogSink;
let handler: KeywayCallbackHandler;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  sink = new MemoryLogSink();
  handler = new KeywayCallbackHandler({ sink });
});

const openai = () =>
  new ChatOpenAI({
    model: "gpt-4o-mini",
    apiKey: "sk-langchain",
    configuration: { baseURL: emulator.baseURL },
    maxRetries: 0,
  });
const anthropic = () =>
  new ChatAnthropic({
    model: "claude-sonnet-4-5",
    apiKey: "sk-ant-langchain",
    anthropicApiUrl: emulator.url,
    maxRetries: 0,
  });
const models = (logs: RequestLog[]) => logs.filter((log) => log.log_type === "chat");

const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
  name: "get_weather",
  description: "Weather for a city",
  schema: z.object({ city: z.string() }),
});

describe("KeywayCallbackHandler with real LangChain models against the emulator", () => {
  it("logs a ChatOpenAI invoke with content, tokens, cost, model and provider", async () => {
    const reply = await openai().invoke(
      [
        ["system", "be brief"],
        ["human", "hello langchain"],
      ],
      { callbacks: [handler] },
    );
    expect(reply.content).toBe("Echo: hello langchain");
    await handler.flush();
    expect(sink.logs).toHaveLength(1);
    const log = sink.logs[0] as RequestLog;
    expect(log).toMatchObject({
      log_source: "langchain",
      log_type: "chat",
      model: "gpt-4o-mini",
      provider_id: "openai",
      prompt_messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello langchain" },
      ],
      completion_message: { role: "assistant", content: "Echo: hello langchain" },
      prompt_tokens: 6,
      completion_tokens: 3,
      status: "success",
      stream: false,
    });
    expect(log.cost).toBeCloseTo((6 * 0.15 + 3 * 0.6) / 1_000_000, 12);
    expect(log.trace_unique_id).toBe(log.unique_id);
  });

  it("logs streams with TTFT and usage, for ChatOpenAI and ChatAnthropic", async () => {
    for (const model of [openai(), anthropic()]) {
      let text = "";
      for await (const chunk of await model.stream("stream me please", { callbacks: [handler] }))
        text += chunk.content as string;
      expect(text).toBe("Echo: stream me please");
    }
    const [fromOpenAI, fromAnthropic] = sink.logs;
    // ChatAnthropic adds message_start's output_tokens (1) to message_delta's running total (4): the log
    // carries what LangChain reports.
    expect(fromOpenAI).toMatchObject({ prompt_tokens: 4, completion_tokens: 4 });
    expect(fromAnthropic).toMatchObject({ prompt_tokens: 4, completion_tokens: 5 });
    for (const log of [fromOpenAI, fromAnthropic]) {
      expect(log).toMatchObject({ stream: true, completion_message: { content: "Echo: stream me please" } });
      expect(log?.time_to_first_token).toBeGreaterThanOrEqual(0);
      expect(log?.time_to_first_token).toBeLessThanOrEqual(log?.latency ?? 0);
    }
    expect(fromAnthropic).toMatchObject({ model: "claude-sonnet-4-5", provider_id: "anthropic" });
    expect(fromAnthropic?.cost).toBeGreaterThan(0);
  });

  it("logs tool calls and the tools offered", async () => {
    for (const model of [openai(), anthropic()]) {
      const reply = await model
        .bindTools([weather])
        .invoke("use get_weather for Lima", { callbacks: [handler] });
      expect(reply.tool_calls?.[0]).toMatchObject({
        name: "get_weather",
        args: { city: "use get_weather for Lima" },
      });
    }
    for (const log of sink.logs) {
      expect(log.completion_message?.tool_calls).toEqual([
        {
          id: expect.any(String),
          type: "function",
          function: { name: "get_weather", arguments: JSON.stringify({ city: "use get_weather for Lima" }) },
        },
      ]);
    }
    expect(sink.logs[0]?.tools).toEqual([
      expect.objectContaining({
        type: "function",
        function: expect.objectContaining({ name: "get_weather" }),
      }),
    ]);
  });

  it("turns an LCEL chain (prompt | model | parser) into one trace tree", async () => {
    const chain = ChatPromptTemplate.fromMessages([
      ["system", "You answer in one line."],
      ["human", "Tell me about {topic}"],
    ])
      .pipe(openai())
      .pipe(new StringOutputParser());
    const answer = await chain.invoke({ topic: "otters" }, { callbacks: [handler], runName: "otter-chain" });
    expect(answer).toBe("Echo: Tell me about otters");
    const root = sink.logs.find((log) => log.span_name === "otter-chain");
    expect(root).toMatchObject({
      log_type: "workflow",
      input: { topic: "otters" },
      output: { output: "Echo: Tell me about otters" },
    });
    expect(root?.span_parent_id).toBeUndefined();
    for (const log of sink.logs) expect(log.trace_unique_id).toBe(root?.unique_id);
    const model = models(sink.logs)[0];
    expect(model?.span_parent_id).toBe(root?.unique_id);
    expect(model?.prompt_messages).toEqual([
      { role: "system", content: "You answer in one line." },
      { role: "user", content: "Tell me about otters" },
    ]);
    expect(sink.logs.map((log) => log.log_type).sort()).toEqual(["chat", "workflow", "workflow", "workflow"]);
  });

  it("traces an agent-style loop: model → tool → model, under one root", async () => {
    const model = openai().bindTools([weather]);
    const agent = RunnableLambda.from(async (question: string, config) => {
      const messages: unknown[] = [["human", question]];
      const first = await model.invoke(messages as never, config);
      messages.push(first);
      for (const call of first.tool_calls ?? []) messages.push(await weather.invoke(call, config));
      const second = await model.invoke(messages as never, config);
      return second.content;
    }).withConfig({ runName: "agent" });
    const answer = await agent.invoke("use get_weather for Quito", { callbacks: [handler] });
    expect(answer).toBe("Tool result: sunny in use get_weather for Quito");
    const root = sink.logs.find((log) => log.span_name === "agent");
    const toolSpan = sink.logs.find((log) => log.log_type === "tool");
    const chats = models(sink.logs);
    expect(chats).toHaveLength(2);
    expect(toolSpan).toMatchObject({
      span_name: "get_weather",
      span_parent_id: root?.unique_id,
      output: expect.objectContaining({ role: "tool", content: "sunny in use get_weather for Quito" }),
    });
    for (const log of [...chats, toolSpan]) expect(log?.trace_unique_id).toBe(root?.unique_id);
    expect(chats[1]?.prompt_messages?.map((message) => message.role)).toEqual(["user", "assistant", "tool"]);
  });

  it("logs parallel batch calls, one log each", async () => {
    const replies = await openai().batch(["one", "two", "three"], { callbacks: [handler] });
    expect(replies.map((reply) => reply.content)).toEqual(["Echo: one", "Echo: two", "Echo: three"]);
    expect(
      models(sink.logs)
        .map((log) => log.completion_message?.content)
        .sort(),
    ).toEqual(["Echo: one", "Echo: three", "Echo: two"]);
    expect(new Set(sink.logs.map((log) => log.trace_unique_id)).size).toBe(3);
  });

  it("takes customer from run metadata, then handler options, then the Keyway context", async () => {
    const withOptions = new KeywayCallbackHandler({
      sink,
      customer: "from-options",
      metadata: { team: "a" },
    });
    await runWithContext(
      {
        customer_params: { customer_identifier: "from-context" },
        thread_identifier: "ctx-thread",
        metadata: { plan: "pro" },
      },
      async () => {
        await openai().invoke("ctx", { callbacks: [handler] });
        await openai().invoke("opts", { callbacks: [withOptions] });
        await openai().invoke("meta", {
          callbacks: [withOptions],
          metadata: { customer_identifier: "from-metadata", thread_identifier: "meta-thread", feature: "x" },
        });
      },
    );
    expect(sink.logs.map((log) => [log.customer_params?.customer_identifier, log.thread_identifier])).toEqual(
      [
        ["from-context", "ctx-thread"],
        ["from-options", "ctx-thread"],
        ["from-metadata", "meta-thread"],
      ],
    );
    expect(sink.logs[2]?.metadata).toEqual({ plan: "pro", team: "a", feature: "x" });
  });

  it("logs a failed run with its status, and never breaks the chain when the sink fails", async () => {
    emulator.fault({ status: 500, errorMessage: "upstream exploded", times: 1 });
    await expect(openai().invoke("fail", { callbacks: [handler] })).rejects.toThrow();
    expect(sink.logs[0]).toMatchObject({ status: "error", status_code: 500 });
    expect(sink.logs[0]?.error_message).toContain("upstream exploded");

    const errors: unknown[] = [];
    const broken = new KeywayCallbackHandler({
      sink: {
        log: () => {
          throw new Error("sink down");
        },
        flush: async () => {},
        shutdown: async () => {},
      },
      onError: (error) => errors.push(error),
    });
    const reply = await openai().invoke("still works", { callbacks: [broken] });
    expect(reply.content).toBe("Echo: still works");
    expect(errors).toHaveLength(1);
  });
});
