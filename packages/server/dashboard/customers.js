// Customers: the list over the window (`#/customers`), sortable, and one customer's page (`#/customers/:id`) with
// their numbers, spend against budget (when budgets exist), logs and traces.
import { api } from "./api.js";
import { $, cell, el, facts, money, percent, secs } from "./dom.js";
import { budgetRows, logRow } from "./overview.js";
import { refreshTraceList } from "./traces.js";

const columns = {
  customer: (g) => g.key ?? "",
  requests: (g) => g.count,
  tokens: (g) => g.total_tokens,
  cost: (g) => g.cost,
  errors: (g) => g.error_rate,
  p95: (g) => g.latency.p95 ?? 0,
};
let sort = { column: "cost", descending: true };
let groups = [];

function renderCustomers() {
  const value = columns[sort.column];
  const sorted = [...groups].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return sort.descending ? -order : order;
  });
  for (const th of document.querySelectorAll("#customers-table th[data-sort]")) {
    th.setAttribute(
      "aria-sort",
      th.dataset.sort === sort.column ? (sort.descending ? "descending" : "ascending") : "none",
    );
  }
  $("#customers-table tbody").replaceChildren(
    ...sorted.map((g) =>
      el(
        "tr",
        {
          dataset: { customer: g.key ?? "" },
          onclick: () => {
            if (g.key) location.hash = `#/customers/${encodeURIComponent(g.key)}`;
          },
        },
        cell(g.key ?? "(none)"),
        cell(String(g.count)),
        cell(String(g.total_tokens)),
        cell(money(g.cost)),
        cell(percent(g.error_rate)),
        cell(secs(g.latency.p95)),
      ),
    ),
  );
}

export function sortCustomersBy(column) {
  sort = { column, descending: sort.column === column ? !sort.descending : column !== "customer" };
  renderCustomers();
}

export async function refreshCustomers(windowQuery) {
  ({ groups } = await api(`/api/metrics/?group_by=customer${windowQuery}`));
  renderCustomers();
}

export async function showCustomer(id, windowQuery) {
  const customer = encodeURIComponent(id);
  $("#customer-title").textContent = id;
  const [metrics, logs, budgets] = await Promise.all([
    api(`/api/metrics/?customer_identifier=${customer}${windowQuery}`),
    api(`/api/request-logs/?customer_identifier=${customer}&model_calls=true&limit=50${windowQuery}`),
    budgetRows(),
  ]);
  const s = metrics.summary;
  $("#customer-facts").replaceChildren(
    ...facts([
      ["requests", s.count],
      ["cost", money(s.cost)],
      ["tokens", s.total_tokens],
      ["error rate", percent(s.error_rate)],
      ["p95 latency", secs(s.latency.p95)],
    ]),
  );
  const budget = budgets.rows.find((entry) => entry.customer === id);
  $("#customer-budget").hidden = !budget;
  $("#customer-budget tbody").replaceChildren(...(budget ? [budget.row] : []));
  $("#customer-logs tbody").replaceChildren(...logs.results.map(logRow));
  await refreshTraceList($("#customer-traces tbody"), `&customer_identifier=${customer}${windowQuery}`);
}
