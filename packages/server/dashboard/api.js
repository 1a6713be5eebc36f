// The server's API with the key the user typed (kept in sessionStorage).
const keyStore = "keyway.apiKey";
let onUnauthorized = () => {};

export const apiKey = {
  get: () => sessionStorage.getItem(keyStore),
  set: (key) => sessionStorage.setItem(keyStore, key),
  clear: () => sessionStorage.removeItem(keyStore),
  onUnauthorized: (handler) => {
    onUnauthorized = handler;
  },
};

export async function api(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${apiKey.get() ?? ""}` } });
  if (response.status === 401) {
    onUnauthorized("That API key was not accepted.");
    throw new Error("unauthorized");
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw Object.assign(new Error(answer.detail ?? `${path}: ${response.status}`), {
      status: response.status,
    });
  }
  return response.json();
}

/** A change through the management API; an answer that is not 2xx throws with the server's `detail`. */
export async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${apiKey.get() ?? ""}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 401) {
    onUnauthorized("That API key was not accepted.");
    throw new Error("unauthorized");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.detail ?? `${method} ${path}: ${response.status}`);
  return answer;
}
