import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExampleEnv } from "@keyway/example-shared";
import { keyway, keywayErrorHandler, keywayGateway } from "@keyway/express";
import express from "express";
import OpenAI from "openai";

/**
 * An Express app with a chat endpoint that uses `req.keyway.chat`, and the OpenAI-compatible gateway mounted at
 * `/llm` — the customer comes from the `x-user-id` header (a stand-in for your auth).
 */
export function createExpressApp(env: Pick<ExampleEnv, "gateway">): express.Express {
  const app = express();
  app.use(express.json());
  app.use(
    keyway({
      gateway: env.gateway,
      customer: (req) => req.header("x-user-id"),
      metadata: (req) => ({ route: req.path }),
    }),
  );
  app.post("/chat", async (req, res, next) => {
    try {
      if (!req.keyway) throw new Error("the keyway() middleware must run before this route");
      const completion = await req.keyway.chat({
        model: req.body.model ?? "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: String(req.body.message) }],
      });
      res.json({ reply: completion.choices[0]?.message.content });
    } catch (error) {
      next(error);
    }
  });
  app.use("/llm", keywayGateway({ gateway: env.gateway }));
  app.use(keywayErrorHandler());
  return app;
}

/** Starts the app, has each customer chat once and stream once through the mounted gateway, and stops. */
export async function runExpressExample(env: ExampleEnv): Promise<void> {
  const server: Server = createExpressApp(env).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const customer of env.customers) {
      const response = await fetch(`${url}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-user-id": customer },
        body: JSON.stringify({ message: `Hi, I am ${customer}` }),
      });
      env.progress(`POST /chat as ${customer}: ${((await response.json()) as { reply: string }).reply}`);
      const client = new OpenAI({
        apiKey: "app-session",
        baseURL: `${url}/llm`,
        defaultHeaders: { "x-user-id": customer },
      });
      const stream = await client.chat.completions.create({
        model: "claude-sonnet-4-5",
        stream: true,
        messages: [{ role: "user", content: `Stream a greeting for ${customer}` }],
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
