// Providers (`#/providers`): every provider with its status, key pools (paste a key, weights, enable/disable),
// custom providers and managed models with prices. Keys are only ever shown as fingerprint and last 4.
import { api, send } from "./api.js";
import { $, cell, el } from "./dom.js";
import { onSubmit, showRefusal } from "./forms.js";

const keyLabel = (key) => `${key.fingerprint} …${key.last4}`;

function keyRow(provider, key) {
  const managed = key.source === "api";
  const path = `/api/providers/${encodeURIComponent(provider.provider_id)}/keys/${encodeURIComponent(key.id)}/`;
  const patch = (body) => send("PATCH", path, body).then(refreshProviders, (error) => alert(error.message));
  const weight = el("input", {
    type: "number",
    min: "0.001",
    step: "any",
    value: key.weight,
    "aria-label": `weight of ${keyLabel(key)}`,
    onchange: (event) => patch({ weight: Number(event.target.value) }),
  });
  const enabled = el("input", {
    type: "checkbox",
    "aria-label": `${keyLabel(key)} enabled`,
    onchange: (event) => patch({ enabled: event.target.checked }),
  });
  enabled.checked = key.enabled;
  weight.disabled = enabled.disabled = !managed;
  return el(
    "tr",
    { dataset: { key: key.id, provider: provider.provider_id } },
    cell(provider.provider_id),
    cell(keyLabel(key)),
    cell(managed ? "API" : `${key.source} (read-only)`),
    el("td", {}, weight),
    el("td", {}, enabled),
    el(
      "td",
      {},
      managed
        ? el("button", {
            type: "button",
            text: "Delete",
            onclick: () => send("DELETE", path).then(refreshProviders, (error) => alert(error.message)),
          })
        : null,
    ),
  );
}

function modelRow(model) {
  const price = (value) => (value === null || value === undefined ? "–" : `$${value}`);
  return el(
    "tr",
    { dataset: { model: model.id } },
    cell(model.id),
    cell(model.provider_id),
    cell(model.upstream_model ?? model.id),
    cell(price(model.input_price)),
    cell(price(model.output_price)),
    el(
      "td",
      {},
      el("button", {
        type: "button",
        text: "Delete",
        onclick: () =>
          send("DELETE", `/api/models/${encodeURIComponent(model.id)}/`).then(refreshProviders, (error) =>
            alert(error.message),
          ),
      }),
    ),
  );
}

export async function refreshProviders() {
  const page = $("#view-providers");
  let providers;
  let models;
  try {
    [{ results: providers }, { data: models }] = await Promise.all([
      api("/api/providers/"),
      api("/api/models/"),
    ]);
  } catch (error) {
    showRefusal(page, error);
    return;
  }
  page.querySelector(".refused").hidden = true;
  // Providers in use first (a key, a model or custom), then the rest of the built-in list.
  const inUse = (provider) => provider.keys.length > 0 || provider.models.length > 0 || provider.custom;
  const sorted = [...providers].sort((a, b) => Number(inUse(b)) - Number(inUse(a)));
  $("#providers-table tbody").replaceChildren(
    ...sorted.map((provider) =>
      el(
        "tr",
        { dataset: { provider: provider.provider_id } },
        cell(
          provider.provider_name === provider.provider_id
            ? provider.provider_id
            : `${provider.provider_name} (${provider.provider_id})`,
        ),
        cell(provider.custom ? "custom" : "built-in"),
        cell(provider.base_url ?? "–"),
        cell(provider.status === "ready" ? "ready" : "no key", provider.status === "ready" ? "ok" : "bad"),
        cell(String(provider.keys.length)),
        cell(provider.models.join(", ")),
      ),
    ),
  );
  $("#provider-keys tbody").replaceChildren(
    ...providers.flatMap((provider) => provider.keys.map((key) => keyRow(provider, key))),
  );
  const managedModels = models.filter((model) => providers.some((p) => p.models.includes(model.id)));
  $("#managed-models tbody").replaceChildren(...managedModels.map(modelRow));
  for (const select of document.querySelectorAll("select[name=provider_id]")) {
    const chosen = select.value;
    select.replaceChildren(
      ...sorted.map((provider) => el("option", { value: provider.provider_id, text: provider.provider_id })),
    );
    if (chosen) select.value = chosen;
  }
}

export function wireProviderForms() {
  const clear = (form) => {
    form.reset();
    return refreshProviders();
  };
  onSubmit(
    $("#add-key-form"),
    ({ provider_id, api_key, weight }) => ({
      method: "POST",
      path: `/api/providers/${encodeURIComponent(provider_id ?? "")}/keys/`,
      body: { api_key, ...(weight !== undefined ? { weight } : {}) },
    }),
    (_answer, form) => clear(form),
  );
  onSubmit(
    $("#add-provider-form"),
    ({ provider_id, provider_name, base_url, api_key }) => ({
      method: "POST",
      path: "/api/providers/",
      body: { provider_id, provider_name, ...(api_key ? { api_key } : {}), extra_kwargs: { base_url } },
    }),
    (_answer, form) => clear(form),
  );
  onSubmit(
    $("#add-model-form"),
    (values) => ({ method: "POST", path: "/api/models/", body: values }),
    (_answer, form) => clear(form),
  );
}
