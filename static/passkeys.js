// Passkeys, through navigator.credentials and the JSON API: signing in on
// the login page (a button, and autofill in the email field where the
// browser offers it), adding one on the account page, and confirming it is
// you (in place of the password) before a sensitive change. Without this
// script, or in a browser without passkeys, the pages work with passwords
// and the passkey controls stay hidden.
"use strict";

(() => {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  // Binary fields travel as base64url text (WebAuthn's JSON form).
  const decode = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
  };
  const encode = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  const withIds = (list) => (list || []).map((item) => ({ ...item, id: decode(item.id) }));

  // The words of this script, in the page's language: data- attributes of
  // <body> (English where a page has none).
  const say = (name, english) => document.body.dataset[name] || english;

  // A refusal of the service, with its status and its JSON message (the
  // API's words, English: a page says its own).
  class Refused extends Error {
    constructor(message, status) {
      super(message || "");
      this.status = status;
      // The ceremony outlived passkeys.timeout (autofill starts one as the
      // page opens), or was used already.
      this.expired = this.message.startsWith("passkey ceremony expired");
    }
  }

  const post = async (url, body) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Refused(answer.message, response.status);
    }
    return answer;
  };

  // What to tell a person when a ceremony fails; `signingIn`: on the login
  // page, where a device may hold no passkey of this site at all.
  const sentence = (error, signingIn) => {
    if (error instanceof Refused && error.expired) {
      return say("passkeyTooLong", "That took too long. Try again.");
    }
    if (error instanceof Refused && error.status === 401) {
      return say("passkeyNotAccepted", "This passkey was not accepted: it may have been removed from your account. Log in with your password.");
    }
    if (error instanceof Refused && error.status === 429) {
      return say("passkeyThrottled", "Too many attempts. Try again in a few minutes.");
    }
    if (error instanceof Refused) {
      return say("passkeyRequestFailed", "The request failed.");
    }
    switch (error && error.name) {
      case "NotAllowedError":
        if (signingIn) {
          return say("passkeyNoneHere", "No passkey was used: this device may hold none for this site, or the request was cancelled. Log in with your password; you can add a passkey on your account page.");
        }
        return say("passkeyNotUsed", "The passkey was not used: the request was cancelled, timed out, or your device could not confirm it was you.");
      case "InvalidStateError":
        return say("passkeyAlreadyHere", "This device already holds a passkey for your account.");
      case "SecurityError":
        return say("passkeyWrongAddress", "Passkeys do not work at this address.");
      default:
        return say("passkeyFailed", "Your browser could not use a passkey. Try again, or use your password.");
    }
  };

  const show = (alert, error, signingIn) => {
    alert.textContent = sentence(error, signingIn);
    alert.hidden = false;
  };

  // `text` beside the field `input`, as the pages show an error: tied to
  // it for assistive technology, and the field focused.
  const fieldError = (input, text) => {
    const id = `${input.id}-error`;
    let error = document.getElementById(id);
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.id = id;
      input.closest(".field").appendChild(error);
    }
    error.textContent = text;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.focus();
  };

  // Forgets the errors `fieldError` put beside the fields of `form`.
  const clearFieldErrors = (form) => {
    for (const input of form.querySelectorAll('[aria-invalid="true"]')) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      document.getElementById(`${input.id}-error`).hidden = true;
    }
  };

  // The answer to navigator.credentials.get(), as the JSON API reads it.
  const assertion = (credential) => {
    const response = credential.response;
    return {
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: encode(response.authenticatorData),
        clientDataJSON: encode(response.clientDataJSON),
        signature: encode(response.signature),
        userHandle: response.userHandle ? encode(response.userHandle) : null,
      },
      extensions: credential.getClientExtensionResults(),
    };
  };

  // The options of a ceremony that asks for a passkey, for
  // navigator.credentials.get().
  const requestOptions = (publicKey) => ({
    ...publicKey,
    challenge: decode(publicKey.challenge),
    allowCredentials: withIds(publicKey.allowCredentials),
  });

  // Signing in: the login page.
  const signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    const alert = document.getElementById("passkey-error");
    const remember = document.getElementById("remember");
    let autofill = null;

    const run = async (mediation, signal) => {
      const { ceremony, options } = await post(signIn.dataset.options, {});
      const credential = await navigator.credentials.get({
        mediation,
        signal,
        publicKey: requestOptions(options.publicKey),
      });
      await post(signIn.dataset.finish, {
        ceremony,
        remember: Boolean(remember && remember.checked),
        credential: assertion(credential),
      });
      window.location.assign(signIn.dataset.next);
    };

    // Autofill: the browser offers passkeys in the email field.
    const offerAutofill = async () => {
      const available =
        PublicKeyCredential.isConditionalMediationAvailable &&
        (await PublicKeyCredential.isConditionalMediationAvailable());
      if (!available) {
        return;
      }
      autofill = new AbortController();
      try {
        await run("conditional", autofill.signal);
      } catch (error) {
        if (error.name !== "AbortError") {
          show(alert, error, true);
        }
      }
    };

    document.getElementById("passkey-button").addEventListener("click", async () => {
      alert.hidden = true;
      if (autofill) {
        autofill.abort();
        autofill = null;
      }
      try {
        await run("optional");
      } catch (error) {
        show(alert, error, true);
      }
    });
    signIn.hidden = false;
    offerAutofill();
  }

  // Confirming it is you before a sensitive change: the passkey proves
  // the session's owner, then the change goes on without the password.
  const confirm = document.getElementById("passkey-confirm");
  if (confirm) {
    const alert = document.getElementById("passkey-error");
    const form = document.getElementById("confirm-form");
    const button = document.getElementById("passkey-button");
    button.addEventListener("click", async () => {
      alert.hidden = true;
      button.disabled = true;
      try {
        const { ceremony, options } = await post(confirm.dataset.options, {});
        const credential = await navigator.credentials.get({
          publicKey: requestOptions(options.publicKey),
        });
        await post(confirm.dataset.finish, { ceremony, credential: assertion(credential) });
        form.elements.password.disabled = true;
        form.submit();
      } catch (error) {
        show(alert, error);
        button.disabled = false;
      }
    });
    confirm.hidden = false;
  }

  // Adding one: the account page.
  const add = document.getElementById("passkey-add");
  if (add) {
    const alert = document.getElementById("passkey-error");
    const form = document.getElementById("passkey-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      alert.hidden = true;
      clearFieldErrors(form);
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        const { ceremony, options } = await post(add.dataset.options, {
          name: form.elements.name.value,
          password: form.elements.password.value,
        });
        const publicKey = options.publicKey;
        const credential = await navigator.credentials.create({
          publicKey: {
            ...publicKey,
            challenge: decode(publicKey.challenge),
            user: { ...publicKey.user, id: decode(publicKey.user.id) },
            excludeCredentials: withIds(publicKey.excludeCredentials),
          },
        });
        const response = credential.response;
        await post(add.dataset.finish, {
          ceremony,
          credential: {
            id: credential.id,
            rawId: encode(credential.rawId),
            type: credential.type,
            response: {
              attestationObject: encode(response.attestationObject),
              clientDataJSON: encode(response.clientDataJSON),
              transports: response.getTransports ? response.getTransports() : [],
            },
            extensions: credential.getClientExtensionResults(),
          },
        });
        window.location.reload();
      } catch (error) {
        // A wrong password, or a name refused: beside its field. As on
        // every form here, a refused password is not kept (the name is).
        const { name, password } = form.elements;
        password.value = "";
        if (error instanceof Refused && error.status === 403) {
          fieldError(password, say("passkeyWrongPassword", "Wrong password."));
        } else if (error instanceof Refused && error.status === 400 && error.message.startsWith("name")) {
          fieldError(name, say("passkeyNameRefused", "Name the passkey in 64 characters at most, without invisible characters."));
        } else if (error instanceof Refused && error.status === 400 && error.message.startsWith("password")) {
          fieldError(password, say("passkeyPasswordRequired", "Enter your password."));
        } else {
          show(alert, error);
        }
        button.disabled = false;
      }
    });
    add.hidden = false;
    document.getElementById("passkey-unsupported").hidden = true;
  }
})();
