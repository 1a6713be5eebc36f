// API keys (`#/api-keys`): create a key with its scopes and limits (its secret shown once, to copy), list and
// revoke them.
import { api, send } from "./api.js";
import { $, cell, el } from "./dom.js";
import { onSubmit, showRefusal } from "./forms.js";

function limitsOf(key) {
  const parts = [];
  if (key.allowed_models) parts.push(`models: ${key.allowed_models.join(", ")}`);
  if (key.rate_limits?.requests_per_minute) parts.push(`${key.rate_limits.requests_per_minute} req/min`);
  if (key.rate_limits?.tokens_per_minute) parts.push(`${key.rate_limits.tokens_per_minute} tokens/min`);
  if (key.budget?.period_budget !== undefined)
    parts.push(`$${key.budget.period_budget} ${key.budget.budget_duration}`);
  if (key.budget?.total_budget !== undefined) parts.push(`$${key.budget.total_budget} total`);
  return parts.join(" · ") || "–";
}

export async function refreshApiKeys() {
  const page = $("#view-api-keys");
  let results;
  try {
    ({ results } = await api("/api/api-keys/"));
  } catch (error) {
    showRefusal(page, error);
    return;
  }
  page.querySelector(".refused").hidden = true;
  $("#api-keys-table tbody").replaceChildren(
    ...results.map((key) =>
      el(
        "tr",
        { dataset: { key: key.id } },
        cell(key.name),
        cell(`${key.prefix}…`),
        cell(key.scopes.join(", ")),
        cell(limitsOf(key)),
        cell(new Date(key.created_at).toLocaleString()),
        cell(key.revoked_at ? "revoked" : "active", key.revoked_at ? "bad" : "ok"),
        el(
          "td",
          {},
          key.revoked_at
            ? null
            : el("button", {
                type: "button",
                text: "Revoke",
                onclick: () =>
                  send("DELETE", `/api/api-keys/${encodeURIComponent(key.id)}/`).then(
                    refreshApiKeys,
                    (error) => alert(error.message),
                  ),
              }),
        ),
      ),
    ),
  );
}

export function wireApiKeyForm() {
  onSubmit(
    $("#create-key-form"),
    (values, form) => {
      const scopes = [...form.querySelectorAll("input[name=scope]:checked")].map((input) => input.value);
      const models = values.allowed_models
        ?.split(",")
        .map((model) => model.trim())
        .filter(Boolean);
      const rate = {
        ...(values.requests_per_minute ? { requests_per_minute: values.requests_per_minute } : {}),
        ...(values.tokens_per_minute ? { tokens_per_minute: values.tokens_per_minute } : {}),
      };
      const budget = {
        ...(values.period_budget !== undefined
          ? { period_budget: values.period_budget, budget_duration: values.budget_duration }
          : {}),
        ...(values.total_budget !== undefined ? { total_budget: values.total_budget } : {}),
      };
      return {
        method: "POST",
        path: "/api/api-keys/",
        body: {
          name: values.name,
          scopes,
          ...(models?.length ? { allowed_models: models } : {}),
          ...(Object.keys(rate).length ? { rate_limits: rate } : {}),
          ...(Object.keys(budget).length ? { budget } : {}),
        },
      };
    },
    async (created, form) => {
      form.reset();
      // The only time the key exists outside its owner's hands: shown once, with a copy button.
      $("#new-key").hidden = false;
      $("#new-key-value").value = created.key;
      await refreshApiKeys();
    },
  );
  $("#copy-key").addEventListener("click", async () => {
    await navigator.clipboard?.writeText($("#new-key-value").value).catch(() => {});
    $("#new-key-value").select();
    $("#copy-key").textContent = "Copied";
  });
  $("#dismiss-key").addEventListener("click", () => {
    $("#new-key-value").value = "";
    $("#new-key").hidden = true;
    $("#copy-key").textContent = "Copy";
  });
}
