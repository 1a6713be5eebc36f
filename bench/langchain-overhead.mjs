// KeywayCallbackHandler overhead per model call: the same chain (prompt | FakeListChatModel | parser) invoked with
// and without the handler, alternating in rounds; the model is LangChain's in-memory fake, so the difference is
// the handler's own work (the sink is a MemoryLogSink).
import { MemoryLogSink } from "@keyway/core";
import { KeywayCallbackHandler } from "@keyway/langchain";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { median, round } from "./lib/stats.mjs";

export async function langchainOverhead({ rounds = 9, perRound = 300 } = {}) {
  const chain = ChatPromptTemplate.fromMessages([["human", "Tell me about {topic}"]])
    .pipe(new FakeListChatModel({ responses: ["a fine answer about the topic"] }))
    .pipe(new StringOutputParser());
  const sink = new MemoryLogSink();
  const handler = new KeywayCallbackHandler({ sink });
  // What LangChain itself costs once any handler is attached: the callback manager and run bookkeeping.
  class NoopHandler extends BaseCallbackHandler {
    name = "noop";
    awaitHandlers = true;
  }
  const noop = new NoopHandler();
  const time = async (callbacks) => {
    const started = process.hrtime.bigint();
    await chain.invoke({ topic: "otters" }, { callbacks });
    return Number(process.hrtime.bigint() - started) / 1e3;
  };
  for (let i = 0; i < 300; i++) {
    await time([]);
    await time([noop]);
    await time([handler]);
  }
  const without = [];
  const withNoop = [];
  const withHandler = [];
  for (let r = 0; r < rounds; r++) {
    const a = [];
    const b = [];
    const c = [];
    for (let i = 0; i < perRound; i++) {
      a.push(await time([]));
      b.push(await time([noop]));
      c.push(await time([handler]));
    }
    without.push(median(a));
    withNoop.push(median(b));
    withHandler.push(median(c));
    sink.clear();
  }
  return {
    p50WithoutMicros: round(median(without), 1),
    p50WithNoopHandlerMicros: round(median(withNoop), 1),
    p50WithMicros: round(median(withHandler), 1),
    addedMicros: round(median(withHandler.map((value, i) => value - without[i])), 1),
    addedOverNoopMicros: round(median(withHandler.map((value, i) => value - withNoop[i])), 1),
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await langchainOverhead(), null, 2));
