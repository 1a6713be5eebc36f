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
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}
