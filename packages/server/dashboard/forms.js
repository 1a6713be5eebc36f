// The management pages' forms: values read by name, a change sent, the outcome said next to the form.
import { send } from "./api.js";

/** The form's fields by name, empty ones left out, numbers where the input is a number. */
export function formValues(form) {
  const values = {};
  for (const input of form.querySelectorAll("input[name], select[name]")) {
    if (input.type === "checkbox") continue;
    if (input.value === "") continue;
    values[input.name] = input.type === "number" ? Number(input.value) : input.value;
  }
  return values;
}

/** Sends what `build` makes of the form; says the error beside it, or clears it and calls `done`. */
export function onSubmit(form, build, done) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".form-status");
    try {
      const { method, path, body } = build(formValues(form), form);
      const answer = await send(method, path, body);
      status.textContent = "";
      status.classList.remove("error");
      await done(answer, form);
    } catch (error) {
      if (error.message === "unauthorized") return;
      status.textContent = error.message;
      status.classList.add("error");
    }
  });
}

/** Shows a page's refusal (a key without the admin scope) in place of its content. */
export function showRefusal(page, error) {
  const notice = page.querySelector(".refused");
  notice.hidden = false;
  notice.textContent =
    error.status === 403 ? `This API key cannot manage settings: ${error.message}` : error.message;
}
