// The hotline console's page script: search as you type, the calculator, keyboard shortcuts.
// No library, no outside request: everything comes from this server's API (relative URLs, so the console
// works wherever it is mounted). All wording comes from the page (#ui-words).
"use strict";

const words = JSON.parse(document.getElementById("ui-words").textContent);
const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function passageLink(source, label) {
  if (!source || !source.href) return document.createTextNode(label);
  return el("a", {href: source.href, target: "_blank", rel: "noopener", class: "passage-link",
                  title: `${source.section}：${source.quote}`}, label);
}

// Text with footnote marks ［1］ turned into links to the cited passages.
function citedText(text, sources) {
  const container = el("div", {class: "answer-text"});
  for (const line of text.split("\n")) {
    const paragraph = el("p");
    let rest = line;
    const mark = /［(\d+)］/;
    let found;
    while ((found = mark.exec(rest)) !== null) {
      paragraph.append(rest.slice(0, found.index));
      const source = sources[Number(found[1]) - 1];
      paragraph.append(passageLink(source, found[0]));
      rest = rest.slice(found.index + found[0].length);
    }
    paragraph.append(rest);
    container.append(paragraph);
  }
  return container;
}

function sourceList(sources) {
  if (!sources.length) return null;
  return el("details", {class: "sources", open: true},
    el("summary", {text: words.passages}),
    el("ol", {}, sources.map((s) => el("li", {},
      el("span", {class: "section", text: s.section}), " ",
      el("q", {text: s.quote}), " ",
      passageLink(s, words.open_passage)))));
}

async function getJSON(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of params) if (value !== "" && value !== null) query.append(key, value);
  const response = await fetch(`${path}?${query}`, {headers: {Accept: "application/json"},
                                                    credentials: "same-origin", signal: params.signal});
  const body = await response.json();
  return {ok: response.ok, status: response.status, body};
}

function showError(target, body) {
  target.replaceChildren(el("div", {class: "error", role: "alert"},
    el("b", {text: `${words.error}：`}), body && body.message ? body.message : words.network,
    body && body.suggestions && body.suggestions.length ? el("div", {}, body.suggestions.join("、")) : null));
}

// --- tabs --------------------------------------------------------------------------------------------------------
const tabs = ["search", "calc", "docs"];
function selectTab(name, focus = true) {
  for (const tab of tabs) {
    const selected = tab === name;
    $(`#tab-${tab}`).setAttribute("aria-selected", String(selected));
    $(`#panel-${tab}`).hidden = !selected;
  }
  if (!focus) return;
  if (name === "search") $("#q").focus();
  else if (name === "calc") $("#calc-birth").focus();
  else $("#panel-docs a") && $("#panel-docs a").focus();
}
for (const tab of tabs) $(`#tab-${tab}`).addEventListener("click", () => selectTab(tab));

// --- search as you type ------------------------------------------------------------------------------------------
const searchInput = $("#q");
const searchRegion = $("#search-region");
const searchResults = $("#search-results");
const searchStatus = $("#search-status");
let searchTimer = null;
let searchController = null;
let searchSerial = 0;

function scheduleSearch(delay = 180) {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, delay);
}

async function runSearch() {
  const query = searchInput.value.trim();
  const serial = ++searchSerial;
  if (searchController) searchController.abort();
  if (!query) {
    searchResults.replaceChildren();
    searchStatus.textContent = words.no_query;
    return;
  }
  searchController = new AbortController();
  searchStatus.textContent = words.searching;
  try {
    const params = [["q", query], ["region", searchRegion.value]];
    params.signal = searchController.signal;
    const {ok, body} = await getJSON("api/search", params);
    if (serial !== searchSerial) return;  // a newer keystroke has its own request
    searchStatus.textContent = "";
    if (!ok) return showError(searchResults, body);
    renderSearch(body);
  } catch (error) {
    if (error.name !== "AbortError" && serial === searchSerial) showError(searchResults, null);
  }
}

function suggestionButtons(suggestions) {
  return suggestions.map((s) => el("button", {type: "button", class: "suggestion",
    onclick: () => { searchInput.value = s.question; runSearch(); searchInput.focus(); }}, s.question));
}

function figuresTable(rows) {
  if (!rows.length) return null;
  return el("div", {class: "table-wrap"}, el("table", {class: "figures", id: "search-figures"},
    el("caption", {text: words.figures}),
    el("thead", {}, el("tr", {}, [words.col_region, words.col_item, words.col_detail, words.col_personal,
                                  words.col_source].map((w) => el("th", {scope: "col", text: w})))),
    el("tbody", {}, rows.map((row) => el("tr", {},
      el("th", {scope: "row", text: row.region}),
      el("td", {text: row.item}),
      el("td", {text: row.detail}),
      el("td", {class: "amount", text: row.personal === null ? (row.detail ? "" : words.unknown)
                                                            : `${row.personal}${words.yuan}`}),
      el("td", {}, passageLink(row.source, `${row.source.section} ${words.open_passage}`)))))));
}

function renderSearch(body) {
  const parts = [];
  if (body.kind === "answer") {
    parts.push(el("p", {class: "matched"}, `${words.matched}：`, el("b", {text: body.question}),
                  el("span", {class: "score", text: ` ${words.score} ${body.score}`})));
    parts.push(figuresTable(body.figures));
    parts.push(el("div", {class: "answers"}, body.answers.map((answer) => el("article", {class: "answer",
      "data-region": answer.region},
      el("h3", {}, answer.region, " ", el("a", {href: `doc/${answer.document_id}`, target: "_blank",
                                               rel: "noopener", class: "doc-link", text: answer.document_title})),
      citedText(answer.text, answer.sources),
      sourceList(answer.sources)))));
    const others = body.suggestions.filter((s) => s.faq_id !== body.faq_id).slice(0, 4);
    if (others.length) parts.push(el("div", {class: "others"}, `${words.other_questions}：`, suggestionButtons(others)));
  } else {
    const answer = body.answers[0];
    parts.push(el("div", {class: "not-sure"}, answer ? citedText(answer.text, answer.sources) : null,
                  body.suggestions.length ? el("div", {class: "others"}, suggestionButtons(body.suggestions)) : null));
  }
  if (body.passages.length) {
    parts.push(el("details", {class: "passages", id: "search-passages", open: body.kind !== "answer"},
      el("summary", {text: words.full_text}),
      el("ol", {}, body.passages.map((p) => el("li", {},
        el("b", {text: `${p.region} ${p.section}`}), " ", p.excerpt, " ",
        el("a", {href: p.href, target: "_blank", rel: "noopener", class: "passage-link", text: words.open_passage}))))));
  }
  searchResults.replaceChildren(...parts.filter(Boolean));
  searchResults.dataset.query = body.query;  // which question the results answer (the input may have moved on)
}

searchInput.addEventListener("input", () => scheduleSearch());
searchRegion.addEventListener("change", () => scheduleSearch(0));
$("#search-form").addEventListener("submit", (event) => { event.preventDefault(); scheduleSearch(0); });
searchInput.addEventListener("keydown", (event) => {
  if (event.key === "Escape") { searchInput.value = ""; runSearch(); }
  if (event.key === "ArrowDown") {
    const first = searchResults.querySelector("a, button");
    if (first) { event.preventDefault(); first.focus(); }
  }
});
searchResults.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const focusable = [...searchResults.querySelectorAll("a, button")];
  const index = focusable.indexOf(document.activeElement);
  if (index < 0) return;
  event.preventDefault();
  const next = index + (event.key === "ArrowDown" ? 1 : -1);
  if (next < 0) searchInput.focus();
  else if (next < focusable.length) focusable[next].focus();
});

// --- calculator --------------------------------------------------------------------------------------------------
let options = null;
const calcForm = $("#calc-form");
const calcRegion = $("#calc-region");
const statusFilter = $("#status-filter");
const statusList = $("#status-list");
const statusChosen = $("#status-chosen");
const calcResult = $("#calc-result");
const chosen = new Map();  // key -> option
let relatedKeys = null;  // options the server offered for what was typed (a status this document splits)

function currentJurisdiction() {
  return options ? options.jurisdictions.find((j) => j.name === calcRegion.value) : null;
}

function optionKey(option) { return option.values.join("+"); }

function matchesFilter(option, text) {
  if (!text) return true;
  const needle = text.toLowerCase();
  return option.label.toLowerCase().includes(needle) ||
         option.words.some((w) => w.toLowerCase().includes(needle) || needle.includes(w.toLowerCase()));
}

function renderStatuses() {
  const jurisdiction = currentJurisdiction();
  if (!jurisdiction) return;
  const text = statusFilter.value.trim();
  const items = jurisdiction.statuses.filter((option) => relatedKeys
    ? relatedKeys.has(optionKey(option)) : matchesFilter(option, text));
  statusList.replaceChildren(...items.map((option) => {
    const key = optionKey(option);
    const id = `status-${key.replace(/[^a-z0-9_]/g, "-")}`;
    const box = el("input", {type: "checkbox", id, value: key, checked: chosen.has(key),
      onchange: (event) => toggleStatus(option, event.target.checked)});
    return el("li", {role: "option", "aria-selected": String(chosen.has(key))}, box,
      el("label", {for: id}, option.label,
         option.kind === "situation" ? el("span", {class: "tag", text: words.situation}) : null));
  }));
  if (!items.length) statusList.replaceChildren(el("li", {class: "hint", text: words.no_match}));
  statusChosen.replaceChildren(...(chosen.size ? [...chosen.values()].map((option) => el("span", {class: "chip"},
    option.label, el("button", {type: "button", "aria-label": `${words.remove} ${option.label}`,
                                onclick: () => { toggleStatus(option, false); statusFilter.focus(); }}, "×")))
    : [el("span", {class: "hint", text: `${words.chosen}：${words.no_status}`})]));
  $("#status-automatic").textContent = jurisdiction.automatic.length
    ? `${words.automatic}：${jurisdiction.automatic.join("；")}` : "";
}

function toggleStatus(option, on) {
  const key = optionKey(option);
  if (on) chosen.set(key, option); else chosen.delete(key);
  renderStatuses();
}

function renderFacts() {
  const jurisdiction = currentJurisdiction();
  const box = $("#calc-facts");
  box.replaceChildren(...(jurisdiction ? jurisdiction.facts : []).map((fact) => el("label", {class: "fact"},
    fact.question, " ",
    el("select", {name: "fact", "data-fact": fact.id},
      el("option", {value: "", text: words.fact_unknown}),
      el("option", {value: "yes", text: words.fact_yes}),
      el("option", {value: "no", text: words.fact_no})))));
}

// What the resident said, read on the server as the dialog reads it: homophones (低报), several statuses at
// once (低保和残疾), words of their own (五保户). Named options are chosen; narrower ones are listed to pick.
async function resolveStatuses(text) {
  const message = $("#status-message");
  const {ok, body} = await getJSON("api/statuses", [["region", calcRegion.value], ["q", text]]);
  if (!ok) { message.textContent = body.message.replace(/^[a-z_]+: /, ""); return; }
  const jurisdiction = currentJurisdiction();
  for (const option of jurisdiction.statuses) if (body.keys.includes(optionKey(option))) chosen.set(optionKey(option), option);
  statusFilter.value = "";
  relatedKeys = body.related.length ? new Set(body.related) : null;
  message.textContent = body.related.length ? words.pick_related : "";
  renderStatuses();
  const first = statusList.querySelector("input");
  if (relatedKeys && first) first.focus();
}

calcRegion.addEventListener("change", () => {
  chosen.clear(); relatedKeys = null; statusFilter.value = ""; $("#status-message").textContent = "";
  renderStatuses(); renderFacts();
});
statusFilter.addEventListener("input", () => { relatedKeys = null; $("#status-message").textContent = ""; renderStatuses(); });
statusFilter.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    const text = statusFilter.value.trim();
    // A word of the list itself (五保, 断保) picks its first option here; anything else (低报和五保户) is read
    // on the server.
    const needle = text.toLowerCase();
    const statuses = currentJurisdiction().statuses;
    const direct = statuses.find((option) => [option.label, ...option.words].some((w) => w.toLowerCase() === needle)) ||
      statuses.find((option) => [option.label, ...option.words].some((w) => w.toLowerCase().includes(needle)));
    if (text && direct && !relatedKeys) { toggleStatus(direct, true); statusFilter.value = ""; renderStatuses(); }
    else if (text) resolveStatuses(text).catch(() => showError(calcResult, null));
    else calcForm.requestSubmit();
  }
  if (event.key === "ArrowDown") {
    const first = statusList.querySelector("input");
    if (first) { event.preventDefault(); first.focus(); }
  }
  if (event.key === "Backspace" && !statusFilter.value && chosen.size) {
    const last = [...chosen.values()].pop();
    toggleStatus(last, false);
  }
});
statusList.addEventListener("keydown", (event) => {
  const boxes = [...statusList.querySelectorAll("input")];
  const index = boxes.indexOf(document.activeElement);
  if (index < 0) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = index + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) statusFilter.focus(); else if (next < boxes.length) boxes[next].focus();
  }
  if (event.key === "Enter") { event.preventDefault(); calcForm.requestSubmit(); }
});

function calcParams() {
  const params = [["region", calcRegion.value], ["birth", $("#calc-birth").value.trim()],
                  ["date", $("#calc-date").value.trim()]];
  for (const option of chosen.values()) for (const value of option.values) params.push(["category", value]);
  for (const select of document.querySelectorAll("#calc-facts select")) {
    if (select.value) params.push(["fact", `${select.dataset.fact}=${select.value}`]);
  }
  if ($("#calc-nonlocal").checked) params.push(["non_local", "true"]);
  return params;
}

function list(title, items, ordered, id) {
  if (!items.length) return null;
  return el("section", {class: "block", id}, el("h3", {text: title}),
            el(ordered ? "ol" : "ul", {}, items.map((item) => el("li", {text: item}))));
}

function renderCalc(body) {
  const quote = body.quote;
  const parts = [];
  if (!body.covered) {
    // The one-line error names its field for tools ("date: …"); staff read the sentence.
    parts.push(el("div", {class: "reason", role: "status"}, el("p", {text: body.reason.replace(/^[a-z_]+: /, "")}),
                  el("p", {class: "reference-label"}, el("b", {text: `${words.reference}：`}), body.reference_label)));
  }
  parts.push(el("div", {class: "table-wrap"}, el("table", {class: `figures quote${body.reference ? " is-reference" : ""}`,
                                                          id: "calc-figures"},
    el("caption", {}, body.reference ? `${words.reference} · ` : "", words.figures_title, " — ", quote.document_title),
    el("tbody", {}, body.figures.map((figure) => el("tr", {"data-key": figure.key},
      el("th", {scope: "row", text: figure.label}),
      el("td", {class: figure.key === "personal_payment" ? "amount big" : "", text: figure.value}),
      el("td", {class: "links"}, figure.sources.map((s) => passageLink(s, s.section)))))))));
  parts.push(el("section", {class: "block", id: "calc-categories"}, el("h3", {text: words.categories}),
    el("p", {}, quote.categories.length ? quote.categories.join("；") : words.none,
       quote.winning_category ? el("span", {}, ` → ${words.winner}：`, el("b", {text: quote.winning_category})) : null)));
  parts.push(list(words.missing, quote.missing_facts.map((f) => f.question), false, "calc-missing"));
  parts.push(list(words.trace, quote.trace, true, "calc-trace"));
  parts.push(list(words.notes, quote.notes, false, "calc-notes"));
  parts.push(list(words.steps, quote.steps, true, "calc-steps"));
  parts.push(sourceList(body.sources));
  const text = el("textarea", {id: "resident-text", readonly: true, rows: 9, "aria-label": words.resident});
  text.value = body.resident_text;
  const feedback = el("span", {class: "copy-feedback", "aria-live": "polite"});
  // The resident says how they will pay: add that channel's steps to the text.
  const channel = body.resident_channels.length ? el("label", {class: "channel"}, `${words.channel}：`,
    el("select", {id: "resident-channel", onchange: (event) => {
      text.value = body.resident_texts[event.target.value] || body.resident_text;
      feedback.textContent = "";
    }}, el("option", {value: "", text: words.no_channel}),
    body.resident_channels.map((c) => el("option", {value: c.id, text: c.label})))) : null;
  parts.push(el("section", {class: "block resident"}, el("h3", {text: words.resident}), channel, text,
    el("div", {}, el("button", {type: "button", id: "copy-resident", onclick: () => copyResident(text, feedback)},
                     words.copy, " ", el("kbd", {text: "Alt+C"})), " ", feedback)));
  calcResult.replaceChildren(...parts.filter(Boolean));
}

async function copyResident(textarea, feedback) {
  try {
    await navigator.clipboard.writeText(textarea.value);
    feedback.textContent = words.copied;
  } catch (error) {
    textarea.focus();
    textarea.select();
    feedback.textContent = document.execCommand && document.execCommand("copy") ? words.copied : words.copy_failed;
  }
}

calcForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  calcResult.replaceChildren(el("p", {class: "status", text: words.calculating}));
  try {
    const {ok, body} = await getJSON("api/calculate", calcParams());
    if (!ok) return showError(calcResult, body);
    renderCalc(body);
  } catch (error) {
    showError(calcResult, null);
  }
});

async function loadOptions() {
  try {
    const {ok, body} = await getJSON("api/options", []);
    if (!ok) return showError(calcResult, body);
    options = body;
    renderStatuses();
    renderFacts();
    document.body.dataset.ready = "true";
  } catch (error) {
    showError(calcResult, null);
  }
}

// --- keyboard ----------------------------------------------------------------------------------------------------
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (event.altKey && ["1", "2", "3"].includes(event.key)) {
    event.preventDefault();
    selectTab(tabs[Number(event.key) - 1]);
  } else if (event.altKey && (event.key === "r" || event.key === "R")) {
    event.preventDefault();
    selectTab("calc", false);
    calcRegion.focus();
  } else if (event.altKey && (event.key === "c" || event.key === "C")) {
    const button = $("#copy-resident");
    if (button) { event.preventDefault(); button.click(); }
  } else if (event.key === "/" && !typing) {
    event.preventDefault();
    selectTab("search");
  }
});

searchStatus.textContent = words.no_query;
loadOptions();
