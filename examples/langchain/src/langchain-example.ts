import type { ExampleEnv } from "@keyway/example-shared";
import { KeywayCallbackHandler } from "@keyway/langchain";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";

const lookupOrder = tool(async ({ order }: { order: string }) => `order ${order} ships tomorrow`, {
  name: "lookup_order",
  description: "Look up an order's shipping status",
  schema: z.object({ order: z.string() }),
});

/**
 * A LangChain chain with a tool: the model (ChatOpenAI, against the emulator as if it were OpenAI) decides to
 * call `lookup_order`, the tool runs, the model answers; then an LCEL summary chain streams. Every run is
 * logged by `KeywayCallbackHandler` as one trace per customer.
 */
export async function runLangChainExample(env: ExampleEnv): Promise<void> {
  const handler = new KeywayCallbackHandler({ sink: env.sink });
  const model = new ChatOpenAI({
    model: "gpt-4o-mini",
    apiKey: "sk-demo-openai",
    configuration: { baseURL: `${env.providerURL}/v1` },
  });
  const withTools = model.bindTools([lookupOrder]);
  const support = RunnableLambda.from(async (question: string, config) => {
    const messages: unknown[] = [
      ["system", "You are a support agent."],
      ["human", question],
    ];
    const first = await withTools.invoke(messages as never, config);
    messages.push(first);
    for (const call of first.tool_calls ?? []) messages.push(await lookupOrder.invoke(call, config));
    const answer = await withTools.invoke(messages as never, config);
    return String(answer.content);
  }).withConfig({ runName: "support-agent" });
  const summary = ChatPromptTemplate.fromMessages([["human", "Summarise for {customer}: {text}"]])
    .pipe(model)
    .pipe(new StringOutputParser());

  for (const customer of env.customers) {
    const answer = await support.invoke(`use lookup_order for order 42 of ${customer}`, {
      callbacks: [handler],
      metadata: { customer_identifier: customer },
    });
    env.progress(`support-agent for ${customer}: ${answer}`);
    let streamed = "";
    for await (const piece of await summary.stream(
      { customer, text: answer },
      { callbacks: [handler], metadata: { customer_identifier: customer } },
    ))
      streamed += piece;
    env.progress(`streamed summary for ${customer}: ${streamed}`);
  }
  await handler.flush();
}
