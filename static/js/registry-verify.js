// Check, in the browser, that this page's entry is in the signed tree (RFC 9162 2.1.3.2).
(function () {
  "use strict";
  // the page's language: the catalogue at /jsi18n/ (Django's) defines gettext; without it, English
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  };

  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function unhex(text) {
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i += 1) out[i] = parseInt(text.substr(i * 2, 2), 16);
    return out;
  }

  async function sha256(...parts) {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const joined = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  }

  async function verify() {
    const result = document.getElementById("verify-result");
    const list = document.getElementById("audit-path");
    const text = document.getElementById("entry-text");
    const leafHash = document.getElementById("leaf-hash").textContent.trim();
    const path = Array.from(list.querySelectorAll("code"), (c) => unhex(c.textContent.trim()));
    const root = document.getElementById("root-hash").textContent.trim();
    let fn = Number(list.dataset.leafIndex);
    let sn = Number(list.dataset.treeSize) - 1;
    // a withheld entry has no text to hash: its leaf hash is what the tree holds
    let r = text
      ? await sha256(new Uint8Array([0]), new TextEncoder().encode(text.textContent))
      : unhex(leafHash);
    const leafOk = hex(r) === leafHash;
    let extra = false;
    for (const p of path) {
      if (sn === 0) {
        extra = true; // more hashes than the tree has levels: not a valid audit path
        break;
      }
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(new Uint8Array([1]), p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = await sha256(new Uint8Array([1]), r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    const ok = leafOk && !extra && sn === 0 && hex(r) === root;
    result.textContent = ok
      ? gettext("Verified: this entry is in the signed tree.")
      : gettext("NOT verified: the entry, its leaf hash or the audit path does not match the signed root.");
    result.className = ok ? "ok" : "fail";
  }

  document.getElementById("verify").addEventListener("click", () => {
    verify().catch((error) => {
      document.getElementById("verify-result").textContent = interpolate(gettext("Could not verify: %(error)s"), { error: String(error) }, true);
    });
  });
})();
