// The audit log (`#/audit`): who (which API key's name) changed what and when; never a secret's value.
import { api } from "./api.js";
import { $, cell, el } from "./dom.js";
import { showRefusal } from "./forms.js";

export async function refreshAudit() {
  const page = $("#view-audit");
  let results;
  try {
    ({ results } = await api("/api/audit-log/?limit=200"));
  } catch (error) {
    showRefusal(page, error);
    return;
  }
  page.querySelector(".refused").hidden = true;
  $("#audit-table tbody").replaceChildren(
    ...results.map((entry) =>
      el(
        "tr",
        {},
        cell(new Date(entry.at).toLocaleString()),
        cell(entry.actor),
        cell(entry.action),
        cell(entry.target),
      ),
    ),
  );
}
