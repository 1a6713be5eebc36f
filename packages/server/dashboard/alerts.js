// Alerts (`#/alerts`): each rule with its state and last value, and the last firings (delivered or why not);
// managed rules edited or deleted in place. Webhooks are shown by host only: the URL is a secret and the server
// never sends it.
import { editAlertRule } from "./alert-form.js";
import { api, send } from "./api.js";
import { $, cell, el } from "./dom.js";
import { showRefusal } from "./forms.js";

const when = (at) => (at === null || at === undefined ? "—" : new Date(at).toLocaleString());

/** A rule's value as its threshold reads: shares as percentages, latency in seconds. */
function shown(kind, value) {
  if (value === null || value === undefined) return "—";
  if (kind === "error_rate" || kind === "budget") return `${Math.round(value * 1000) / 10}%`;
  if (kind === "p95_latency") return `${Math.round(value * 1000) / 1000} s`;
  return String(value);
}

function managedActions(rule) {
  const remove = () =>
    confirm(`Delete the alert rule "${rule.name}"?`) &&
    send("DELETE", `/api/alerts/${encodeURIComponent(rule.id)}/`).then(refreshAlerts, (error) =>
      alert(error.message),
    );
  return el(
    "td",
    { className: "actions" },
    el("button", { type: "button", text: "Edit", onclick: () => editAlertRule(rule) }),
    el("button", { type: "button", text: "Delete", onclick: remove }),
  );
}

export async function refreshAlerts() {
  const page = $("#view-alerts");
  let view;
  try {
    view = await api("/api/alerts");
  } catch (error) {
    showRefusal(page, error);
    return;
  }
  page.querySelector(".refused").hidden = true;
  const kinds = new Map(view.rules.map((rule) => [rule.name, rule.kind]));
  $("#alerts-empty").hidden = view.rules.length > 0;
  $("#alert-rules tbody").replaceChildren(
    ...view.rules.map((rule) =>
      el(
        "tr",
        { className: rule.state === "firing" ? "error" : "" },
        cell(rule.name),
        cell(rule.kind + (rule.customer ? ` (${rule.customer})` : "")),
        cell(rule.state),
        cell(shown(rule.kind, rule.value)),
        cell(shown(rule.kind, rule.threshold)),
        cell(when(rule.last_fired_at)),
        cell(`${rule.webhook.format} → ${rule.webhook.host}`),
        rule.source === "managed" ? managedActions(rule) : cell("config file"),
      ),
    ),
  );
  $("#alert-firings tbody").replaceChildren(
    ...view.firings.map((firing) =>
      el(
        "tr",
        {},
        cell(when(firing.at)),
        cell(firing.alert),
        cell(firing.state),
        cell(shown(kinds.get(firing.alert), firing.value)),
        cell(firing.delivered ? "delivered" : `not delivered: ${firing.error ?? ""}`),
      ),
    ),
  );
}
