import type { BudgetUsage, KeyHealth } from "@keyway/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { MetricsRow } from "../store/log-store.js";
import { filterParams, logFilterShape } from "./log-tools.js";
import type { QuerySource } from "./query-source.js";
import { answer, guarded, readApi } from "./tool-result.js";

const read = { readOnlyHint: true, openWorldHint: false };

export function registerUsageTools(server: McpServer, source: QuerySource): void {
  server.registerTool(
    "get_metrics",
    {
      title: "Metrics of the logs",
      description:
        "Counts, errors, error rate, tokens, cost (USD), latency and time-to-first-token percentiles (seconds), " +
        "for the whole selection and per group (model, provider, customer, log_source, time bucket).",
      inputSchema: {
        ...logFilterShape,
        group_by: z.enum(["model", "provider", "customer", "log_source", "time", "none"]).default("model"),
        bucket: z
          .enum(["minute", "hour", "day"])
          .default("hour")
          .describe("bucket size when group_by is time"),
      },
      annotations: read,
    },
    (args) =>
      guarded(async () => {
        const query = filterParams(args);
        query.set("group_by", args.group_by);
        query.set("bucket", args.bucket);
        return answer(await readApi(source, "/api/metrics/", query));
      }),
  );

  server.registerTool(
    "customer_spend",
    {
      title: "A customer's spend against budget",
      description:
        "What one customer spent (USD, from the stored logs, in the time window if given) with calls, errors " +
        "and tokens, and the gateway's budget for the customer with what is left of it (null when none is set).",
      inputSchema: {
        customer: z.string().min(1).describe("customer_identifier, exactly"),
        start_time: logFilterShape.start_time,
        end_time: logFilterShape.end_time,
      },
      annotations: read,
    },
    (args) =>
      guarded(async () => {
        const query = filterParams(args);
        query.set("group_by", "none");
        const [metrics, usage] = await Promise.all([
          readApi(source, "/api/metrics/", query) as Promise<{ summary: MetricsRow }>,
          readApi(source, "/api/gateway/usage/") as Promise<{ budgets: BudgetUsage[] }>,
        ]);
        const s = metrics.summary;
        const budget = usage.budgets.find((entry) => entry.customer === args.customer);
        const limits = budget?.budget;
        return answer({
          customer: args.customer,
          logged: {
            cost: s.cost,
            count: s.count,
            errors: s.errors,
            prompt_tokens: s.prompt_tokens,
            completion_tokens: s.completion_tokens,
          },
          budget: budget
            ? {
                ...limits,
                spent_total: budget.spent_total,
                spent_period: budget.spent_period ?? null,
                remaining_total:
                  limits?.total_budget !== undefined ? limits.total_budget - budget.spent_total : null,
                remaining_period:
                  limits?.period_budget !== undefined
                    ? limits.period_budget - (budget.spent_period ?? 0)
                    : null,
              }
            : null,
        });
      }),
  );

  server.registerTool(
    "key_health",
    {
      title: "Provider key pool health",
      description:
        "Every provider key the gateway holds, by fingerprint (never the key): healthy or cooling down (until " +
        "when), last upstream status, consecutive failures, requests and failures.",
      inputSchema: { provider: z.string().optional().describe("only this provider's keys") },
      annotations: read,
    },
    (args) =>
      guarded(async () => {
        const { keys } = (await readApi(source, "/api/gateway/keys/")) as { keys: KeyHealth[] };
        return answer({
          keys: keys
            .filter((key) => !args.provider || key.provider === args.provider)
            .map((key) => ({
              ...key,
              cooldown_until: key.cooldownUntil ? new Date(key.cooldownUntil).toISOString() : null,
            })),
        });
      }),
  );
}
