// The overview (`#/`): headline numbers, charts bucketed by the window, gateway keys and budgets, and the logs
// table (model calls by default) with its filters kept in the URL.
import { api } from "./api.js";
import { $, cell, el, money, percent, prependNew, secs, textOf } from "./dom.js";

const charts = {};
let nextCursor = null;
let listed = "";

function chart(id, type, labels, datasets) {
  const data = { labels, datasets };
  if (charts[id]) {
    charts[id].data = data;
    charts[id].update("none");
    return;
  }
  charts[id] = new window.Chart($(`#${id}`), {
    type,
    data,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: datasets.length > 1 } },
    },
  });
}

/** The window's start as a query parameter (`window` in the URL; default the last 24 hours). */
export function windowStart(params) {
  const span = params.get("window") ?? "86400000";
  return span ? `&start_time=${Date.now() - Number(span)}` : "";
}

const bucketMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Every bucket of the window, the empty ones included: a short run shows as a line along the window with its
 * calls where they happened, not as one lonely point. "All time" starts at the first bucket with calls.
 */
function filledBuckets(groups, span, bucket) {
  const size = bucketMs[bucket];
  const now = Math.floor(Date.now() / size) * size;
  const first = Number.isFinite(span)
    ? Math.floor((Date.now() - span) / size) * size
    : (groups[0]?.key ?? now);
  const byKey = new Map(groups.map((group) => [group.key, group]));
  const out = [];
  for (let key = first; key <= now && out.length < 400; key += size) out.push({ key, group: byKey.get(key) });
  return out;
}

async function refreshMetrics(params) {
  const w = windowStart(params);
  // Buckets sized to the window (minute for an hour, hour for a day, day beyond), so a short run still draws a line.
  const span = Number(params.get("window") ?? "86400000") || Number.POSITIVE_INFINITY;
  const bucket = span <= 3_600_000 ? "minute" : span <= 86_400_000 ? "hour" : "day";
  const [all, time, byModel, byCustomer] = await Promise.all([
    api(`/api/metrics/?group_by=none${w}`),
    api(`/api/metrics/?group_by=time&bucket=${bucket}${w}`),
    api(`/api/metrics/?group_by=model${w}`),
    api(`/api/metrics/?group_by=customer${w}`),
  ]);
  const buckets = filledBuckets(time.groups, span, bucket);
  const s = all.summary;
  $("#h-requests").textContent = String(s.count);
  $("#h-cost").textContent = money(s.cost);
  $("#h-tokens").textContent = String(s.total_tokens);
  $("#h-errors").textContent = percent(s.error_rate);
  $("#h-p95").textContent = secs(s.latency.p95);
  $("#h-ttft").textContent = secs(s.ttft.p95);
  const times = buckets.map(({ key }) =>
    bucket === "day"
      ? new Date(key).toLocaleDateString([], { month: "short", day: "numeric" })
      : new Date(key).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
  );
  chart("chart-requests", "bar", times, [
    { label: "requests", data: buckets.map((b) => b.group?.count ?? 0) },
  ]);
  chart("chart-cost", "line", times, [{ label: "cost", data: buckets.map((b) => b.group?.cost ?? 0) }]);
  // No calls in a bucket is no latency, not zero latency: a gap.
  chart("chart-latency", "line", times, [
    { label: "p50", data: buckets.map((b) => b.group?.latency.p50 ?? null) },
    { label: "p95", data: buckets.map((b) => b.group?.latency.p95 ?? null) },
  ]);
  // Spans without a model (chains, tools, workflow steps) are no model's cost: they get no bar.
  const models = byModel.groups.filter((g) => g.key !== null && g.key !== undefined);
  chart(
    "chart-model",
    "bar",
    models.map((g) => g.key),
    [{ label: "cost", data: models.map((g) => g.cost) }],
  );
  chart(
    "chart-customer",
    "bar",
    byCustomer.groups.map((g) => g.key ?? "(none)"),
    [{ label: "cost", data: byCustomer.groups.map((g) => g.cost) }],
  );
  const { keys } = await api("/api/gateway/keys");
  $("#keys tbody").replaceChildren(
    ...keys.map((key) =>
      el(
        "tr",
        {},
        cell(key.provider),
        cell(key.keyId),
        cell(String(key.weight)),
        cell(key.healthy ? "healthy" : "cooling down"),
        cell(String(key.requests)),
        cell(String(key.failures)),
        cell(key.lastStatus ?? "–"),
      ),
    ),
  );
}

// Budgets and the cache hit rate come from the gateway's own counters (shared by every instance on one Redis),
// not from the log window: they are what the gateway enforces.
export async function budgetRows() {
  const usage = await api("/api/gateway/usage");
  const limitOf = (spent, limit) =>
    limit === undefined ? money(spent) : `${money(spent)} / ${money(limit)}`;
  const rows = usage.budgets.map(({ customer, budget, spent_total: total, spent_period: period }) => {
    const used = Math.max(
      budget.total_budget ? total / budget.total_budget : 0,
      budget.period_budget && period !== undefined ? period / budget.period_budget : 0,
    );
    return {
      customer,
      row: el(
        "tr",
        { className: used >= 1 ? "error" : undefined },
        cell(customer),
        cell(budget.budget_duration ?? "–"),
        cell(period === undefined ? "–" : limitOf(period, budget.period_budget)),
        cell(limitOf(total, budget.total_budget)),
        cell(`${(used * 100).toFixed(0)} %`),
      ),
    };
  });
  return { usage, rows };
}

async function refreshUsage() {
  const { usage, rows } = await budgetRows();
  const { hits, misses, hit_rate: rate } = usage.cache;
  $("#h-cache").textContent = rate === null ? "–" : percent(rate);
  $("#h-cache").title = `${hits} hits, ${misses} misses`;
  $("#budgets tbody").replaceChildren(...rows.map((entry) => entry.row));
  // No budgets configured: say how to set one instead of an empty table.
  $("#budgets").hidden = rows.length === 0;
  $("#budgets-empty").hidden = rows.length > 0;
}

/** One log as a table row; a click opens its detail by URL. */
export function logRow(log) {
  const prompt = (log.prompt_messages ?? []).at(-1);
  return el(
    "tr",
    {
      className: log.status === "error" ? "error" : undefined,
      dataset: { id: log.unique_id },
      onclick: () => {
        location.hash = `#/logs/${encodeURIComponent(log.unique_id)}`;
      },
    },
    cell(new Date(log.timestamp).toLocaleTimeString()),
    cell(log.log_source),
    cell(log.customer_params?.customer_identifier),
    cell(log.model),
    cell(String(log.status_code)),
    cell(log.total_tokens ?? "–"),
    cell(log.cost === undefined ? "–" : money(log.cost)),
    cell(secs(log.latency)),
    cell(secs(log.time_to_first_token)),
    cell(prompt ? textOf(prompt.content) : textOf(log.input), "prompt"),
  );
}

/** The list query of the filters in the URL: model calls by default, every span with `all_spans`. */
export function logQuery(params) {
  const query = new URLSearchParams();
  for (const name of ["customer_identifier", "model", "provider_id", "status", "search"]) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  if (!params.get("all_spans")) query.set("model_calls", "true");
  query.set("limit", "50");
  const span = params.get("window") ?? "86400000";
  if (span) query.set("start_time", String(Date.now() - Number(span)));
  return query;
}

async function loadLogs(params, append) {
  const query = logQuery(params);
  const body = $("#log-table tbody");
  const key = [...query].filter(([name]) => name !== "start_time").join("&");
  const fresh = key !== listed;
  if (append && nextCursor) query.set("cursor", nextCursor);
  const page = await api(`/api/request-logs/?${query}`);
  if (append) {
    const shown = new Set([...body.children].map((row) => row.dataset.key));
    for (const log of page.results.filter((entry) => !shown.has(entry.unique_id))) {
      const row = logRow(log);
      row.dataset.key = log.unique_id;
      body.append(row);
    }
    nextCursor = page.next_cursor;
  } else {
    // Other filters: a new list. The same filters: only logs not shown yet are added, on top; the rest stay.
    if (fresh) {
      body.replaceChildren();
      listed = key;
    }
    prependNew(body, page.results, (log) => log.unique_id, logRow);
    if (fresh) nextCursor = page.next_cursor;
  }
  $("#more").hidden = !nextCursor;
}

/** Fills the filter form from the URL. */
export function showFilters(params) {
  for (const input of $("#filters").elements) {
    if (!input.name) continue;
    if (input.type === "checkbox") input.checked = Boolean(params.get(input.name));
    else input.value = params.get(input.name) ?? "";
  }
}

export async function refreshOverview(params) {
  await Promise.all([refreshMetrics(params), refreshUsage(), loadLogs(params, false)]);
}

export const loadOlderLogs = (params) => loadLogs(params, true);
