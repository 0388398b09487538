/* fairpool ratio explorer: inlined into the HTML report; vanilla JavaScript, no library, no
 * network. It reads the JSON of <script id="fairpool-data"> (exact sweeps computed by fairpool
 * in Python) and shows, at the slider's value, every party's amount, the verdict in words, the
 * core band and the marks. It computes nothing new: every number shown is one of the JSON's. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fairpool-data").textContent);
  var P = data.phrases;
  var lines = data.lines;
  var SVG = "http://www.w3.org/2000/svg";
  if (!lines.length) { document.documentElement.dataset.explorerReady = "1"; return; }

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? String(fields[key]) : m;
    });
  }
  /* As fairpool.reports.i18n.format_money: thousands separators, fixed decimals, unit. */
  function money(v) {
    if (v === null || !isFinite(v)) { return "\u2014"; }
    var text = Math.abs(v).toFixed(data.decimals);
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    text = parts.join(".");
    if (v < 0 && Number(text.replace(/,/g, "")) !== 0) { text = "-" + text; }
    return data.unit ? text + " " + data.unit : text;
  }
  /* As fairpool.reports.i18n.format_ratio: a percentage with one decimal. */
  function pct(v) { return (v * 100).toFixed(1) + "%"; }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function key(line) { return [line.party, line.stream, line.phase, line.project].join("\u0001"); }
  var byKey = {};
  lines.forEach(function (line) { byKey[key(line)] = line; });
  function partyName(id) {
    for (var i = 0; i < data.parties.length; i++) {
      if (data.parties[i].id === id) { return data.parties[i].name; }
    }
    return id;
  }
  function unique(field, party) {
    var seen = [];
    lines.forEach(function (line) {
      if (line.party === party && seen.indexOf(line[field]) < 0) { seen.push(line[field]); }
    });
    seen.sort(function (a, b) { return a === "*" ? -1 : b === "*" ? 1 : 0; });
    return seen;
  }

  /* -- controls ---------------------------------------------------------------------------- */
  var controls = document.getElementById("explorer-controls");
  var selects = {};
  function addSelect(field, label) {
    var wrap = el("label", {}, label);
    var select = el("select", { id: "explorer-" + field, "data-field": field });
    wrap.appendChild(select);
    controls.appendChild(wrap);
    selects[field] = select;
    select.addEventListener("change", function () { pick(field); });
  }
  addSelect("party", P.party);
  var parties = [];
  lines.forEach(function (line) { if (parties.indexOf(line.party) < 0) { parties.push(line.party); } });
  parties.forEach(function (id) { selects.party.appendChild(el("option", { value: id }, partyName(id))); });
  [["stream", P.stream], ["phase", P.phase], ["project", P.project]].forEach(function (pair) {
    var used = lines.some(function (line) { return line[pair[0]] !== "*"; });
    if (used) { addSelect(pair[0], pair[1]); }
  });
  function refreshOptions() {
    ["stream", "phase", "project"].forEach(function (field) {
      var select = selects[field];
      if (!select) { return; }
      var keep = select.value || "*";
      select.textContent = "";
      unique(field, selects.party.value).forEach(function (v) {
        select.appendChild(el("option", { value: v }, v === "*" ? P.html_all : v));
      });
      select.value = unique(field, selects.party.value).indexOf(keep) >= 0 ? keep : "*";
    });
  }
  function chosen() {
    return {
      party: selects.party.value,
      stream: selects.stream ? selects.stream.value : "*",
      phase: selects.phase ? selects.phase.value : "*",
      project: selects.project ? selects.project.value : "*"
    };
  }
  /* The line of the chosen party, stream, phase and project; when that combination was not
   * swept, the fields other than the one just changed fall back to "all". */
  function pick(changed) {
    if (changed === "party") { refreshOptions(); }
    var want = chosen();
    var line = byKey[key(want)];
    ["phase", "stream", "project"].forEach(function (field) {
      if (!line && field !== changed && selects[field]) {
        want[field] = "*";
        selects[field].value = "*";
        line = byKey[key(want)];
      }
    });
    show(line || lines[0], true);
  }

  /* -- outputs ----------------------------------------------------------------------------- */
  var slider = document.getElementById("explorer-slider");
  var current = null;
  slider.addEventListener("input", function () { render(Number(slider.value)); });
  function nearest(values, target) {
    var best = 0;
    for (var i = 1; i < values.length; i++) {
      if (Math.abs(values[i] - target) < Math.abs(values[best] - target)) { best = i; }
    }
    return best;
  }
  function show(line, reset) {
    current = line;
    slider.max = String(line.values.length - 1);
    if (reset) {
      var start = line.marks.current !== undefined ? line.marks.current
        : line.band ? (line.band[0] + line.band[1]) / 2 : line.values[0];
      slider.value = String(nearest(line.values, start));
    }
    drawMarks(line);
    render(Number(slider.value));
  }
  function drawMarks(line) {
    var box = document.getElementById("explorer-marks");
    box.textContent = "";
    ["current", "shapley", "nucleolus"].forEach(function (name) {
      var where = line.marks[name];
      var title = fill(P.html_explorer_mark, { party: partyName(line.party), method: data.markNames[name] });
      if (where === undefined || where === null) {
        box.appendChild(el("span", { title: title },
          fill(P.html_explorer_value, { what: data.markNames[name], value: P.html_explorer_not_reached })));
        return;
      }
      var button = el("button", { type: "button", title: title, "data-mark": name },
        data.markNames[name] + " \u2248 " + pct(where));
      button.addEventListener("click", function () {
        slider.value = String(nearest(line.values, where));
        render(Number(slider.value));
      });
      box.appendChild(button);
    });
  }
  function render(i) {
    var line = current;
    var value = line.values[i];
    var what = fill(line.kind === "share" ? P.html_explorer_share_of : P.html_explorer_ratio_of,
      { party: partyName(line.party) });
    var out = document.getElementById("explorer-value");
    out.textContent = fill(P.html_explorer_value, { what: what, value: pct(value) });
    out.dataset.value = String(value);
    out.dataset.index = String(i);
    var cost = data.orientation === "cost";
    var excess = line.worstExcess[i];
    var sentence = line.inCore[i]
      ? fill(cost ? P.html_explorer_stable_cost : P.html_explorer_stable,
        { value: pct(value), parties: line.worst[i], amount: money(Math.abs(excess)) })
      : fill(cost ? P.html_explorer_blocked_cost : P.html_explorer_blocked,
        { value: pct(value), parties: line.worst[i], amount: money(excess) });
    if (line.within && !line.within[i]) {
      sentence += P.html_sentence_gap + (line.withinKind === "within_budgets"
        ? P.html_explorer_outside_budgets : P.html_explorer_outside_rules);
    }
    var verdict = document.getElementById("explorer-verdict");
    verdict.textContent = sentence;
    verdict.className = "sentence " + (line.inCore[i] ? "good" : "bad");
    verdict.dataset.inCore = String(line.inCore[i]);
    verdict.dataset.worstExcess = String(excess);
    var band = P.html_explorer_no_band;
    if (line.band) {
      band = fill(P.html_explorer_band, { lo: pct(line.band[0]), hi: pct(line.band[1]) });
      var same = line.bandRules && line.bandRules[0] === line.band[0] && line.bandRules[1] === line.band[1];
      if (line.hasRules && !same) {
        band += line.bandRules
          ? fill(P.html_explorer_band_rules, { lo: pct(line.bandRules[0]), hi: pct(line.bandRules[1]) })
          : P.html_explorer_no_band_rules;
      }
    }
    document.getElementById("explorer-band").textContent = band;
    renderTable(line, i);
    drawChart(line, i);
    document.documentElement.dataset.explorerReady = "1";
  }
  function renderTable(line, i) {
    var table = document.getElementById("explorer-table");
    table.textContent = "";
    var head = el("tr");
    [P.party, P.html_explorer_at_value + " (" + data.amountWord + ")", P.alone, P.html_explorer_vs]
      .forEach(function (h, k) { head.appendChild(el("th", k ? { class: "num" } : {}, h)); });
    table.appendChild(head);
    data.parties.forEach(function (party, k) {
      var amount = line.amounts[k][i];
      var row = el("tr", { "data-party": party.id });
      var name = el("td", {}, party.name);
      name.insertBefore(el("i", { class: "swatch", style: "background:" + party.colour }), name.firstChild);
      row.appendChild(name);
      row.appendChild(el("td", { class: "num amount", "data-value": String(amount) }, money(amount)));
      row.appendChild(el("td", { class: "num" }, money(party.alone)));
      var change = amount - party.current;
      row.appendChild(el("td", { class: "num" }, (change > 0 ? "+" : "") + money(change)));
      table.appendChild(row);
    });
  }

  /* -- chart ------------------------------------------------------------------------------- */
  function ticks(low, high) {
    if (high <= low) { low -= 1; high += 1; }
    var raw = (high - low) / 5;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * magnitude; })
      .filter(function (s) { return s >= raw; })[0];
    var out = [];
    for (var v = Math.floor(low / step) * step; v < high + step * 0.999; v += step) { out.push(v); }
    return out;
  }
  function axis(v) {
    return Math.abs(v) >= 10 ? Math.round(v).toLocaleString("en-US") : String(Number(v.toPrecision(3)));
  }
  function drawChart(line, i) {
    var box = document.getElementById("explorer-chart");
    box.textContent = "";
    var W = 900, H = 320, L = 80, R = W - 20, T = 14, B = H - 34;
    var all = [0];
    line.amounts.forEach(function (a) { a.forEach(function (v) { if (v !== null) { all.push(v); } }); });
    var ys = ticks(Math.min.apply(null, all), Math.max.apply(null, all));
    var lo = ys[0], hi = ys[ys.length - 1];
    var x0 = line.values[0], x1 = line.values[line.values.length - 1];
    function px(v) { return L + (v - x0) / ((x1 - x0) || 1) * (R - L); }
    function py(v) { return B - (v - lo) / ((hi - lo) || 1) * (B - T); }
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", class: "chart", role: "img" });
    [[line.band, "band"], [line.hasRules ? line.bandRules : null, "band rules"]].forEach(function (pair) {
      if (!pair[0]) { return; }
      var a = Math.max(pair[0][0], x0), b = Math.min(pair[0][1], x1);
      if (b >= a) {
        root.appendChild(svg("rect", { x: px(a), y: T, width: Math.max(px(b) - px(a), 1.5), height: B - T, class: pair[1] }));
      }
    });
    ys.forEach(function (v) {
      root.appendChild(svg("line", { x1: L, x2: R, y1: py(v), y2: py(v), class: v === 0 ? "zero" : "grid" }));
      var t = svg("text", { x: L - 6, y: py(v) + 4, "text-anchor": "end", class: "tick" });
      t.textContent = axis(v);
      root.appendChild(t);
    });
    for (var k = 0; k <= 10; k++) {
      var xv = x0 + (x1 - x0) * k / 10;
      var tx = svg("text", { x: px(xv), y: B + 16, "text-anchor": "middle", class: "tick" });
      tx.textContent = pct(xv);
      root.appendChild(tx);
    }
    ["current", "shapley", "nucleolus"].forEach(function (name) {
      var where = line.marks[name];
      if (where === undefined || where === null) { return; }
      root.appendChild(svg("line", { x1: px(where), x2: px(where), y1: T, y2: B, class: "mark" }));
      var label = svg("text", { x: px(where) + 3, y: T + 10 + 12 * ["current", "shapley", "nucleolus"].indexOf(name), class: "tick" });
      label.textContent = data.markNames[name];
      root.appendChild(label);
    });
    data.parties.forEach(function (party, k) {
      var points = line.values.map(function (v, j) { return px(v).toFixed(1) + "," + py(line.amounts[k][j]).toFixed(1); });
      root.appendChild(svg("polyline", { points: points.join(" "), fill: "none", stroke: party.colour, "stroke-width": 2 }));
    });
    root.appendChild(svg("line", { x1: px(line.values[i]), x2: px(line.values[i]), y1: T, y2: B, class: "cursor" }));
    data.parties.forEach(function (party, k) {
      var dot = svg("circle", { cx: px(line.values[i]), cy: py(line.amounts[k][i]), r: 4.5, fill: party.colour, stroke: "#fff" });
      var tip = svg("title", {});
      tip.textContent = party.name + ": " + money(line.amounts[k][i]);
      dot.appendChild(tip);
      root.appendChild(dot);
    });
    box.appendChild(root);
  }

  selects.party.value = lines[0].party;
  refreshOptions();
  ["stream", "phase", "project"].forEach(function (field) {
    if (selects[field]) { selects[field].value = lines[0][field]; }
  });
  show(lines[0], true);
})();
