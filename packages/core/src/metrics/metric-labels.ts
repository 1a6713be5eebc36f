import type { RequestLog } from "../log/request-log.js";

/**
 * Label values of a log, bounded: Prometheus keeps one series per distinct set, so values a caller controls (the
 * model id, a customer) must not grow without end. Models past `maxModels` distinct ones count as `other`; a call
 * never routed (unknown model) as `unrouted`.
 */
export class MetricLabels {
  readonly #models = new Set<string>();
  readonly #extra: readonly { name: string; read: (log: RequestLog) => unknown }[];
  readonly #maxModels: number;

  /**
   * `extra`: opt-in labels by name, `customer` (its identifier) or `metadata.<key>`; each becomes a label
   * (`customer`, `metadata_<key>`) on the request, token and cost counters.
   */
  constructor(extra: readonly string[] = [], maxModels = 500) {
    this.#maxModels = maxModels;
    this.#extra = extra.map((name) => {
      if (name === "customer")
        return { name, read: (log: RequestLog) => log.customer_params?.customer_identifier };
      const key = /^metadata\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name)?.[1];
      if (!key)
        throw new TypeError(
          `metrics label "${name}": use "customer" or "metadata.<key>" (letters, digits, underscores).`,
        );
      return { name: `metadata_${key}`, read: (log: RequestLog) => log.metadata?.[key] };
    });
  }

  /** The names of the opt-in labels, as Prometheus sees them. */
  get extraNames(): string[] {
    return this.#extra.map((label) => label.name);
  }

  provider(log: RequestLog): string {
    return typeof log.provider_id === "string" && log.provider_id ? log.provider_id : "unrouted";
  }

  model(log: RequestLog): string {
    const model = typeof log.model === "string" ? log.model : "";
    if (!log.provider_id || !model) return "unrouted";
    if (this.#models.has(model)) return model;
    if (this.#models.size >= this.#maxModels) return "other";
    this.#models.add(model);
    return model;
  }

  extra(log: RequestLog): Record<string, string> {
    const values: Record<string, string> = {};
    for (const label of this.#extra) {
      const value = label.read(log);
      values[label.name] = typeof value === "string" || typeof value === "number" ? String(value) : "";
    }
    return values;
  }
}

/** `2xx`, `4xx`, `5xx`: the class of a log's status (an error without a status is a `5xx`). */
export function statusClass(log: RequestLog): string {
  const status = typeof log.status_code === "number" ? log.status_code : log.status === "error" ? 500 : 200;
  return `${Math.floor(status / 100)}xx`;
}
