// The todo page: the daily picture, the list (newest first, paged) and the form.
// Tasks are user input: they are only ever rendered with textContent, never as HTML.
"use strict";

const MAX_TASK_CHARS = 140; // the server's limit, in Unicode scalar values
const PAGE_SIZE = 50;
const REQUEST_TIMEOUT_MS = 15000;

const byId = (id) => document.getElementById(id);
const form = byId("todo-form");
const taskInput = byId("todo-task");
const submitButton = byId("todo-submit");
const counter = byId("todo-counter");
const messages = byId("messages");
const list = byId("todo-list");
const emptyNote = byId("empty");
const loadMoreButton = byId("load-more");
const photo = byId("daily-photo");
const photoCaption = byId("daily-photo-caption");

// --- talking to the API -------------------------------------------------------

// Resolves with the parsed JSON body; rejects with an Error whose message is the
// server's own `{"error": "..."}` text, or says the network failed.
async function api(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Error("Network problem: no answer from the server. Please try again.");
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(payload?.error ?? `The server answered with status ${response.status}.`);
  }
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

// --- the list -------------------------------------------------------------------

let oldestLoadedId = null; // keyset paging cursor for "Load more"

function renderTodo(todo) {
  const item = document.createElement("li");
  item.className = "todo";
  item.dataset.id = String(todo.id);
  item.classList.toggle("done", todo.done);

  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = todo.done;
  box.addEventListener("change", () => setDone(todo.id, box, item));
  const text = document.createElement("span");
  text.className = "task";
  text.textContent = todo.task;
  label.append(box, text);

  const created = document.createElement("time");
  created.dateTime = todo.created_at;
  created.textContent = new Date(todo.created_at).toLocaleString();

  item.append(label, created);
  return item;
}

function showEmptyNote() {
  emptyNote.hidden = list.children.length > 0;
}

async function loadPage() {
  const cursor = oldestLoadedId === null ? "" : `&before=${oldestLoadedId}`;
  loadMoreButton.disabled = true;
  list.setAttribute("aria-busy", "true");
  try {
    const { todos } = await api("GET", `/api/todos?limit=${PAGE_SIZE}${cursor}`);
    list.append(...todos.map(renderTodo));
    if (todos.length > 0) oldestLoadedId = todos[todos.length - 1].id;
    loadMoreButton.hidden = todos.length < PAGE_SIZE;
    showEmptyNote();
  } catch (error) {
    say(`Could not load the todos. ${error.message}`, true);
  } finally {
    list.removeAttribute("aria-busy");
    loadMoreButton.disabled = false;
  }
}

// Ignores clicks while the previous change of the same todo is being saved.
async function setDone(id, box, item) {
  if (item.getAttribute("aria-busy") === "true") {
    box.checked = !box.checked;
    return;
  }
  item.setAttribute("aria-busy", "true");
  const wanted = box.checked;
  try {
    const todo = await api("PATCH", `/api/todos/${id}`, { done: wanted });
    box.checked = todo.done;
    item.classList.toggle("done", todo.done);
    say(""); // an earlier error no longer applies
  } catch (error) {
    box.checked = !wanted;
    say(`Could not update the todo. ${error.message}`, true);
  } finally {
    item.removeAttribute("aria-busy");
  }
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
  list.querySelector(`li[data-id="${todo.id}"]`)?.remove();
  list.prepend(renderTodo(todo));
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
loadMoreButton.addEventListener("click", loadPage);
watchPhoto();
updateCounter();
loadPage();
