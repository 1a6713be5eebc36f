// Small DOM and formatting helpers. Log content is untrusted: it is only ever set as textContent.
export const $ = (selector, root = document) => root.querySelector(selector);

/** An element with text (never HTML), attributes and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

export const money = (value) => `$${(value ?? 0).toFixed((value ?? 0) < 1 ? 6 : 2)}`;
export const secs = (value) =>
  value === null || value === undefined
    ? "–"
    : value < 1
      ? `${(value * 1000).toFixed(1)} ms`
      : `${value.toFixed(2)} s`;
export const percent = (value) => `${((value ?? 0) * 100).toFixed(1)} %`;
export const cell = (text, className) => el("td", { text: text ?? "", className });

/** Labelled figures (`[label, value]`, those without a value left out) as the boxes of a `.facts` row. */
export const facts = (pairs) =>
  pairs
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([label, value]) =>
      el(
        "div",
        { dataset: { fact: label } },
        el("span", { className: "label", text: label }),
        el("strong", { text: value }),
      ),
    );

export const textOf = (content) =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => part.text ?? `[${part.type}]`).join(" ")
      : content == null
        ? ""
        : JSON.stringify(content);

/**
 * Live lists without re-rendering: rows already shown stay the same elements; rows for new keys are added at the
 * top (newest first), so a refresh never resets what the user is looking at.
 */
export function prependNew(tbody, items, keyOf, render) {
  const shown = new Set([...tbody.children].map((row) => row.dataset.key));
  const fresh = items.filter((item) => !shown.has(keyOf(item)));
  const rows = fresh.map((item) => {
    const row = render(item);
    row.dataset.key = keyOf(item);
    return row;
  });
  tbody.prepend(...rows);
  return rows.length;
}
