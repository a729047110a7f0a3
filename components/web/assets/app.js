// The todo page: the daily picture, the form and the shared list (newest first, paged,
// filtered by All / Open / Done through the URL's fragment, #/open and #/done, so links, reloads
// and the back button keep the filter; kept current by polling), where the todos this browser
// wrote (`mine`, by its session cookie) can be marked done, edited in place (saved with Enter or
// by leaving the field, cancelled with Escape) and deleted with an undo; others' todos are shown
// without those controls. Your own todos can be marked all done or all open at once, and your
// done ones cleared: the server changes a bounded batch per request and says whether more
// remain, and the page asks again until none do.
// Tasks are user input: they are only ever rendered with textContent, never as HTML.
"use strict";

const MAX_TASK_CHARS = 140; // the server's limit, in Unicode scalar values
const PAGE_SIZE = 50;
const REQUEST_TIMEOUT_MS = 15000;
const UNDO_MS = 5000;
const POLL_MS = 2000; // while the page is visible and the server answers
const MAX_POLL_BACKOFF_MS = 60000; // after repeated failures

const byId = (id) => document.getElementById(id);
const form = byId("todo-form");
const taskInput = byId("todo-task");
const submitButton = byId("todo-submit");
const counter = byId("todo-counter");
const messages = byId("messages");
const listStatus = byId("list-status");
const list = byId("todo-list");
const emptyNote = byId("empty");
const loadMoreButton = byId("load-more");
const undoBar = byId("undo");
const undoText = byId("undo-text");
const undoButton = byId("undo-button");
const filterLinks = [...document.querySelectorAll("[data-filter]")];
const openCount = byId("open-count");
const bulk = byId("bulk");
const toggleAll = byId("toggle-all");
const clearCompleted = byId("clear-completed");
const photo = byId("daily-photo");
const photoCaption = byId("daily-photo-caption");

// --- talking to the API -------------------------------------------------------

// The response, whatever its status; rejects only when no answer came.
async function send(method, path, { body, headers = {}, keepalive = false } = {}) {
  const init = {
    method,
    headers: { ...headers },
    cache: "no-store", // the list's ETag is handled here, not by the HTTP cache
    keepalive,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return await fetch(path, init);
  } catch {
    throw new Error("Network problem: no answer from the server. Please try again.");
  }
}

// An Error whose message is the server's own `{"error": "..."}` text, with the status.
function answerError(response, payload) {
  const error = new Error(payload?.error ?? `The server answered with status ${response.status}.`);
  error.status = response.status;
  return error;
}

// Resolves with the parsed JSON body (null for 204); rejects with an answerError or a
// network error.
async function api(method, path, body, headers = {}) {
  const response = await send(method, path, { body, headers });
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw answerError(response, payload);
  if (payload === null) throw new Error("The server sent an unreadable answer.");
  return payload;
}

function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // UUID version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- messages -------------------------------------------------------------------

function say(text, isError = false) {
  messages.textContent = text;
  messages.classList.toggle("error", isError);
}

// --- what is shown --------------------------------------------------------------

const FILTERS = { "#/open": "open", "#/done": "done" }; // anything else shows all

const view = {
  filter: FILTERS[location.hash] ?? "all", // "all" | "open" | "done"
  generation: 0, // bumped when the filter changes: answers for an earlier filter are dropped
  changes: 0, // bumped by every change made here: list answers sent before it are stale
  etag: null, // of the first page of this filter, sent as If-None-Match
  counts: { all: 0, open: 0, done: 0 },
  oldestLoadedId: null, // keyset paging cursor for "Load more"
};
const rendered = new Map(); // todo id -> entry (its elements and the todo it shows)

function filterQuery() {
  return view.filter === "all" ? "" : `&done=${view.filter === "done"}`;
}

function belongsToView(todo) {
  return view.filter === "all" || todo.done === (view.filter === "done");
}

// A local change was saved: refresh now, and drop list answers that predate it.
function changed() {
  view.changes += 1;
  pollSoon();
}

function showCounts() {
  const counts = { ...view.counts };
  const deleting = pendingDelete?.entry.todo;
  if (deleting) {
    counts.all -= 1;
    counts[deleting.done ? "done" : "open"] -= 1;
  }
  for (const name of ["all", "open", "done"]) byId(`count-${name}`).textContent = String(counts[name]);
  openCount.textContent = `${counts.open} open`;
}

const EMPTY_NOTES = { all: "Nothing to do yet.", open: "Nothing left to do.", done: "Nothing done yet." };

function showEmptyNote() {
  emptyNote.textContent = EMPTY_NOTES[view.filter];
  emptyNote.hidden = [...rendered.values()].some((entry) => !entry.item.hidden);
}

// --- one todo ---------------------------------------------------------------------

function renderTodo(todo) {
  const item = document.createElement("li");
  item.className = "todo";
  item.dataset.id = String(todo.id);

  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  const text = document.createElement("span");
  text.className = "task";
  label.append(box, text);

  const created = document.createElement("time");
  item.append(label, created);

  const entry = {
    item, label, box, text, created, todo,
    editor: null,
    actions: null, editButton: null, deleteButton: null, // the author's controls (showControls)
  };
  box.addEventListener("change", () => setDone(entry));
  showTodo(entry, todo);
  return entry;
}

// Only a todo's author may change it: the controls exist on the caller's own todos alone.
function showControls(entry, mine) {
  entry.box.disabled = !mine;
  if (mine === (entry.actions !== null)) return;
  if (!mine) {
    entry.actions.remove();
    Object.assign(entry, { actions: null, editButton: null, deleteButton: null });
    return;
  }
  const editButton = actionButton("Edit");
  const deleteButton = actionButton("Delete");
  editButton.addEventListener("click", () => startEdit(entry));
  deleteButton.addEventListener("click", () => startDelete(entry));
  const actions = document.createElement("div");
  actions.className = "actions";
  actions.append(editButton, deleteButton);
  entry.item.append(actions);
  Object.assign(entry, { actions, editButton, deleteButton });
}

function actionButton(name) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `secondary ${name.toLowerCase()}`;
  button.textContent = name;
  return button;
}

function showTodo(entry, todo) {
  entry.todo = todo;
  entry.item.classList.toggle("done", todo.done);
  entry.box.checked = todo.done;
  entry.text.textContent = todo.task;
  entry.created.dateTime = todo.created_at;
  entry.created.textContent = new Date(todo.created_at).toLocaleString();
  showControls(entry, todo.mine);
  // Names a screen reader can tell apart: "Edit Buy milk", not a list of "Edit".
  entry.editButton?.setAttribute("aria-label", `Edit ${todo.task}`);
  entry.deleteButton?.setAttribute("aria-label", `Delete ${todo.task}`);
}

const isBusy = (entry) => entry.item.getAttribute("aria-busy") === "true";

function setBusy(entry, busy) {
  if (busy) entry.item.setAttribute("aria-busy", "true");
  else entry.item.removeAttribute("aria-busy");
}

// Held entries are not touched by a refresh: the user is working with them.
function isHeld(entry) {
  return entry.editor !== null || isBusy(entry) || pendingDelete?.entry === entry;
}

function removeEntry(entry) {
  if (entry.item.contains(document.activeElement)) focusNeighbourOf(entry.item);
  // After a filter change the same todo may be shown by a new entry: leave that one.
  if (rendered.get(entry.todo.id) === entry) rendered.delete(entry.todo.id);
  entry.item.remove();
  showEmptyNote();
}

// Focus goes to the next todo still shown (else the previous one, else the form), not to
// the top of the page.
function focusNeighbourOf(item) {
  const items = [...list.children];
  const at = items.indexOf(item);
  const shown = (other) => other !== item && !other.hidden;
  const neighbour = items.slice(at + 1).find(shown) ?? items.slice(0, at).reverse().find(shown);
  (neighbour?.querySelector("input") ?? taskInput).focus();
}

// Ignores clicks while the previous change of the same todo is being saved.
async function setDone(entry) {
  if (isBusy(entry)) {
    entry.box.checked = !entry.box.checked;
    return;
  }
  setBusy(entry, true);
  const wanted = entry.box.checked;
  try {
    const todo = await api("PATCH", `/api/todos/${entry.todo.id}`, { done: wanted });
    showTodo(entry, todo);
    say(""); // an earlier error no longer applies
    setBusy(entry, false);
    if (!belongsToView(todo)) removeEntry(entry);
    changed();
  } catch (error) {
    entry.box.checked = !wanted;
    setBusy(entry, false);
    failedChange(entry, error, `Could not update the todo. ${error.message}`);
  }
}

// A 404 means someone else deleted the todo: it goes from the list too.
function failedChange(entry, error, message) {
  if (error.status === 404) {
    say("This todo was deleted elsewhere.", true);
    removeEntry(entry);
    changed();
  } else {
    say(message, true);
  }
}

// --- editing in place ---------------------------------------------------------------

function startEdit(entry) {
  if (entry.editor !== null) return;
  const editor = document.createElement("form");
  editor.className = "editor";
  const input = document.createElement("input");
  input.type = "text";
  input.maxLength = MAX_TASK_CHARS;
  input.autocomplete = "off";
  input.value = entry.todo.task;
  input.setAttribute("aria-label", "Edit task");
  input.setAttribute("aria-describedby", "edit-hint");
  editor.append(input);
  // Enter submits a form with one text field; Escape is ours; leaving the field saves, and
  // leaves the focus where the user put it.
  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    saveEdit(entry, input.value, { refocus: true });
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    stopEdit(entry);
  });
  input.addEventListener("blur", () => {
    if (entry.editor === editor) saveEdit(entry, input.value, { refocus: false });
  });
  entry.label.hidden = true;
  entry.editButton.hidden = true;
  entry.label.after(editor);
  entry.editor = editor;
  input.focus();
}

// Closes the editor (set to null first: removing the focused field may fire its blur);
// the focus goes back to Edit unless the user has put it elsewhere.
function stopEdit(entry, { refocus = true } = {}) {
  const editor = entry.editor;
  entry.editor = null;
  editor?.remove();
  entry.label.hidden = false;
  entry.editButton.hidden = false;
  if (refocus) entry.editButton.focus();
}

// The server judges the task, as on create (trimmed, 1 to 140 characters): its 422
// message is shown and the editor stays open. An unchanged task closes it without a request.
async function saveEdit(entry, task, { refocus }) {
  if (isBusy(entry)) return;
  if (task.trim() === entry.todo.task) {
    stopEdit(entry, { refocus });
    return;
  }
  setBusy(entry, true);
  try {
    const todo = await api("PATCH", `/api/todos/${entry.todo.id}`, { task });
    showTodo(entry, todo);
    stopEdit(entry, { refocus: refocus || entry.editor?.contains(document.activeElement) });
    say("Todo saved.");
    changed();
  } catch (error) {
    if (error.status === 404) stopEdit(entry, { refocus });
    failedChange(entry, error, error.message); // as on create: the server's own words
  } finally {
    setBusy(entry, false);
  }
}

// --- deleting, with an undo -----------------------------------------------------------

// The DELETE is sent only when the undo window has passed (or the page is left), so an
// undo needs no request and the todo keeps its id, position and state; a todo is never
// re-created, and nothing is removed on the server that the user took back.
let pendingDelete = null; // { entry, timer }

function startDelete(entry) {
  if (pendingDelete) commitDelete(); // one undo at a time: the earlier delete goes ahead
  if (entry.editor !== null) stopEdit(entry);
  pendingDelete = { entry, timer: setTimeout(commitDelete, UNDO_MS) };
  entry.item.hidden = true;
  undoText.textContent = `Deleted “${entry.todo.task}”.`;
  undoBar.hidden = false;
  undoButton.focus();
  say("");
  showCounts();
  showEmptyNote();
}

function undoDelete() {
  if (!pendingDelete) return;
  const { entry } = pendingDelete;
  endUndoWindow();
  entry.item.hidden = false;
  entry.deleteButton.focus();
  say("Todo restored.");
  showCounts();
  showEmptyNote();
}

function endUndoWindow() {
  clearTimeout(pendingDelete.timer);
  pendingDelete = null;
  if (undoBar.contains(document.activeElement)) taskInput.focus();
  undoBar.hidden = true;
}

async function commitDelete() {
  const { entry } = pendingDelete;
  endUndoWindow();
  try {
    await api("DELETE", `/api/todos/${entry.todo.id}`);
  } catch (error) {
    // 404: someone else deleted it first, which is what was asked.
    if (error.status !== 404) {
      entry.item.hidden = false;
      say(`Could not delete the todo. ${error.message}`, true);
      showCounts();
      showEmptyNote();
      return;
    }
  }
  forgetDeleted(entry);
  changed();
}

// A deleted todo leaves the list and the counts (until the refresh brings the server's counts).
function forgetDeleted(entry) {
  view.counts.all -= 1;
  view.counts[entry.todo.done ? "done" : "open"] -= 1;
  removeEntry(entry);
  showCounts();
}

// Leaving the page ends the undo window: the delete the user saw still happens, and a page
// restored from the back/forward cache shows it done (no timer left to fire, no undo bar).
function sendPendingDelete() {
  if (!pendingDelete) return;
  const { entry } = pendingDelete;
  endUndoWindow();
  send("DELETE", `/api/todos/${entry.todo.id}`, { keepalive: true }).catch(() => {});
  forgetDeleted(entry);
}

// --- loading and refreshing the list -------------------------------------------------

// The first page of the current filter, only when it changed (If-None-Match: 304 otherwise).
async function refresh() {
  const { generation, changes } = view;
  const headers = view.etag === null ? {} : { "If-None-Match": view.etag };
  const response = await send("GET", `/api/todos?limit=${PAGE_SIZE}${filterQuery()}`, { headers });
  if (response.status === 304) return;
  const payload = await response.json().catch(() => null);
  if (!response.ok || payload === null) throw answerError(response, payload);
  if (generation !== view.generation) return;
  if (changes !== view.changes) {
    pollAgain = true; // sent before a change made here: it may not show it yet
    return;
  }
  view.etag = response.headers.get("etag");
  showFirstPage(payload);
  await refreshMine();
}

// Merges the first page into what is shown, keeping elements (and focus) of todos that are
// still there; older pages loaded with "Load more" stay.
function showFirstPage({ todos, counts }) {
  const firstLoad = list.getAttribute("aria-busy") === "true";
  const full = todos.length === PAGE_SIZE;
  const pageEnd = full ? todos[todos.length - 1].id : 0; // todos older than this are not in it
  const onPage = new Set(todos.map((todo) => todo.id));
  for (const [id, entry] of rendered) {
    if (id >= pageEnd && !onPage.has(id) && !isHeld(entry)) removeEntry(entry);
  }
  let arrived = 0;
  let previous = null;
  for (const todo of todos) {
    let entry = rendered.get(todo.id);
    if (entry === undefined) {
      entry = renderTodo(todo);
      rendered.set(todo.id, entry);
      arrived += 1;
    } else if (!isHeld(entry)) {
      showTodo(entry, todo);
    }
    const expected = previous === null ? list.firstElementChild : previous.item.nextElementSibling;
    if (expected !== entry.item) list.insertBefore(entry.item, expected);
    previous = entry;
  }
  const olderLoaded = [...rendered.keys()].some((id) => id < pageEnd);
  if (!olderLoaded) {
    view.oldestLoadedId = todos.length > 0 ? todos[todos.length - 1].id : null;
    loadMoreButton.hidden = !full;
  }
  view.counts = counts;
  showCounts();
  showEmptyNote();
  list.removeAttribute("aria-busy");
  if (!firstLoad && arrived > 0) {
    listStatus.textContent = arrived === 1 ? "1 new todo." : `${arrived} new todos.`;
  }
}

async function loadMore() {
  const { generation } = view;
  loadMoreButton.disabled = true;
  list.setAttribute("aria-busy", "true");
  try {
    const before = `&before=${view.oldestLoadedId}`;
    const { todos, counts } = await api("GET", `/api/todos?limit=${PAGE_SIZE}${before}${filterQuery()}`);
    if (generation !== view.generation) return;
    for (const todo of todos) {
      if (rendered.has(todo.id)) continue;
      const entry = renderTodo(todo);
      rendered.set(todo.id, entry);
      list.append(entry.item);
    }
    if (todos.length > 0) view.oldestLoadedId = todos[todos.length - 1].id;
    loadMoreButton.hidden = todos.length < PAGE_SIZE;
    view.counts = counts;
    showCounts();
    showEmptyNote();
  } catch (error) {
    say(`Could not load more todos. ${error.message}`, true);
  } finally {
    list.removeAttribute("aria-busy");
    loadMoreButton.disabled = false;
  }
}

function markCurrentFilter() {
  for (const link of filterLinks) {
    if (link.dataset.filter === view.filter) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// The fragment changed (a filter link, the back or forward button, a typed URL).
function showFilterOfUrl() {
  const filter = FILTERS[location.hash] ?? "all";
  if (filter !== view.filter) showFilter(filter);
}

function showFilter(filter) {
  if (pendingDelete) commitDelete();
  view.filter = filter;
  view.generation += 1;
  view.etag = null;
  markCurrentFilter();
  for (const entry of rendered.values()) entry.item.remove();
  rendered.clear();
  loadMoreButton.hidden = true;
  list.setAttribute("aria-busy", "true");
  listStatus.textContent = "";
  pollSoon();
}

// --- your own todos, all at once -------------------------------------------------------

// How many of your todos are open and done, counted up to the server's bound (then "1000+").
async function refreshMine() {
  const mine = await api("GET", "/api/todos/mine");
  const shown = (count) => (count >= mine.counted_up_to ? `${count}+` : String(count));
  bulk.hidden = mine.open + mine.done === 0;
  toggleAll.checked = mine.open === 0 && mine.done > 0;
  clearCompleted.hidden = mine.done === 0;
  clearCompleted.textContent = `Clear completed (${shown(mine.done)})`;
}

// Sends one bulk request after another until the server says none remain; `what` names the
// change in messages. Returns how many todos were changed.
async function inBatches(method, path, body, what) {
  let changedCount = 0;
  for (;;) {
    const { changed: count, more } = await api(method, path, body);
    changedCount += count;
    if (!more) return changedCount;
    say(`${what}: ${changedCount} so far…`);
  }
}

async function runBulk(control, method, path, body, what, done) {
  control.disabled = true;
  say(`${what}…`);
  try {
    const count = await inBatches(method, path, body, what);
    say(done(count));
  } catch (error) {
    say(`${what} stopped. ${error.message}`, true);
  } finally {
    control.disabled = false;
    changed();
  }
}

function markAllOfMine() {
  const done = toggleAll.checked;
  const what = done ? "Marking your todos done" : "Marking your todos open";
  const plural = (count) => (count === 1 ? "1 todo" : `${count} todos`);
  runBulk(toggleAll, "PATCH", "/api/todos/mine", { done }, what, (count) =>
    `${plural(count)} marked ${done ? "done" : "open"}.`,
  );
}

function clearMyCompleted() {
  const plural = (count) => (count === 1 ? "1 done todo" : `${count} done todos`);
  runBulk(clearCompleted, "DELETE", "/api/todos/mine?done=true", undefined, "Clearing your done todos", (count) =>
    `${plural(count)} cleared.`,
  );
}

// --- polling: every POLL_MS while visible; slower after failures; paused while hidden ---

let pollTimer = null;
let polling = false;
let pollAgain = false; // a refresh was asked for while one was under way
let pollFailures = 0;

function pollSoon() {
  if (polling) pollAgain = true;
  else poll();
}

async function poll() {
  clearTimeout(pollTimer);
  pollTimer = null;
  if (polling || document.hidden) return; // becoming visible polls again
  polling = true;
  let delay = POLL_MS;
  try {
    await refresh();
    pollFailures = 0;
    if (listStatus.classList.contains("error")) listStatus.textContent = "";
    listStatus.classList.remove("error");
  } catch (error) {
    pollFailures += 1;
    delay = Math.min(POLL_MS * 2 ** pollFailures, MAX_POLL_BACKOFF_MS);
    const seconds = Math.round(delay / 1000);
    const why = error.status === undefined ? "no answer from the server." : error.message;
    listStatus.textContent = `The list may be out of date: ${why} Trying again in ${seconds} s.`;
    listStatus.classList.add("error");
    list.removeAttribute("aria-busy"); // nothing more is coming for now
  } finally {
    polling = false;
  }
  if (pollAgain) {
    pollAgain = false;
    delay = 0;
  }
  if (!document.hidden) pollTimer = setTimeout(poll, delay);
}

function onVisibilityChange() {
  if (document.hidden) clearTimeout(pollTimer);
  else pollSoon();
}

// --- the form -------------------------------------------------------------------

// One key per logical submission: a retry of the same text reuses it, so the server
// stores the todo once even if an earlier attempt's answer was lost.
let pendingCreate = null;

function idempotencyKeyFor(task) {
  if (pendingCreate?.task !== task) pendingCreate = { task, key: newIdempotencyKey() };
  return pendingCreate.key;
}

function countChars(text) {
  return [...text].length; // code points, as the server counts; "ä" and "😀" are one each
}

function updateCounter() {
  const count = countChars(taskInput.value);
  counter.textContent = `${count} / ${MAX_TASK_CHARS} characters`;
  counter.classList.toggle("over", count > MAX_TASK_CHARS);
}

function showCreated(todo) {
  if (rendered.has(todo.id) || !belongsToView(todo)) return;
  const entry = renderTodo(todo);
  rendered.set(todo.id, entry);
  list.prepend(entry.item);
  showEmptyNote();
}

async function submitTodo(event) {
  event.preventDefault();
  if (submitButton.disabled) return;
  const task = taskInput.value;
  submitButton.disabled = true;
  say("Saving…");
  try {
    const todo = await api("POST", "/api/todo", { task }, { "Idempotency-Key": idempotencyKeyFor(task) });
    pendingCreate = null;
    showCreated(todo);
    taskInput.value = "";
    updateCounter();
    say("Todo added.");
    changed();
  } catch (error) {
    say(error.message, true);
  } finally {
    submitButton.disabled = false;
    taskInput.focus();
  }
}

// --- the daily picture ------------------------------------------------------------

function explainMissingPhoto() {
  photo.hidden = true;
  photoCaption.textContent = "Today's picture is not available right now.";
}

function watchPhoto() {
  // The picture may have failed before this deferred script ran.
  if (photo.complete && photo.naturalWidth === 0) explainMissingPhoto();
  else photo.addEventListener("error", explainMissingPhoto);
}

// --- start ------------------------------------------------------------------------

taskInput.addEventListener("input", updateCounter);
form.addEventListener("submit", submitTodo);
loadMoreButton.addEventListener("click", loadMore);
undoButton.addEventListener("click", undoDelete);
toggleAll.addEventListener("change", markAllOfMine);
clearCompleted.addEventListener("click", clearMyCompleted);
window.addEventListener("hashchange", showFilterOfUrl);
document.addEventListener("visibilitychange", onVisibilityChange);
window.addEventListener("pagehide", sendPendingDelete);
watchPhoto();
updateCounter();
markCurrentFilter();
poll();
