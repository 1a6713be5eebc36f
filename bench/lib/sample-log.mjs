// A realistic request log (~1 KB): two messages, a completion, usage, identity, timing.
let counter = 0;
export function sampleLog(i = counter++, prefix = "bench") {
  return {
    unique_id: `${prefix}-${process.pid}-${i}`,
    model: i % 3 === 0 ? "claude-sonnet-4-5" : "gpt-4o-mini",
    provider_id: i % 3 === 0 ? "anthropic" : "openai",
    log_source: "bench",
    prompt_messages: [
      {
        role: "system",
        content: "You are a helpful assistant for an online shop. Answer briefly and politely.",
      },
      {
        role: "user",
        content: `Where is my order number ${i}? It was supposed to arrive yesterday and I have not heard anything.`,
      },
    ],
    completion_message: {
      role: "assistant",
      content: `Order ${i} left the warehouse this morning and should arrive within two days.`,
    },
    prompt_tokens: 40 + (i % 50),
    completion_tokens: 20 + (i % 30),
    latency: 0.2 + (i % 100) / 100,
    time_to_first_token: 0.05 + (i % 20) / 100,
    customer_params: { customer_identifier: `customer-${i % 500}` },
    metadata: { plan: i % 2 ? "pro" : "free" },
    timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
  };
}
