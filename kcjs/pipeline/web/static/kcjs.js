// kcjs serve: tabs, drag and drop, checking without leaving the page. Every HTML inserted here was escaped by the server.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let current = null; // the File being checked: kept here so a changed select re-checks it without re-picking

  function showTab(name) {
    document.querySelectorAll(".tabs a").forEach((a) => a.classList.toggle("on", a.dataset.tab === name));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("on", p.id === name));
  }
  document.querySelectorAll(".tabs a").forEach((a) => a.addEventListener("click", (e) => {
    e.preventDefault(); showTab(a.dataset.tab); history.replaceState(null, "", "#" + a.dataset.tab);
  }));
  if (location.hash === "#staff") showTab("staff");

  async function post(url, data, busy, target) {
    busy.hidden = false;
    target.innerHTML = "";
    const started = performance.now();
    try {
      const r = await fetch(url + "?partial=1", { method: "POST", body: data });
      target.innerHTML = await r.text();
    } catch (err) {
      target.innerHTML = '<div class="message" role="alert">无法连接 kcjs（本机服务是否已关闭？）</div>';
    } finally {
      busy.hidden = true;
      target.dataset.ms = String(Math.round(performance.now() - started));
    }
  }

  function check() {
    if (!current) return;
    const form = $("check-form");
    const data = new FormData();
    data.append("file", current, current.name);
    for (const name of ["subprogram", "kind", "direction"]) data.append(name, form.elements[name].value);
    $("picked").textContent = "已选择：" + current.name;
    post("/check", data, $("busy"), $("result")).then(() => {
      const res = document.querySelector("#result .result");
      if (!res) return;
      for (const name of ["subprogram", "kind", "direction"]) {
        const v = res.dataset[name];
        if (v && form.elements[name].value !== v) form.elements[name].value = v;
      }
    });
  }

  // a new file: let kcjs detect its subprogram and kind afresh (the selects showed the last file's)
  function detectAgain() { for (const n of ["subprogram", "kind", "direction"]) $(n).value = ""; }

  const drop = $("drop"), input = $("file");
  if (drop && input) {
    ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
    drop.addEventListener("drop", (e) => {
      const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (f) { current = f; detectAgain(); check(); }
    });
    input.addEventListener("change", () => { if (input.files[0]) { current = input.files[0]; detectAgain(); check(); } });
    $("check-form").addEventListener("submit", (e) => { e.preventDefault(); if (input.files[0]) current = input.files[0]; check(); });
    ["subprogram", "kind", "direction"].forEach((n) => $(n).addEventListener("change", check));
  }

  const auditForm = $("audit-form");
  if (auditForm) auditForm.addEventListener("submit", (e) => {
    e.preventDefault();
    post("/audit", new FormData(auditForm), $("audit-busy"), $("audit-result"));
  });
})();
