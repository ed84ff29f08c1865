// A "Show" button beside each password field, to check what was typed.
// Pages work without it: the button exists only where this script runs.
"use strict";

document.querySelectorAll('input[type="password"]').forEach((input) => {
  // Its words, in the page's language: data- attributes of <body> (English
  // where a page has none).
  const say = (name, english) => document.body.dataset[name] || english;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "reveal";
  button.textContent = say("show", "Show");
  button.setAttribute("aria-controls", input.id);
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-label", say("showPassword", "Show password"));
  button.addEventListener("click", () => {
    const shown = input.type === "text";
    input.type = shown ? "password" : "text";
    button.textContent = shown ? say("show", "Show") : say("hide", "Hide");
    button.setAttribute("aria-pressed", String(!shown));
    button.setAttribute(
      "aria-label",
      shown ? say("showPassword", "Show password") : say("hidePassword", "Hide password"),
    );
  });
  // Hidden again before sending, so that the browser offers to save it.
  input.form?.addEventListener("submit", () => {
    input.type = "password";
  });
  input.after(button);
});
