import { createKeyway } from "@keyway/ai-sdk";
import type { ExampleEnv } from "@keyway/example-shared";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { z } from "zod";

const weather = tool({
  description: "Current weather for a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `18°C and clear in ${city}`,
});

/** `streamText` with a tool through the Keyway provider (direct mode: the in-process gateway), per customer. */
export async function runAISDKExample(env: ExampleEnv): Promise<void> {
  const keyway = createKeyway({ gateway: env.gateway });
  for (const customer of env.customers) {
    const result = streamText({
      model: keyway("groq/llama-3.1-8b-instant"),
      tools: { weather },
      stopWhen: stepCountIs(3),
      prompt: `use weather for ${customer}'s city`,
      providerOptions: { keyway: { customer_identifier: customer, metadata: { feature: "weather" } } },
    });
    env.progress(`streamText with a tool for ${customer}: ${await result.text}`);
    const { text } = await generateText({
      model: keyway("claude-sonnet-4-5"),
      prompt: `One line for ${customer}`,
      providerOptions: { keyway: { customer_identifier: customer } },
    });
    env.progress(`generateText (Anthropic through translation) for ${customer}: ${text}`);
  }
}
