//! The web page in a real browser: headless Chromium (via chromedriver) against the app on Spin,
//! with a real PostgreSQL and the image sidecar. One session walks through the
//! page like a user; every step waits for what the user would see, never for a fixed time.
//!
//! Screenshots land in `artifacts/` at the workspace root.

mod authorship;
mod chrome;
mod complete;
mod stack;

use chrome::Browser;
use serde_json::Value;

const ENTER: &str = "\u{E007}"; // WebDriver's key codes for Enter and Escape
const ESCAPE: &str = "\u{E00C}";
const CONTROL: &str = "\u{E009}";
const RELEASE_KEYS: &str = "\u{E000}"; // releases the modifiers pressed before it
const FIRST_TASK: &str = "#todo-list li:first-child .task";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todo_page_works_in_headless_chromium() {
    let app = stack::App::start().await;
    let browser = Browser::launch().await;
    let page = format!("{}/", app.base_url);

    loads_without_console_errors_and_shows_the_photo(&browser, &page).await;
    added_todo_is_on_top_and_survives_a_reload(&browser).await;
    markup_in_a_task_renders_as_text(&browser).await;
    input_stops_at_140_unicode_characters(&browser).await;
    marking_done_survives_a_reload(&browser).await;
    lost_answer_is_shown_and_the_retry_does_not_duplicate(&browser).await;
    editing_in_place_saves_with_enter_and_cancels_with_escape(&browser).await;
    deleting_can_be_undone_and_otherwise_happens(&browser, &app.base_url).await;
    filters_show_open_and_done_todos_with_their_counts(&browser, &app.base_url).await;
    todo_from_another_client_appears_without_a_reload(&browser, &app.base_url).await;
    failing_refreshes_back_off_and_recover(&browser).await;
    let shot = browser.screenshot("browser-todo-page.png").await;
    println!("screenshot: {}", shot.display());
    load_more_pages_through_older_todos(&browser).await;
    let errors = browser.console_errors().await;
    assert_eq!(errors, Vec::<String>::new(), "console errors");

    servers_422_message_is_shown_when_the_limit_is_bypassed(&browser).await;
    servers_422_message_is_shown_for_an_empty_edit(&browser).await;
    readable_on_a_phone(&browser).await;

    browser.close().await;
}

async fn loads_without_console_errors_and_shows_the_photo(browser: &Browser, page: &str) {
    browser.client.goto(page).await.expect("open the page");
    wait_for_list(browser).await;
    assert_eq!(browser.client.title().await.unwrap(), "Todos");
    assert_eq!(browser.find("h1").await.text().await.unwrap(), "Todos");
    let photo = "document.getElementById('daily-photo')";
    browser.wait_until("the daily photo is displayed", &format!("{photo}.complete && {photo}.naturalWidth > 0")).await;
    let width = browser.eval(&format!("return {photo}.naturalWidth")).await;
    assert_eq!(width, stack::PICTURE_WIDTH, "the source's picture, through the sidecar and the app");
    assert!(!browser.eval(&format!("return {photo}.alt")).await.as_str().unwrap().is_empty(), "alt text");
    assert_eq!(browser.console_errors().await, Vec::<String>::new(), "console errors on load");
}

async fn added_todo_is_on_top_and_survives_a_reload(browser: &Browser) {
    let task = "Buy oat milk 🥛 — 2 litres"; // 🥛 is one character, two UTF-16 units
    add_with_keyboard(browser, task).await;
    assert_eq!(text_of(browser, "#messages").await, "Todo added.");
    assert_eq!(browser.find("#todo-task").await.prop("value").await.unwrap().unwrap(), "", "input cleared");
    assert_eq!(text_of(browser, "#todo-counter").await, "0 / 140 characters");

    reload(browser).await;
    assert_eq!(text_of(browser, FIRST_TASK).await, task, "still on top after a reload");
}

async fn markup_in_a_task_renders_as_text(browser: &Browser) {
    let task = "<img src=x onerror=alert(1)>";
    type_task(browser, task).await;
    browser.find("#todo-submit").await.click().await.unwrap();
    wait_for_first_task(browser, task).await;
    assert_eq!(browser.eval("return document.querySelectorAll('#todo-list img').length").await, 0);
    assert!(browser.client.get_alert_text().await.is_err(), "no alert was opened");

    reload(browser).await;
    assert_eq!(text_of(browser, FIRST_TASK).await, task);
    assert_eq!(browser.eval("return document.querySelectorAll('#todo-list img').length").await, 0);
}

/// `maxlength` stops the input at 140, and the counter counts characters like the server:
/// "ä" is one character (two UTF-8 bytes).
async fn input_stops_at_140_unicode_characters(browser: &Browser) {
    let input = browser.find("#todo-task").await;
    input.send_keys(&"ä".repeat(141)).await.unwrap();
    let typed = input.prop("value").await.unwrap().unwrap();
    assert_eq!(typed.chars().count(), 140, "the 141st character was not accepted");
    assert_eq!(text_of(browser, "#todo-counter").await, "140 / 140 characters");

    input.send_keys(ENTER).await.unwrap();
    wait_for_first_task(browser, &"ä".repeat(140)).await;
}

async fn marking_done_survives_a_reload(browser: &Browser) {
    let (id, item) = first_todo(browser).await;
    browser.find(&format!("{item} input[type=checkbox]")).await.click().await.unwrap();
    let saved = format!("document.querySelector(\"{item}\").matches('.done:not([aria-busy])')");
    browser.wait_until("the todo is saved as done", &saved).await;

    reload(browser).await;
    let checkbox = browser.find(&format!("{item} input[type=checkbox]")).await;
    assert!(checkbox.is_selected().await.unwrap(), "todo {id} is still done after a reload");
    let others_done = browser.eval("return document.querySelectorAll('#todo-list li.done').length").await;
    assert_eq!(others_done, 1, "only the clicked todo is done");
}

/// The first answer is lost on the way back (the server did store the todo): the page says
/// so, and pressing Add again sends the same Idempotency-Key, so the todo exists once.
/// A double click sends one request: the button is disabled while sending.
async fn lost_answer_is_shown_and_the_retry_does_not_duplicate(browser: &Browser) {
    browser
        .eval(
            "window.sentKeys = [];
             const realFetch = window.fetch;
             let loseNext = true;
             window.fetch = (url, init) => {
               if (init?.method !== 'POST') return realFetch(url, init);
               window.sentKeys.push(init.headers['Idempotency-Key']);
               const answer = realFetch(url, init);
               if (!loseNext) return answer;
               loseNext = false;
               return answer.then(() => { throw new TypeError('Failed to fetch'); });
             };
             return null;",
        )
        .await;
    let task = "Call the plumber";
    type_task(browser, task).await;
    browser.eval("const add = document.getElementById('todo-submit'); add.click(); add.click(); return null").await;
    browser
        .wait_until(
            "the network problem is shown",
            "document.getElementById('messages').textContent.startsWith('Network problem')",
        )
        .await;
    assert_eq!(browser.eval("return window.sentKeys.length").await, 1, "a double click sends one request");

    browser.find("#todo-submit").await.click().await.unwrap();
    wait_for_first_task(browser, task).await;
    let keys = browser.eval("return window.sentKeys").await;
    assert!(keys[0].is_string() && keys[0] == keys[1], "the retry reuses the key: {keys}");
    assert_eq!(count_tasks(browser, task).await, 1, "shown once");

    add_with_keyboard(browser, "Pay the plumber").await;
    let keys = browser.eval("return window.sentKeys").await;
    assert_ne!(keys[2], keys[1], "a new submission gets a new key: {keys}");

    reload(browser).await;
    assert_eq!(count_tasks(browser, task).await, 1, "stored once");
}

/// Edit opens an input in place with the focus in it; Escape puts the text back and the focus
/// on Edit; Enter saves the trimmed task, which a reload shows.
async fn editing_in_place_saves_with_enter_and_cancels_with_escape(browser: &Browser) {
    let (_, item) = first_todo(browser).await;
    let task = format!("{item} .task");
    let original = text_of(browser, &task).await;
    let editor = open_editor(browser, &item).await;
    assert_eq!(editor.prop("value").await.unwrap().unwrap(), original, "the editor starts with the task");
    editor.send_keys(" and more").await.unwrap();
    editor.send_keys(ESCAPE).await.unwrap();
    let closed = format!(
        "document.querySelector(\"{item} .editor\") === null && \
         document.activeElement === document.querySelector(\"{item} button.edit\")"
    );
    browser.wait_until("Escape closed the editor, focus on Edit", &closed).await;
    assert_eq!(text_of(browser, &task).await, original, "Escape cancels");

    let editor = open_editor(browser, &item).await;
    select_all(&editor).await;
    editor.send_keys("  Fix the typo  ").await.unwrap();
    editor.send_keys(ENTER).await.unwrap();
    let saved = format!(
        "document.querySelector(\"{task}\").textContent === 'Fix the typo' && \
         document.querySelector(\"{item} .editor\") === null"
    );
    browser.wait_until("the trimmed edit is shown", &saved).await;
    assert_eq!(text_of(browser, "#messages").await, "Todo saved.");
    assert_eq!(
        browser
            .eval(&format!("return document.activeElement === document.querySelector(\"{item} button.edit\")"))
            .await,
        true,
        "focus back on Edit"
    );

    reload(browser).await;
    assert_eq!(text_of(browser, &task).await, "Fix the typo", "stored");
}

/// Delete hides the todo at once and offers Undo (focused, so Enter takes it back: no
/// request was sent). Without an undo the todo is deleted on the server when the window ends.
async fn deleting_can_be_undone_and_otherwise_happens(browser: &Browser, base_url: &str) {
    let (id, item) = first_todo(browser).await;
    let task = text_of(browser, &format!("{item} .task")).await;
    let all_before = server_counts(base_url).await["all"].clone();
    wait_for_counts(browser, base_url).await;

    browser.find(&format!("{item} button.delete")).await.click().await.unwrap();
    let offered = format!(
        "document.querySelector(\"{item}\").hidden && !document.getElementById('undo').hidden && \
         document.activeElement === document.getElementById('undo-button')"
    );
    browser.wait_until("the todo is hidden and Undo is offered", &offered).await;
    assert_eq!(text_of(browser, "#undo-text").await, format!("Deleted “{task}”."));
    assert_eq!(
        text_of(browser, "#count-all").await,
        (all_before.as_i64().unwrap() - 1).to_string(),
        "the count leaves it out"
    );
    browser.client.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    let restored = format!(
        "!document.querySelector(\"{item}\").hidden && document.getElementById('undo').hidden && \
         document.activeElement === document.querySelector(\"{item} button.delete\")"
    );
    browser.wait_until("Undo restored the todo, focus on its Delete", &restored).await;
    assert_eq!(text_of(browser, "#messages").await, "Todo restored.");
    assert!(server_has(base_url, &id).await, "an undone delete is never sent");

    browser.find(&format!("{item} button.delete")).await.click().await.unwrap();
    let gone = format!("document.querySelector(\"{item}\") === null && document.getElementById('undo').hidden");
    browser.wait_until("the undo window ended and the todo is gone", &gone).await;
    assert!(!server_has(base_url, &id).await, "deleted on the server");
    wait_for_counts(browser, base_url).await;

    reload(browser).await;
    assert_eq!(
        browser.eval(&format!("return document.querySelector(\"{item}\") === null")).await,
        true,
        "still gone after a reload"
    );
}

/// Open shows only open todos, Done only done ones, each as many as its count says; a todo
/// marked done under Open leaves it, and the counts follow.
async fn filters_show_open_and_done_todos_with_their_counts(browser: &Browser, base_url: &str) {
    wait_for_counts(browser, base_url).await;
    let counts = server_counts(base_url).await;
    for (filter, done) in [("open", false), ("done", true)] {
        show_filter(browser, filter).await;
        let shown = browser
            .eval("return [...document.querySelectorAll('#todo-list li')].map((li) => li.classList.contains('done'))")
            .await;
        let shown = shown.as_array().unwrap();
        assert_eq!(shown.len() as i64, counts[filter].as_i64().unwrap(), "{filter}: {counts}");
        assert!(shown.iter().all(|is_done| *is_done == done), "{filter}: {shown:?}");
    }

    show_filter(browser, "open").await;
    let (id, item) = first_todo(browser).await;
    browser.find(&format!("{item} input[type=checkbox]")).await.click().await.unwrap();
    let left = format!("document.querySelector(\"{item}\") === null");
    browser.wait_until("the todo marked done left Open", &left).await;
    let after = server_counts(base_url).await;
    assert_eq!(after["done"], counts["done"].as_i64().unwrap() + 1, "todo {id}");
    wait_for_counts(browser, base_url).await;

    show_filter(browser, "all").await;
    assert_eq!(todo_count(browser).await, after["all"].as_i64().unwrap());
}

/// Another client (plain HTTP) adds a todo: the polling page shows it without a reload, as
/// text. While nothing changes, the page revalidates the list and gets 304s.
async fn todo_from_another_client_appears_without_a_reload(browser: &Browser, base_url: &str) {
    browser
        .eval(
            "window.listAnswers = [];
             const realFetch = window.fetch;
             window.fetch = async (url, init) => {
               const response = await realFetch(url, init);
               if (String(url).startsWith('/api/todos?')) window.listAnswers.push(
                 { status: response.status, revalidated: Boolean(init?.headers?.['If-None-Match']) });
               return response;
             };
             return null;",
        )
        .await;
    browser
        .wait_until(
            "an unchanged list is revalidated with a 304",
            "window.listAnswers.some((answer) => answer.status === 304 && answer.revalidated)",
        )
        .await;

    let task = "<b>from another client</b>";
    let created = reqwest::Client::new()
        .post(format!("{base_url}/api/todo"))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "task": task }).to_string())
        .send()
        .await
        .expect("POST a todo");
    assert_eq!(created.status(), 201);
    wait_for_first_task(browser, task).await;
    assert_eq!(browser.eval("return document.querySelectorAll('#todo-list b').length").await, 0, "rendered as text");
    wait_for_counts(browser, base_url).await;
}

/// While the list cannot be fetched the page says so and waits longer between attempts (4 s,
/// then 8 s); when the server answers again, the note goes away.
async fn failing_refreshes_back_off_and_recover(browser: &Browser) {
    browser
        .eval(
            "window.failedRefreshes = [];
             window.failRefreshes = true;
             const realFetch = window.fetch;
             window.fetch = (url, init) => {
               if (!window.failRefreshes || !String(url).startsWith('/api/todos?')) return realFetch(url, init);
               window.failedRefreshes.push(performance.now());
               return Promise.reject(new TypeError('Failed to fetch'));
             };
             return null;",
        )
        .await;
    browser.wait_until("two refreshes failed", "window.failedRefreshes.length >= 2").await;
    let gap = browser.eval("return window.failedRefreshes[1] - window.failedRefreshes[0]").await;
    assert!(gap.as_f64().unwrap() >= 3500.0, "the second attempt waited about 4 s: {gap} ms");
    let note = "The list may be out of date: no answer from the server. Trying again in 8 s.";
    let shown = format!("document.getElementById('list-status').textContent === {}", Value::from(note));
    browser.wait_until("the page says the list may be out of date", &shown).await;

    browser.eval("window.failRefreshes = false; return null").await;
    browser
        .wait_until(
            "the note goes once the list is fetched",
            "document.getElementById('list-status').textContent === ''",
        )
        .await;
}

/// With more than 50 todos the page shows 50, newest first, and "Load more" (used here with
/// the keyboard) fetches the older ones.
async fn load_more_pages_through_older_todos(browser: &Browser) {
    let earlier = todo_count(browser).await;
    assert!(earlier < 50, "all earlier todos fit on the first page");
    let created = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const post = (i) => fetch('/api/todo', { method: 'POST',
               headers: { 'Content-Type': 'application/json' },
               body: JSON.stringify({ task: `older todo ${i}` }) }).then((r) => r.status);
             Promise.all(Array.from({ length: 50 }, (_, i) => post(i))).then(done, (e) => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert!(created.as_array().unwrap().iter().all(|status| status == 201), "{created}");
    let total = earlier + 50;

    reload(browser).await;
    assert_eq!(todo_count(browser).await, 50);
    let load_more = browser.find("#load-more").await;
    assert!(load_more.is_displayed().await.unwrap(), "Load more is offered");
    browser.eval("document.getElementById('load-more').focus(); return null").await;
    browser.client.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    browser
        .wait_until("older todos are loaded", &format!("document.querySelectorAll('#todo-list li').length === {total}"))
        .await;
    browser.wait_until("Load more is gone", "document.getElementById('load-more').hidden").await;

    let ids =
        browser.eval("return [...document.querySelectorAll('#todo-list li')].map((li) => Number(li.dataset.id))").await;
    let ids: Vec<i64> = ids.as_array().unwrap().iter().map(|id| id.as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|pair| pair[0] > pair[1]), "newest first, no duplicates: {ids:?}");
}

/// Without `maxlength` (removed by script) the server is the judge: its 422 message is shown.
async fn servers_422_message_is_shown_when_the_limit_is_bypassed(browser: &Browser) {
    let too_long = "ä".repeat(141);
    let expected = browser
        .client
        .execute_async(
            "const [task, done] = arguments;
             fetch('/api/todo', { method: 'POST', headers: { 'Content-Type': 'application/json' },
               body: JSON.stringify({ task }) }).then((r) => r.json()).then((b) => done(b.error), (e) => done(String(e)));",
            vec![Value::from(too_long.clone())],
        )
        .await
        .unwrap();
    let expected = expected.as_str().expect("the server's error message").to_string();
    let top_before = text_of(browser, FIRST_TASK).await;

    browser.eval("document.getElementById('todo-task').removeAttribute('maxlength'); return null").await;
    type_task(browser, &too_long).await;
    assert_eq!(text_of(browser, "#todo-counter").await, "141 / 140 characters");
    assert_eq!(browser.eval("return document.getElementById('todo-counter').className").await, "counter over");
    browser.find("#todo-submit").await.click().await.unwrap();

    let shown = format!("document.getElementById('messages').textContent === {}", Value::from(expected.clone()));
    browser.wait_until("the server's message is shown", &shown).await;
    assert!(browser.eval("return document.getElementById('messages').classList.contains('error')").await == true);
    assert!(browser.find("#todo-submit").await.is_enabled().await.unwrap(), "the button is usable again");
    assert_eq!(text_of(browser, FIRST_TASK).await, top_before, "nothing was added");
    only_rejected_requests_were_logged(browser).await;
}

/// An edit the server refuses (blank once trimmed) shows its 422 message; the editor stays
/// open until Escape, and the task is unchanged.
async fn servers_422_message_is_shown_for_an_empty_edit(browser: &Browser) {
    let (id, item) = first_todo(browser).await;
    let task = format!("{item} .task");
    let original = text_of(browser, &task).await;
    let expected = browser
        .client
        .execute_async(
            "const [id, done] = arguments;
             fetch(`/api/todos/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' },
               body: JSON.stringify({ task: '   ' }) }).then((r) => r.json()).then((b) => done(b.error), (e) => done(String(e)));",
            vec![Value::from(id)],
        )
        .await
        .unwrap();

    let editor = open_editor(browser, &item).await;
    select_all(&editor).await;
    editor.send_keys("   ").await.unwrap();
    editor.send_keys(ENTER).await.unwrap();
    let shown = format!(
        "document.getElementById('messages').textContent === {expected} && \
         document.getElementById('messages').classList.contains('error') && \
         !document.querySelector(\"{item}\").hasAttribute('aria-busy')"
    );
    browser.wait_until("the server's message is shown", &shown).await;
    let editor = browser.find(&format!("{item} .editor input")).await;
    editor.send_keys(ESCAPE).await.unwrap();
    assert_eq!(text_of(browser, &task).await, original, "nothing was changed");
    only_rejected_requests_were_logged(browser).await;
}

async fn readable_on_a_phone(browser: &Browser) {
    browser.client.set_window_size(390, 844).await.unwrap();
    let overflow = browser.eval("return document.documentElement.scrollWidth - window.innerWidth").await;
    assert!(overflow.as_i64().unwrap() <= 0, "no horizontal scrolling at 390 px ({overflow} px too wide)");
    browser.screenshot("browser-todo-page-phone.png").await;
}

// --- helpers ---------------------------------------------------------------------------

/// The first todo's id and a CSS selector for its item.
async fn first_todo(browser: &Browser) -> (String, String) {
    let id = browser.eval("return document.querySelector('#todo-list li:not([hidden])').dataset.id").await;
    let id = id.as_str().expect("the first todo has an id").to_string();
    let item = format!("#todo-list li[data-id='{id}']");
    (id, item)
}

/// Selects a field's text, so that what is typed next replaces it. (WebDriver's Element Clear
/// would also take the focus away from the field, which saves an edit.)
async fn select_all(field: &fantoccini::elements::Element) {
    field.send_keys(&format!("{CONTROL}a{RELEASE_KEYS}")).await.unwrap();
}

/// Clicks the todo's Edit and returns the input that opens in its place, focused.
async fn open_editor(browser: &Browser, item: &str) -> fantoccini::elements::Element {
    browser.find(&format!("{item} button.edit")).await.click().await.unwrap();
    let focused = format!("document.activeElement === document.querySelector(\"{item} .editor input\")");
    browser.wait_until("the editor is open and focused", &focused).await;
    browser.find(&format!("{item} .editor input")).await
}

/// Follows the filter's link; the page shows that filter once the list is loaded.
async fn show_filter(browser: &Browser, filter: &str) {
    let link = format!("[data-filter={filter}]");
    browser.find(&link).await.click().await.unwrap();
    let current = format!("document.querySelector('{link}').getAttribute('aria-current') === 'page'");
    browser.wait_until(&format!("{filter} is the current filter"), &current).await;
    wait_for_list(browser).await;
}

/// The counts the server gives for all todos.
async fn server_counts(base_url: &str) -> Value {
    list_from_server(base_url).await["counts"].clone()
}

async fn server_has(base_url: &str, id: &str) -> bool {
    let id: i64 = id.parse().unwrap();
    list_from_server(base_url).await["todos"].as_array().unwrap().iter().any(|todo| todo["id"] == id)
}

async fn list_from_server(base_url: &str) -> Value {
    let body = reqwest::get(format!("{base_url}/api/todos?limit=100"))
        .await
        .and_then(|response| response.error_for_status())
        .expect("GET the list")
        .text()
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// Waits until the filters show the server's counts.
async fn wait_for_counts(browser: &Browser, base_url: &str) {
    let counts = server_counts(base_url).await;
    let condition = ["all", "open", "done"]
        .map(|name| format!("document.getElementById('count-{name}').textContent === '{}'", counts[name]))
        .join(" && ");
    browser.wait_until(&format!("the counts are {counts}"), &condition).await;
}

/// Only the requests the server refused (422) were logged as errors.
async fn only_rejected_requests_were_logged(browser: &Browser) {
    for error in browser.console_errors().await {
        assert!(error.contains("422"), "only the rejected requests are logged: {error}");
    }
}

/// Types `task` (checking the live counter on the way) and submits it with Enter.
async fn add_with_keyboard(browser: &Browser, task: &str) {
    let input = browser.find("#todo-task").await;
    input.send_keys(task).await.unwrap();
    let counted = format!("{} / 140 characters", task.chars().count());
    assert_eq!(text_of(browser, "#todo-counter").await, counted, "counts characters as the server does");
    input.send_keys(ENTER).await.unwrap();
    wait_for_first_task(browser, task).await;
}

async fn wait_for_first_task(browser: &Browser, task: &str) {
    let condition = format!("document.querySelector('{FIRST_TASK}')?.textContent === {}", Value::from(task));
    browser.wait_until(&format!("{task:?} is the first todo"), &condition).await;
}

async fn reload(browser: &Browser) {
    browser.client.refresh().await.expect("reload");
    wait_for_list(browser).await;
}

async fn wait_for_list(browser: &Browser) {
    let loaded =
        "document.readyState === 'complete' && !document.getElementById('todo-list').hasAttribute('aria-busy')";
    browser.wait_until("the list is loaded", loaded).await;
}

async fn type_task(browser: &Browser, text: &str) {
    browser.find("#todo-task").await.send_keys(text).await.unwrap();
}

async fn text_of(browser: &Browser, css: &str) -> String {
    let script = format!("return document.querySelector({}).textContent", Value::from(css));
    browser.eval(&script).await.as_str().unwrap_or_default().to_string()
}

async fn count_tasks(browser: &Browser, task: &str) -> usize {
    let script = "return [...document.querySelectorAll('#todo-list .task')].map((t) => t.textContent)";
    let tasks = browser.eval(script).await;
    tasks.as_array().unwrap().iter().filter(|shown| *shown == task).count()
}

async fn todo_count(browser: &Browser) -> i64 {
    browser.eval("return document.querySelectorAll('#todo-list li').length").await.as_i64().unwrap()
}
