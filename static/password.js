// A "Show" button beside each password field, to check what was typed.
// Pages work without it: the button exists only where this script runs.
"use strict";

document.querySelectorAll('input[type="password"]').forEach((input) => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "reveal";
  button.textContent = "Show";
  button.setAttribute("aria-controls", input.id);
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-label", "Show password");
  button.addEventListener("click", () => {
    const shown = input.type === "text";
    input.type = shown ? "password" : "text";
    button.textContent = shown ? "Show" : "Hide";
    button.setAttribute("aria-pressed", String(!shown));
    button.setAttribute("aria-label", shown ? "Show password" : "Hide password");
  });
  // Hidden again before sending, so that the browser offers to save it.
  input.form?.addEventListener("submit", () => {
    input.type = "password";
  });
  input.after(button);
});
