/* 申报条件设置: a form that builds each condition as a tree; the server writes it as the rules
   language (policies/builder.py) and shows it in the 高级 tab. No expression is typed here. */
(function () {
  "use strict";
  var root = document.getElementById("builder");
  if (!root) return;
  var cat = JSON.parse(document.getElementById("builder-catalogue").textContent);
  var form = document.getElementById("policy-form");
  var hidden = form.querySelector("[name=builder_json]");
  var mode = form.querySelector("[name=cond_mode]");
  var adv = form.querySelector("[name=conditions]");
  var exprUrl = document.getElementById("builder-urls").dataset.expr;
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var rows = [];
  try { rows = JSON.parse(hidden.value || "[]"); } catch (e) { rows = []; }
  if (!mode.value) mode.value = "builder";

  var KINDS = [
    ["cmp", "指标比较"], ["growth", "增长率"], ["ratio", "占比"], ["flag", "是/否项"],
    ["holds", "持有有效称号"], ["first", "首次获得称号"], ["honor", "持有有效荣誉"],
    ["eligible", "符合认定标准"], ["group", "条件组"]
  ];
  var numFields = cat.fields.filter(function (f) { return f.kind === "num"; });
  var boolFields = cat.fields.filter(function (f) { return f.kind === "bool"; });

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k]; else n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  function select(options, value, label, onchange) {
    var s = el("select", {"aria-label": label});
    options.forEach(function (o) {
      var opt = el("option", {value: o[0], text: o[1]});
      if (String(o[0]) === String(value)) opt.selected = true;
      s.appendChild(opt);
    });
    s.addEventListener("change", function () { onchange(s.value); });
    return s;
  }
  function multi(options, values, label, onchange) {
    var box = el("span", {"class": "choices", "aria-label": label});
    options.forEach(function (o) {
      var cb = el("input", {type: "checkbox", value: o.key});
      cb.checked = (values || []).indexOf(o.key) >= 0;
      cb.addEventListener("change", function () {
        onchange(Array.prototype.filter.call(box.querySelectorAll("input"), function (i) { return i.checked; })
          .map(function (i) { return i.value; }));
      });
      box.appendChild(el("label", {}, [cb, document.createTextNode(o.label + " ")]));
    });
    return box;
  }
  function unitOf(path) {
    var f = cat.fields.filter(function (x) { return x.path === path; })[0];
    return f ? f.unit : "";
  }
  function fresh(kind) {
    var first = numFields[0] ? numFields[0].path : "";
    switch (kind) {
      case "group": return {t: "group", op: "and", items: [fresh("cmp")]};
      case "growth": return {t: "growth", field: cat.growth[0].name, op: ">=", value: ""};
      case "ratio": return {t: "ratio", num: first, den: first, op: ">=", value: ""};
      case "flag": return {t: "flag", field: boolFields[0].path, value: false};
      case "holds": return {t: "holds", tiers: []};
      case "first": return {t: "first", tier: cat.tiers[0].key};
      case "honor": return {t: "honor", types: []};
      case "eligible": return {t: "eligible", standard: cat.standards[0].key};
      default: return {t: "cmp", field: first, op: ">=", value: ""};
    }
  }
  var OPS = cat.ops.map(function (o) { return [o.op, o.label]; });
  var NUMS = numFields.map(function (f) { return [f.path, f.label]; });

  function valueInput(node, unit) {
    var i = el("input", {type: "text", inputmode: "decimal", size: "10", value: node.value || "",
      "aria-label": "数值"});
    i.addEventListener("input", function () { node.value = i.value; changed(false); });
    return el("span", {}, [i, el("span", {"class": "muted", text: " " + (unit || "")})]);
  }

  function leaf(node, onReplace) {
    var line = el("div", {"class": "cond-line"});
    line.appendChild(select(KINDS, node.t, "条件类型", function (k) { onReplace(fresh(k)); }));
    if (node.t === "cmp") {
      line.appendChild(select(NUMS, node.field, "指标", function (v) { node.field = v; render(); }));
      line.appendChild(select(OPS, node.op, "比较方式", function (v) { node.op = v; changed(); }));
      line.appendChild(valueInput(node, unitOf(node.field)));
    } else if (node.t === "growth") {
      line.appendChild(select(cat.growth.map(function (g) { return [g.name, "上年" + g.label + "比前年增长"]; }),
        node.field, "指标", function (v) { node.field = v; changed(); }));
      line.appendChild(select(OPS, node.op, "比较方式", function (v) { node.op = v; changed(); }));
      line.appendChild(valueInput(node, "%"));
    } else if (node.t === "ratio") {
      line.appendChild(select(NUMS, node.num, "分子", function (v) { node.num = v; changed(); }));
      line.appendChild(el("span", {text: " 占 "}));
      line.appendChild(select(NUMS, node.den, "分母", function (v) { node.den = v; changed(); }));
      line.appendChild(el("span", {text: " 的比例 "}));
      line.appendChild(select(OPS, node.op, "比较方式", function (v) { node.op = v; changed(); }));
      line.appendChild(valueInput(node, "%"));
    } else if (node.t === "flag") {
      line.appendChild(select(boolFields.map(function (f) { return [f.path, f.label]; }), node.field, "是/否项",
        function (v) { node.field = v; changed(); }));
      line.appendChild(select([["true", "是"], ["false", "否"]], String(node.value), "是或否",
        function (v) { node.value = v === "true"; changed(); }));
    } else if (node.t === "holds") {
      line.appendChild(multi(cat.tiers, node.tiers, "称号（任一）", function (v) { node.tiers = v; changed(); }));
    } else if (node.t === "first") {
      line.appendChild(select(cat.tiers.map(function (t) { return [t.key, t.label]; }), node.tier, "称号",
        function (v) { node.tier = v; changed(); }));
    } else if (node.t === "honor") {
      line.appendChild(multi(cat.honors, node.types, "荣誉（任一）", function (v) { node.types = v; changed(); }));
    } else if (node.t === "eligible") {
      line.appendChild(select(cat.standards.map(function (s) { return [s.key, s.label]; }), node.standard,
        "认定标准", function (v) { node.standard = v; changed(); }));
    }
    return line;
  }

  function group(node, depth, onRemoveSelf) {
    var box = el("div", {"class": "cond-group", style: "margin-left:" + (depth ? 1.5 : 0) + "em"});
    var head = el("div", {"class": "cond-line"});
    head.appendChild(select(cat.groups.map(function (g) { return [g.op, g.label]; }), node.op, "组合方式",
      function (v) { node.op = v; changed(); }));
    if (onRemoveSelf) {
      var rm = el("button", {type: "button", "class": "secondary", text: "删除此组"});
      rm.addEventListener("click", onRemoveSelf);
      head.appendChild(rm);
    }
    box.appendChild(head);
    node.items.forEach(function (item, i) {
      var replace = function (n) { node.items[i] = n; render(); };
      var remove = function () { node.items.splice(i, 1); if (!node.items.length) node.items.push(fresh("cmp")); render(); };
      if (item.t === "group") {
        var sub = group(item, depth + 1, remove);
        sub.insertBefore(select(KINDS, "group", "条件类型", function (k) { replace(fresh(k)); }), sub.firstChild);
        box.appendChild(sub);
      } else {
        var line = leaf(item, replace);
        var del = el("button", {type: "button", "class": "secondary", text: "删除", "aria-label": "删除此判断"});
        del.addEventListener("click", remove);
        line.appendChild(del);
        box.appendChild(line);
      }
    });
    var add = el("button", {type: "button", "class": "secondary", text: "添加判断"});
    add.addEventListener("click", function () { node.items.push(fresh("cmp")); render(); });
    box.appendChild(add);
    if (depth < 3) {
      var addg = el("button", {type: "button", "class": "secondary", text: "添加条件组"});
      addg.addEventListener("click", function () { node.items.push(fresh("group")); render(); });
      box.appendChild(addg);
    }
    return box;
  }

  function render() {
    root.textContent = "";
    rows.forEach(function (row, i) {
      var card = el("fieldset", {"class": "cond"});
      card.appendChild(el("legend", {text: "条件 " + (i + 1)}));
      var label = el("input", {type: "text", size: "60", value: row.label || "", "aria-label": "条件说明",
        placeholder: "条件说明（留空则按设置自动生成）"});
      label.addEventListener("input", function () { row.label = label.value; changed(false); });
      card.appendChild(el("div", {}, [el("span", {text: "说明："}), label]));
      if (row.tree) {
        card.appendChild(group(row.tree, 0, null));
      } else {
        card.appendChild(el("p", {"class": "muted", text: "此条件较复杂，只能在“高级”页查看和修改。"}));
      }
      card.appendChild(el("p", {"class": "muted reading", id: "reading-" + i}));
      var del = el("button", {type: "button", "class": "secondary", text: "删除此条件"});
      del.addEventListener("click", function () { rows.splice(i, 1); render(); });
      card.appendChild(del);
      root.appendChild(card);
    });
    changed();
  }

  var timer = null;
  function changed() {
    hidden.value = JSON.stringify(rows);
    mode.value = "builder";
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  function refresh() {
    fetch(exprUrl, {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Content-Type": "application/json"}, body: hidden.value})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        var lines = [];
        (j.rows || []).forEach(function (r, i) {
          var p = document.getElementById("reading-" + i);
          if (p) p.textContent = r.error ? r.error : (r.reading ? "读作：" + r.reading : "");
          if (r.expr) lines.push((rows[i].label || r.reading || "") + " | " + r.expr);
        });
        adv.value = lines.join("\n");
      });
  }
  adv.addEventListener("input", function () { mode.value = "advanced"; });
  document.getElementById("add-condition").addEventListener("click", function () {
    rows.push({label: "", tree: fresh("group"), expr: ""});
    render();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-tab]"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var t = a.dataset.tab;
      document.getElementById("pane-builder").hidden = t !== "builder";
      document.getElementById("pane-advanced").hidden = t !== "advanced";
      document.getElementById("tab-builder").classList.toggle("active", t === "builder");
      document.getElementById("tab-advanced").classList.toggle("active", t === "advanced");
    });
  });
  render();
})();
