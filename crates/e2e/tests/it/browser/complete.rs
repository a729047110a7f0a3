//! The page's TodoMVC behaviours in Chromium: the filter lives in the URL (links, back and
//! forward, reload), "N open", an edit saved when its field loses the focus, the server's reason
//! for a refused todo, your own todos marked all done or open and the done ones cleared, and
//! every control reachable and usable by keyboard with a visible focus.

use super::chrome::Browser;
use super::{ENTER, ESCAPE, open_editor, select_all, stack, text_of, wait_for_list};
use serde_json::{Value, json};

const TAB: &str = "\u{E004}"; // WebDriver's key codes
const SPACE: &str = "\u{E00D}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todo_page_behaves_as_todomvc_expects() {
    let app = stack::App::start().await;
    let browser = Browser::launch().await;
    browser.client.goto(&format!("{}/", app.base_url)).await.expect("open the page");
    wait_for_list(&browser).await;
    // Written from the page, so that they are the browser's own (its session cookie).
    for (task, done) in [("open one", false), ("done one", true), ("open two", false), ("done two", true)] {
        let todo = in_page(&browser, "POST", "/api/todo", json!({ "task": task })).await;
        if done {
            in_page(&browser, "PATCH", &format!("/api/todos/{}", todo["id"]), json!({ "done": true })).await;
        }
    }
    browser.client.refresh().await.unwrap();
    wait_for_list(&browser).await;

    the_open_count_follows_the_list(&browser, &app.base_url).await;
    the_filter_lives_in_the_url(&browser, &app.base_url).await;
    an_edit_is_saved_when_its_field_loses_the_focus(&browser, &app.base_url).await;
    escape_cancels_an_edit_without_a_request(&browser, &app.base_url).await;
    the_servers_reason_is_shown_for_a_spaces_only_todo(&browser, &app.base_url).await;
    your_todos_are_marked_all_done_or_open_and_the_done_ones_cleared(&browser, &app.base_url).await;
    every_control_is_reachable_by_keyboard_with_a_visible_focus(&browser, &app.base_url).await;
    browser.close().await;
}

async fn the_open_count_follows_the_list(browser: &Browser, base_url: &str) {
    let open = counts(base_url).await["open"].as_i64().unwrap();
    assert_eq!(open, 2);
    wait_for_text(browser, "#open-count", "2 open").await;
    post(base_url, "/api/todo", json!({ "task": "open three" })).await;
    wait_for_text(browser, "#open-count", "3 open").await;
}

/// Each filter is a link to `#/open` or `#/done`; back and forward walk through the filters
/// shown, and a reload or a typed URL shows the filter of the URL.
async fn the_filter_lives_in_the_url(browser: &Browser, base_url: &str) {
    let all = counts(base_url).await;
    click(browser, "[data-filter=open]").await;
    expect_filter(browser, "open", "#/open", &all).await;
    click(browser, "[data-filter=done]").await;
    expect_filter(browser, "done", "#/done", &all).await;

    browser.client.back().await.unwrap();
    expect_filter(browser, "open", "#/open", &all).await;
    browser.client.back().await.unwrap();
    expect_filter(browser, "all", "", &all).await;
    browser.client.forward().await.unwrap();
    expect_filter(browser, "open", "#/open", &all).await;

    browser.client.refresh().await.unwrap();
    expect_filter(browser, "open", "#/open", &all).await;
    browser.client.goto(&format!("{base_url}/#/done")).await.unwrap();
    expect_filter(browser, "done", "#/done", &all).await;
    click(browser, "[data-filter=all]").await;
    expect_filter(browser, "all", "#/", &all).await;
}

/// The page shows `filter` (its link is the current one, the URL's fragment is `hash`) and
/// exactly the todos of that filter.
async fn expect_filter(browser: &Browser, filter: &str, hash: &str, counts: &Value) {
    let shown = format!(
        "location.hash === {hash:?} && \
         document.querySelector('[data-filter={filter}]').getAttribute('aria-current') === 'page' && \
         document.querySelectorAll('[aria-current]').length === 1"
    );
    browser.wait_until(&format!("the {filter} filter is shown at {hash:?}"), &shown).await;
    wait_for_list(browser).await;
    let done = browser
        .eval("return [...document.querySelectorAll('#todo-list li')].map((li) => li.classList.contains('done'))")
        .await;
    let done: Vec<bool> = done.as_array().unwrap().iter().map(|done| done.as_bool().unwrap()).collect();
    assert_eq!(done.len() as i64, counts[filter].as_i64().unwrap(), "{filter}: {counts}");
    match filter {
        "open" => assert!(done.iter().all(|done| !done), "{done:?}"),
        "done" => assert!(done.iter().all(|done| *done), "{done:?}"),
        _ => {}
    }
}

/// Typing a new task and moving on (here: to the form's field) saves it, and the focus stays
/// where the user put it.
async fn an_edit_is_saved_when_its_field_loses_the_focus(browser: &Browser, base_url: &str) {
    let (id, item) = first_own_todo(browser).await;
    let editor = open_editor(browser, &item).await;
    select_all(&editor).await;
    editor.send_keys("  saved on blur ").await.unwrap();
    browser.find("#todo-task").await.click().await.unwrap();
    let saved = format!(
        "document.querySelector(\"{item} .task\").textContent === 'saved on blur' && \
         document.querySelector(\"{item} .editor\") === null && \
         document.activeElement === document.getElementById('todo-task')"
    );
    browser.wait_until("the edit is saved and the focus stays in the form", &saved).await;
    assert_eq!(text_of(browser, "#messages").await, "Todo saved.");
    assert_eq!(get(base_url, &format!("/api/todos/{id}")).await["task"], "saved on blur", "stored");
}

/// Escape closes the editor with the task as it was, and nothing is sent when the field then
/// loses the focus.
async fn escape_cancels_an_edit_without_a_request(browser: &Browser, base_url: &str) {
    let (id, item) = first_own_todo(browser).await;
    let before = get(base_url, &format!("/api/todos/{id}")).await;
    count_patches(browser).await;
    let editor = open_editor(browser, &item).await;
    editor.send_keys(" and more").await.unwrap();
    editor.send_keys(ESCAPE).await.unwrap();
    let closed = format!("document.querySelector(\"{item} .editor\") === null");
    browser.wait_until("Escape closed the editor", &closed).await;
    browser.find("#todo-task").await.click().await.unwrap();
    assert_eq!(text_of(browser, &format!("{item} .task")).await, before["task"].as_str().unwrap());
    assert_eq!(browser.eval("return window.patches").await, 0, "no PATCH was sent");
    assert_eq!(get(base_url, &format!("/api/todos/{id}")).await, before, "unchanged on the server");
}

/// A task of spaces passes the browser's `required` check; the server refuses it and the page
/// shows the server's own words.
async fn the_servers_reason_is_shown_for_a_spaces_only_todo(browser: &Browser, base_url: &str) {
    let refused = reqwest::Client::new()
        .post(format!("{base_url}/api/todo"))
        .header("content-type", "application/json")
        .body(json!({ "task": "   " }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let reason: Value = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    let reason = reason["error"].as_str().expect("the server's reason").to_owned();

    let all = counts(base_url).await["all"].clone();
    let input = browser.find("#todo-task").await;
    input.send_keys("   ").await.unwrap();
    input.send_keys(ENTER).await.unwrap();
    let shown = format!(
        "document.getElementById('messages').textContent === {} && \
         document.getElementById('messages').classList.contains('error')",
        Value::from(reason.as_str())
    );
    browser.wait_until("the server's reason is shown", &shown).await;
    assert_eq!(counts(base_url).await["all"], all, "nothing was added");
    input.clear().await.unwrap();
    for error in browser.console_errors().await {
        assert!(error.contains("422"), "only the refused request is logged: {error}");
    }
}

/// The toggle marks all of the browser's own todos done, then open; "Clear completed (n)" says
/// how many of its own are done and deletes those; nobody else's todo changes.
async fn your_todos_are_marked_all_done_or_open_and_the_done_ones_cleared(browser: &Browser, base_url: &str) {
    assert_eq!(own_counts(browser).await, (2, 2));
    wait_for_text(browser, "#clear-completed", "Clear completed (2)").await;
    assert_eq!(browser.eval("return document.getElementById('toggle-all').checked").await, false);
    let board_open = counts(base_url).await["open"].as_i64().unwrap();

    click(browser, "#toggle-all").await;
    wait_for_text(browser, "#messages", "2 todos marked done.").await;
    wait_for_text(browser, "#clear-completed", "Clear completed (4)").await;
    browser.wait_until("the toggle shows all done", "document.getElementById('toggle-all').checked").await;
    assert_eq!(own_counts(browser).await, (0, 4));
    assert_eq!(counts(base_url).await["open"], board_open - 2, "only the browser's own were marked");
    wait_for_text(browser, "#open-count", &format!("{} open", board_open - 2)).await;

    click(browser, "#toggle-all").await;
    wait_for_text(browser, "#messages", "4 todos marked open.").await;
    browser.wait_until("nothing to clear", "document.getElementById('clear-completed').hidden").await;
    assert_eq!(own_counts(browser).await, (4, 0));

    let (id, item) = first_own_todo(browser).await;
    browser.find(&format!("{item} input[type=checkbox]")).await.click().await.unwrap();
    wait_for_text(browser, "#clear-completed", "Clear completed (1)").await;
    click(browser, "#clear-completed").await;
    wait_for_text(browser, "#messages", "1 done todo cleared.").await;
    let gone = format!("document.querySelector(\"{item}\") === null");
    browser.wait_until("the cleared todo left the list", &gone).await;
    assert_eq!(own_counts(browser).await, (3, 0));
    let reply = reqwest::get(format!("{base_url}/api/todos/{id}")).await.unwrap();
    assert_eq!(reply.status(), 404, "deleted on the server");
    // The two that were done at the start are open now, and one open one was cleared.
    assert_eq!(counts(base_url).await["open"], board_open + 2 - 1);
}

/// Tab reaches the form, the filters and each todo's checkbox, Edit and Delete, each with a
/// visible focus ring; Enter follows a filter link and Space toggles a todo.
async fn every_control_is_reachable_by_keyboard_with_a_visible_focus(browser: &Browser, base_url: &str) {
    browser.eval("document.getElementById('todo-task').focus(); return null").await;
    let mut reached = Vec::new();
    for _ in 0..40 {
        browser.client.active_element().await.unwrap().send_keys(TAB).await.unwrap();
        let focused = browser
            .eval(
                "const el = document.activeElement;
                 const style = getComputedStyle(el);
                 const name = el.id || el.dataset.filter || el.className || el.type || el.tagName;
                 return { name: String(name), tag: el.tagName, type: el.type ?? null,
                          ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };",
            )
            .await;
        if focused["tag"] == "BODY" {
            break;
        }
        assert_eq!(focused["ring"], true, "a visible focus ring on {focused}");
        reached.push(focused);
    }
    let names: Vec<&str> = reached.iter().map(|focused| focused["name"].as_str().unwrap()).collect();
    for expected in ["todo-submit", "all", "open", "done", "toggle-all", "secondary edit", "secondary delete"] {
        assert!(names.contains(&expected), "Tab reaches {expected}: {names:?}");
    }
    assert!(reached.iter().any(|focused| focused["type"] == "checkbox"), "Tab reaches a checkbox: {names:?}");

    let all = counts(base_url).await;
    browser.eval("document.querySelector('[data-filter=done]').focus(); return null").await;
    browser.client.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    expect_filter(browser, "done", "#/done", &all).await;
    browser.eval("document.querySelector('[data-filter=all]').focus(); return null").await;
    browser.client.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    expect_filter(browser, "all", "#/", &all).await;

    let (id, item) = first_own_todo(browser).await;
    let was_done = get(base_url, &format!("/api/todos/{id}")).await["done"].as_bool().unwrap();
    browser.eval(&format!("document.querySelector(\"{item} input[type=checkbox]\").focus(); return null")).await;
    browser.client.active_element().await.unwrap().send_keys(SPACE).await.unwrap();
    let saved = format!(
        "document.querySelector(\"{item}\").matches('{}:not([aria-busy])')",
        if was_done { ":not(.done)" } else { ".done" }
    );
    browser.wait_until("Space toggled the todo", &saved).await;
    assert_eq!(get(base_url, &format!("/api/todos/{id}")).await["done"], !was_done, "stored");
}

// --- helpers ---------------------------------------------------------------------------

/// The first shown todo that is the browser's own (it has an Edit button): its id and a CSS
/// selector for its item.
async fn first_own_todo(browser: &Browser) -> (String, String) {
    let id = browser
        .eval("return document.querySelector('#todo-list li:not([hidden]) button.edit').closest('li').dataset.id")
        .await;
    let id = id.as_str().expect("one of the browser's own todos is shown").to_string();
    let item = format!("#todo-list li[data-id='{id}']");
    (id, item)
}

/// A JSON request sent by the page itself (with its session cookie); the JSON answer.
async fn in_page(browser: &Browser, method: &str, path: &str, body: Value) -> Value {
    browser
        .client
        .execute_async(
            "const [method, path, body, done] = arguments;
             fetch(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
               .then((r) => r.json()).then(done, (e) => done(String(e)));",
            vec![Value::from(method), Value::from(path), body],
        )
        .await
        .unwrap()
}

/// The browser's own todos, open and done, as the server counts them.
async fn own_counts(browser: &Browser) -> (i64, i64) {
    let counts = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/todos/mine').then((r) => r.json()).then(done, (e) => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    (counts["open"].as_i64().unwrap(), counts["done"].as_i64().unwrap())
}

async fn click(browser: &Browser, css: &str) {
    browser.find(css).await.click().await.unwrap();
}

async fn wait_for_text(browser: &Browser, css: &str, text: &str) {
    let condition = format!("document.querySelector({}).textContent === {}", Value::from(css), Value::from(text));
    browser.wait_until(&format!("{css} says {text:?}"), &condition).await;
}

/// Counts the PATCH requests the page sends from now on, in `window.patches`.
async fn count_patches(browser: &Browser) {
    browser
        .eval(
            "window.patches = 0;
             if (!window.countingPatches) {
               window.countingPatches = true;
               const realFetch = window.fetch;
               window.fetch = (url, init) => {
                 if (init?.method === 'PATCH') window.patches += 1;
                 return realFetch(url, init);
               };
             }
             return null;",
        )
        .await;
}

async fn counts(base_url: &str) -> Value {
    get(base_url, "/api/todos?limit=1").await["counts"].clone()
}

async fn get(base_url: &str, path: &str) -> Value {
    let response = reqwest::get(format!("{base_url}{path}")).await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// A JSON POST from another client (no session of the browser's).
async fn post(base_url: &str, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "POST {path}: {}", response.status());
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}
