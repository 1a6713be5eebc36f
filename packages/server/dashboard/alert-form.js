// The alert rule form (`#/alerts`): add a rule, or edit a managed one (the config file's are read-only). The
// webhook's URL is write-only: an edit keeps the stored one unless a new URL is typed.
import { $ } from "./dom.js";
import { onSubmit } from "./forms.js";

const optional = ["window_seconds", "customer", "min_requests", "min_interval_seconds"];

/** The API's body from the form: on an edit, an emptied field is cleared (`null`) rather than kept. */
function ruleBody(values, editing) {
  const body = { name: values.name, kind: values.kind, threshold: values.threshold };
  for (const field of optional)
    if (values[field] !== undefined) body[field] = values[field];
    else if (editing) body[field] = null;
  if (values.kind === "budget" && values.period_budget !== undefined)
    body.budget = { period_budget: values.period_budget, budget_duration: values.budget_duration };
  else if (editing) body.budget = null;
  body.webhook = { format: values.format, ...(values.url ? { url: values.url } : {}) };
  return body;
}

function setEditing(form, rule) {
  form.reset();
  form.dataset.editing = rule?.id ?? "";
  $("#alert-form-title").textContent = rule ? `Edit "${rule.name}"` : "Add a rule";
  form.querySelector("button[type=submit]").textContent = rule ? "Save rule" : "Add rule";
  $("#cancel-alert-edit").hidden = !rule;
  // The URL is never sent back: required for a new rule, left empty to keep the stored one.
  const url = form.elements.namedItem("url");
  url.required = !rule;
  url.placeholder = rule ? `keep ${rule.webhook.host}` : "https://hooks.slack.com/services/…";
  if (!rule) return;
  for (const field of ["name", "kind", "threshold", ...optional])
    if (rule[field] !== undefined) form.elements.namedItem(field).value = rule[field];
  form.elements.namedItem("format").value = rule.webhook.format;
  if (rule.budget?.period_budget !== undefined) {
    form.elements.namedItem("period_budget").value = rule.budget.period_budget;
    form.elements.namedItem("budget_duration").value = rule.budget.budget_duration;
  }
}

/** Opens a managed rule in the form. */
export function editAlertRule(rule) {
  setEditing($("#alert-form"), rule);
  $("#alert-form").scrollIntoView({ block: "nearest" });
}

export function wireAlertForm(refresh) {
  const form = $("#alert-form");
  onSubmit(
    form,
    (values) => {
      const editing = form.dataset.editing;
      return editing
        ? {
            method: "PATCH",
            path: `/api/alerts/${encodeURIComponent(editing)}/`,
            body: ruleBody(values, true),
          }
        : { method: "POST", path: "/api/alerts/", body: ruleBody(values, false) };
    },
    async () => {
      setEditing(form, undefined);
      await refresh();
    },
  );
  $("#cancel-alert-edit").addEventListener("click", () => setEditing(form, undefined));
}
