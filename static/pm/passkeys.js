// Passkey ceremonies (WebAuthn) for the your-security page and the login's second step: the server's
// options (JSON, base64url) to the browser's navigator.credentials, its answer back as JSON.
(function () {
  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function toText(buffer) {
    var raw = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, body) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(url, {method: "POST", credentials: "same-origin",
                       headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                       body: JSON.stringify(body || {})}).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || "The request failed."); }
        return data;
      });
    });
  }
  function show(element, message) { element.textContent = message; element.hidden = false; }
  function answer(credential) {
    var reply = {id: credential.id, rawId: toText(credential.rawId), type: credential.type,
                 clientExtensionResults: credential.getClientExtensionResults(), response: {}};
    ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"].forEach(function (name) {
      if (credential.response[name]) { reply.response[name] = toText(credential.response[name]); }
    });
    return reply;
  }

  var add = document.getElementById("passkey-add");
  if (add) {
    add.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("passkey-error");
      post(add.dataset.options).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        options.excludeCredentials = (options.excludeCredentials || []).map(function (c) {
          return Object.assign({}, c, {id: toBytes(c.id)});
        });
        return navigator.credentials.create({publicKey: options});
      }).then(function (credential) {
        var current = add.querySelector("[name=current_code]");
        return post(add.action, {credential: answer(credential), name: add.querySelector("[name=name]").value,
                                 current_code: current ? current.value : ""});
      }).then(function (done) {
        if (done.recovery_codes.length) {
          var list = document.getElementById("passkey-codes");
          done.recovery_codes.forEach(function (code) {
            var item = document.createElement("li"); item.textContent = code; list.appendChild(item);
          });
          document.getElementById("passkey-codes-box").hidden = false;
        } else {
          window.location = done.next;
        }
      }).catch(function (failure) { show(error, failure.message); });
    });
  }

  // Signing in with a passkey: at the login's second step ("passkey-use", the user's passkeys
  // allowed), or alone on the login page ("passkey-discover": no user named, the passkey names them).
  ["passkey-use", "passkey-discover"].forEach(function (id) {
    var button = document.getElementById(id);
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var error = document.getElementById("passkey-error");
      post(button.dataset.options).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.allowCredentials = (options.allowCredentials || []).map(function (c) {
          return Object.assign({}, c, {id: toBytes(c.id)});
        });
        return navigator.credentials.get({publicKey: options});
      }).then(function (credential) {
        return post(button.dataset.verify, answer(credential));
      }).then(function (done) { window.location = done.next; })
        .catch(function (failure) { show(error, failure.message); });
    });
  });
})();
