// The Keyway dashboard: plain ES modules, no build step. Every view has a URL (`#/`, `#/logs/:id`, `#/traces`,
// `#/traces/:id`, `#/customers`, `#/customers/:id`) and keeps its filters in it, so a link shows what you saw.

import { wireAlertForm } from "./alert-form.js";
import { refreshAlerts } from "./alerts.js";
import { apiKey } from "./api.js";
import { refreshApiKeys, wireApiKeyForm } from "./api-keys.js";
import { refreshAudit } from "./audit.js";
import { refreshCustomers, showCustomer, sortCustomersBy } from "./customers.js";
import { $ } from "./dom.js";
import { closeLogDetail, openLogDetail } from "./log-detail.js";
import { loadOlderLogs, refreshOverview, showFilters, windowStart } from "./overview.js";
import { refreshProviders, wireProviderForms } from "./providers.js";
import { refreshTraceList, showTrace } from "./traces.js";

/** The route in the URL: a view, an id, and the query after `?`. */
function route() {
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = (path || "/").split("/").filter(Boolean).map(decodeURIComponent);
  return { section: parts[0] ?? "", id: parts[1], params: new URLSearchParams(query) };
}
let overviewQuery = "";

const tabOf = {
  overview: "overview",
  traces: "traces",
  trace: "traces",
  customers: "customers",
  customer: "customers",
  providers: "providers",
  "api-keys": "api-keys",
  alerts: "alerts",
  audit: "audit",
};
function show(view) {
  for (const name of Object.keys(tabOf)) $(`#view-${name}`).hidden = name !== view;
  // The tabs keep the window: switching views shows the same time span.
  const window = route().params.get("window");
  for (const tab of document.querySelectorAll("nav a")) {
    tab.href = `#/${tab.dataset.view === "overview" ? "" : tab.dataset.view}${window ? `?window=${window}` : ""}`;
    if (tab.dataset.view === tabOf[view]) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

/** Renders the view the URL names; `live` refreshes (polling) only add what is new. */
async function render() {
  const { section, id, params } = route();
  const windowQuery = windowStart(params);
  $("#window").value = params.get("window") ?? (section === "logs" ? $("#window").value : "86400000");
  if (section === "" || section === "logs") {
    show("overview");
    if (section === "") overviewQuery = params.toString();
    const filters = section === "" ? params : new URLSearchParams(overviewQuery);
    showFilters(filters);
    await refreshOverview(filters);
    if (section === "logs" && id) await openLogDetail(id);
    else closeLogDetail();
    return;
  }
  closeLogDetail();
  if (section === "traces" && id) {
    show("trace");
    await showTrace(id);
  } else if (section === "traces") {
    show("traces");
    await refreshTraceList($("#traces-table tbody"), windowQuery);
  } else if (section === "customers" && id) {
    show("customer");
    await showCustomer(id, windowQuery);
  } else if (section === "customers") {
    show("customers");
    await refreshCustomers(windowQuery);
  } else if (section === "providers") {
    show("providers");
    await refreshProviders();
  } else if (section === "api-keys") {
    show("api-keys");
    await refreshApiKeys();
  } else if (section === "alerts") {
    show("alerts");
    await refreshAlerts();
  } else if (section === "audit") {
    show("audit");
    await refreshAudit();
  } else location.hash = "#/";
}

async function update(what = render) {
  try {
    await what();
    $("#status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (error.message !== "unauthorized") $("#status").textContent = `refresh failed: ${error.message}`;
  }
}

/** New logs and traces appear without a reload: the open list is asked again and only new rows are added. */
async function poll() {
  if ($("#app").hidden || document.visibilityState !== "visible") return;
  const { section, id, params } = route();
  if (section === "" || (section === "logs" && !id)) await update(() => refreshOverview(params));
  else if (section === "logs") await update(() => refreshOverview(new URLSearchParams(overviewQuery)));
  else if (section === "traces" && !id)
    await update(() => refreshTraceList($("#traces-table tbody"), windowStart(params)));
}

function showLogin(message = "") {
  apiKey.clear();
  $("#app").hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = message;
}
apiKey.onUnauthorized(showLogin);

async function start() {
  $("#login").hidden = true;
  $("#app").hidden = false;
  await update();
}

/** Changes the URL's query, keeping the view. */
function setQuery(params) {
  const { section, id } = route();
  const base = section === "logs" ? "" : `${section}${id ? `/${encodeURIComponent(id)}` : ""}`;
  const query = params.toString();
  location.hash = `#/${base}${query ? `?${query}` : ""}`;
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  apiKey.set($("#api-key").value);
  $("#api-key").value = "";
  await start();
});
$("#logout").addEventListener("click", () => showLogin());
$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams([...new FormData(event.target)].filter(([, value]) => value !== ""));
  const window = route().params.get("window");
  if (window !== null) params.set("window", window);
  setQuery(params);
});
$("#filters input[name=all_spans]").addEventListener("change", () => $("#filters").requestSubmit());
$("#more").addEventListener("click", () => void update(() => loadOlderLogs(route().params)));
$("#window").addEventListener("change", () => {
  const { params } = route();
  params.set("window", $("#window").value);
  setQuery(params);
});
$("#close-detail").addEventListener("click", () => {
  location.hash = `#/${overviewQuery ? `?${overviewQuery}` : ""}`;
});
for (const th of document.querySelectorAll("#customers-table th[data-sort]"))
  th.addEventListener("click", () => sortCustomersBy(th.dataset.sort));
window.addEventListener("hashchange", () => {
  if (!$("#app").hidden) void update();
});
wireProviderForms();
wireApiKeyForm();
wireAlertForm(refreshAlerts);
setInterval(() => void poll(), 3000);

if (apiKey.get()) void start();
else showLogin();
