// The Keyway dashboard: plain ES module, no build step. Data comes from the server's API with the API key the
// user typed (kept in sessionStorage). Log content is untrusted: it is only ever set as textContent.
const $ = (selector) => document.querySelector(selector);
const keyStore = "keyway.apiKey";
const charts = {};
let nextCursor = null;
let filters = new URLSearchParams();

async function api(path) {
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${sessionStorage.getItem(keyStore) ?? ""}` },
  });
  if (response.status === 401) {
    showLogin("That API key was not accepted.");
    throw new Error("unauthorized");
  }
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function showLogin(message = "") {
  sessionStorage.removeItem(keyStore);
  $("#app").hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = message;
}

const money = (value) => `$${(value ?? 0).toFixed((value ?? 0) < 1 ? 6 : 2)}`;
const secs = (value) =>
  value === null || value === undefined
    ? "–"
    : `${value < 1 ? `${(value * 1000).toFixed(1)} ms` : `${value.toFixed(2)} s`}`;
const cell = (text, className) => {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
};
const textOf = (content) =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => part.text ?? `[${part.type}]`).join(" ")
      : content == null
        ? ""
        : JSON.stringify(content);

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
    options: { animation: false, responsive: true, plugins: { legend: { display: datasets.length > 1 } } },
  });
}

// Metrics and the log list cover a time window (default: the last 24 hours), which keeps every refresh a range
// scan however many logs the server holds.
function windowQuery() {
  const span = $("#window").value;
  return span ? `&start_time=${Date.now() - Number(span)}` : "";
}

async function refreshMetrics() {
  const w = windowQuery();
  // Buckets sized to the window (minute for an hour, hour for a day, day beyond), so a short run still draws a line.
  const span = Number($("#window").value || Number.POSITIVE_INFINITY);
  const bucket = span <= 3_600_000 ? "minute" : span <= 86_400_000 ? "hour" : "day";
  const [all, time, byModel, byCustomer] = await Promise.all([
    api(`/api/metrics/?group_by=none${w}`),
    api(`/api/metrics/?group_by=time&bucket=${bucket}${w}`),
    api(`/api/metrics/?group_by=model${w}`),
    api(`/api/metrics/?group_by=customer${w}`),
  ]);
  const s = all.summary;
  $("#h-requests").textContent = String(s.count);
  $("#h-cost").textContent = money(s.cost);
  $("#h-tokens").textContent = String(s.total_tokens);
  $("#h-errors").textContent = `${(s.error_rate * 100).toFixed(1)} %`;
  $("#h-p95").textContent = secs(s.latency.p95);
  $("#h-ttft").textContent = secs(s.ttft.p95);
  const times = time.groups.map((g) =>
    bucket === "day"
      ? new Date(g.key).toLocaleDateString([], { month: "short", day: "numeric" })
      : new Date(g.key).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
  );
  chart("chart-requests", "bar", times, [{ label: "requests", data: time.groups.map((g) => g.count) }]);
  chart("chart-cost", "line", times, [{ label: "cost", data: time.groups.map((g) => g.cost) }]);
  chart("chart-latency", "line", times, [
    { label: "p50", data: time.groups.map((g) => g.latency.p50) },
    { label: "p95", data: time.groups.map((g) => g.latency.p95) },
  ]);
  chart(
    "chart-model",
    "bar",
    byModel.groups.map((g) => g.key ?? "(none)"),
    [{ label: "cost", data: byModel.groups.map((g) => g.cost) }],
  );
  chart(
    "chart-customer",
    "bar",
    byCustomer.groups.map((g) => g.key ?? "(none)"),
    [{ label: "cost", data: byCustomer.groups.map((g) => g.cost) }],
  );
  const { keys } = await api("/api/gateway/keys");
  const body = $("#keys tbody");
  body.replaceChildren(
    ...keys.map((key) => {
      const row = document.createElement("tr");
      row.append(
        cell(key.provider),
        cell(key.keyId),
        cell(String(key.weight)),
        cell(key.healthy ? "healthy" : "cooling down"),
        cell(String(key.requests)),
        cell(String(key.failures)),
        cell(key.lastStatus ?? "–"),
      );
      return row;
    }),
  );
}

// Budgets and the cache hit rate come from the gateway's own counters (shared by every instance on one Redis),
// not from the log window: they are what the gateway enforces.
async function refreshUsage() {
  const usage = await api("/api/gateway/usage");
  const { hits, misses, hit_rate: rate } = usage.cache;
  $("#h-cache").textContent = rate === null ? "–" : `${(rate * 100).toFixed(1)} %`;
  $("#h-cache").title = `${hits} hits, ${misses} misses`;
  const limitOf = (spent, limit) =>
    limit === undefined ? money(spent) : `${money(spent)} / ${money(limit)}`;
  $("#budgets tbody").replaceChildren(
    ...usage.budgets.map(({ customer, budget, spent_total: total, spent_period: period }) => {
      const used = Math.max(
        budget.total_budget ? total / budget.total_budget : 0,
        budget.period_budget && period !== undefined ? period / budget.period_budget : 0,
      );
      const row = document.createElement("tr");
      if (used >= 1) row.className = "error";
      row.append(
        cell(customer),
        cell(budget.budget_duration ?? "–"),
        cell(period === undefined ? "–" : limitOf(period, budget.period_budget)),
        cell(limitOf(total, budget.total_budget)),
        cell(`${(used * 100).toFixed(0)} %`),
      );
      return row;
    }),
  );
}

function logRow(log) {
  const row = document.createElement("tr");
  row.dataset.id = log.unique_id;
  if (log.status === "error") row.className = "error";
  const prompt = (log.prompt_messages ?? []).at(-1);
  row.append(
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
  row.addEventListener("click", () => openDetail(log.unique_id));
  return row;
}

async function loadLogs(append = false) {
  const query = new URLSearchParams(filters);
  // Model calls by default: a LangChain agent's chain, tool and parser spans only with "all spans".
  if (query.get("all_spans")) query.delete("all_spans");
  else query.set("model_calls", "true");
  query.set("limit", "50");
  const span = $("#window").value;
  if (span) query.set("start_time", String(Date.now() - Number(span)));
  if (append && nextCursor) query.set("cursor", nextCursor);
  const page = await api(`/api/request-logs/?${query}`);
  const body = $("#log-table tbody");
  const rows = page.results.map(logRow);
  if (append) body.append(...rows);
  else body.replaceChildren(...rows);
  nextCursor = page.next_cursor;
  $("#more").hidden = !nextCursor;
}

function messageBlock(message) {
  const div = document.createElement("div");
  div.className = "message";
  const role = document.createElement("span");
  role.className = "role";
  role.textContent = message.role ?? "";
  const text = document.createElement("span");
  text.textContent =
    textOf(message.content) + (message.tool_calls ? `\n${JSON.stringify(message.tool_calls, null, 2)}` : "");
  div.append(role, text);
  return div;
}

async function openDetail(id) {
  const log = await api(`/api/request-logs/${encodeURIComponent(id)}`);
  $("#detail-id").textContent = log.unique_id;
  $("#detail-prompt").replaceChildren(
    ...(log.prompt_messages ?? (log.input !== undefined ? [{ role: "input", content: log.input }] : [])).map(
      messageBlock,
    ),
  );
  const completion =
    log.completion_message ?? (log.output !== undefined ? { role: "output", content: log.output } : null);
  $("#detail-completion").replaceChildren(...(completion ? [messageBlock(completion)] : []));
  $("#detail-json").textContent = JSON.stringify(log, null, 2);
  $("#detail").hidden = false;
}

async function refresh() {
  try {
    await Promise.all([refreshMetrics(), refreshUsage(), loadLogs(false)]);
    $("#status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (error.message !== "unauthorized") $("#status").textContent = `refresh failed: ${error.message}`;
  }
}

async function start() {
  $("#login").hidden = true;
  $("#app").hidden = false;
  await refresh();
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  sessionStorage.setItem(keyStore, $("#api-key").value);
  $("#api-key").value = "";
  await start();
});
$("#logout").addEventListener("click", () => showLogin());
$("#filters").addEventListener("submit", async (event) => {
  event.preventDefault();
  filters = new URLSearchParams([...new FormData(event.target)].filter(([, value]) => value !== ""));
  await loadLogs(false);
});
$("#filters input[name=all_spans]").addEventListener("change", () => $("#filters").requestSubmit());
$("#more").addEventListener("click", () => loadLogs(true));
$("#window").addEventListener("change", () => void refresh());
$("#close-detail").addEventListener("click", () => {
  $("#detail").hidden = true;
});

setInterval(() => {
  if (!$("#app").hidden && $("#detail").hidden && document.visibilityState === "visible") void refresh();
}, 3000);

if (sessionStorage.getItem(keyStore)) void start();
else showLogin();
