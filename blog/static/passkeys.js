// Passkeys (WebAuthn): the browser's part of adding one (Sign-in and security) and of
// logging in with one (login and code pages). The server makes the options and checks
// the answers (blog/auth/passkeys.py); this only carries them. Without JavaScript or
// WebAuthn the buttons stay hidden and codes keep working.
(function () {
  "use strict";
  if (!window.PublicKeyCredential) return;

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function askOptions(url, form) {
    var token = form.querySelector("input[name=csrf_token]").value;
    return fetch(url, {method: "POST", credentials: "same-origin",
                       headers: {"X-CSRFToken": token}})
      .then(function (r) { if (!r.ok) throw new Error("options " + r.status); return r.json(); });
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return {type: d.type, id: toBytes(d.id), transports: d.transports};
    });
  }

  function credentialJSON(credential) {
    var response = credential.response, out = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {clientDataJSON: toText(response.clientDataJSON)}
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      if (response.getTransports) out.response.transports = response.getTransports();
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      if (response.userHandle) out.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(out);
  }

  function report(form, message) {
    var status = form.querySelector(".passkey-status");
    if (status) status.textContent = message;
  }

  var add = document.getElementById("passkey-add");
  if (add) {
    add.hidden = false;
    add.addEventListener("submit", function (event) {
      if (add.elements.credential.value) return;  // the second, real submit
      event.preventDefault();
      askOptions(add.dataset.options, add).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        options.excludeCredentials = descriptors(options.excludeCredentials);
        return navigator.credentials.create({publicKey: options});
      }).then(function (credential) {
        add.elements.credential.value = credentialJSON(credential);
        add.submit();
      }).catch(function () {
        report(add, "No passkey was added (cancelled, or this device has none to offer).");
      });
    });
  }

  var login = document.getElementById("passkey-login");
  if (login) {
    login.hidden = false;
    login.addEventListener("submit", function (event) {
      if (login.elements.credential.value) return;
      event.preventDefault();
      askOptions(login.dataset.options, login).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.allowCredentials = descriptors(options.allowCredentials);
        return navigator.credentials.get({publicKey: options});
      }).then(function (credential) {
        login.elements.credential.value = credentialJSON(credential);
        login.submit();
      }).catch(function () {
        report(login, "The passkey did not answer (cancelled, or none for this site here).");
      });
    });
  }
})();
