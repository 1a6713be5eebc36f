import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExampleEnv } from "@keyway/example-shared";
import { keyway, keywayGateway } from "@keyway/koa";
import { bodyParser } from "@koa/bodyparser";
import Koa from "koa";
import OpenAI from "openai";

/** A Koa app: `POST /chat` through `ctx.state.keyway`, and the gateway under `/llm`. */
export function createKoaApp(env: Pick<ExampleEnv, "gateway">): Koa {
  const app = new Koa();
  app.use(bodyParser());
  app.use(keyway({ gateway: env.gateway, customer: (ctx) => ctx.get("x-user-id") || undefined }));
  app.use(keywayGateway({ gateway: env.gateway, prefix: "/llm" }));
  app.use(async (ctx) => {
    if (ctx.method !== "POST" || ctx.path !== "/chat") return;
    const body = ctx.request.body as { message?: string; model?: string };
    if (!ctx.state.keyway) throw new Error("the keyway() middleware must run before this one");
    const completion = await ctx.state.keyway.chat({
      model: body.model ?? "echo-1",
      messages: [{ role: "user", content: String(body.message) }],
    });
    ctx.body = { reply: completion.choices[0]?.message.content };
  });
  return app;
}

/** Starts the app, has each customer chat once (non-stream) and once streamed through `/llm`, and stops. */
export async function runKoaExample(env: ExampleEnv): Promise<void> {
  const server: Server = createKoaApp(env).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const customer of env.customers) {
      const response = await fetch(`${url}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-user-id": customer },
        body: JSON.stringify({ message: `Koa says hello to ${customer}` }),
      });
      env.progress(`POST /chat as ${customer}: ${((await response.json()) as { reply: string }).reply}`);
      const client = new OpenAI({
        apiKey: "app-session",
        baseURL: `${url}/llm`,
        defaultHeaders: { "x-user-id": customer },
      });
      const stream = await client.chat.completions.create({
        model: "groq/llama-3.1-8b-instant",
        stream: true,
        messages: [{ role: "user", content: `Koa stream for ${customer}` }],
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      env.progress(`streamed via /llm as ${customer}: ${text}`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
