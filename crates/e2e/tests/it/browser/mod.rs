//! The web page in a real browser: headless Chromium (via chromedriver) against the app on each
//! runtime, with a real PostgreSQL and the image sidecar. One session walks through the
//! page like a user; every step waits for what the user would see, never for a fixed time.
//!
//! Screenshots land in `artifacts/` at the workspace root.

mod chrome;
mod stack;

use chrome::Browser;
use e2e::Runtime;
use serde_json::Value;

const ENTER: &str = "\u{E007}"; // WebDriver's key code for Enter
const FIRST_TASK: &str = "#todo-list li:first-child .task";

async fn todo_page_works_in_headless_chromium(runtime: Runtime) {
    let app = stack::App::start(runtime).await;
    let browser = Browser::launch().await;
    let page = format!("{}/", app.base_url);

    loads_without_console_errors_and_shows_the_photo(&browser, &page).await;
    added_todo_is_on_top_and_survives_a_reload(&browser).await;
    markup_in_a_task_renders_as_text(&browser).await;
    input_stops_at_140_unicode_characters(&browser).await;
    marking_done_survives_a_reload(&browser).await;
    lost_answer_is_shown_and_the_retry_does_not_duplicate(&browser).await;
    let shot = browser.screenshot(&format!("browser-todo-page-{}.png", runtime.name())).await;
    println!("screenshot: {}", shot.display());
    load_more_pages_through_older_todos(&browser).await;
    let errors = browser.console_errors().await;
    assert_eq!(errors, Vec::<String>::new(), "console errors");

    servers_422_message_is_shown_when_the_limit_is_bypassed(&browser).await;
    readable_on_a_phone(&browser).await;

    browser.close().await;
}

async fn loads_without_console_errors_and_shows_the_photo(browser: &Browser, page: &str) {
    browser.client.goto(page).await.expect("open the page");
    wait_for_list(browser).await;
    assert_eq!(browser.client.title().await.unwrap(), "Todos");
    assert_eq!(browser.find("h1").await.text().await.unwrap(), "Todos");
    let photo = "document.getElementById('daily-photo')";
    browser
        .wait_until(
            "the daily photo is displayed",
            &format!("{photo}.complete && {photo}.naturalWidth > 0"),
        )
        .await;
    let width = browser.eval(&format!("return {photo}.naturalWidth")).await;
    assert_eq!(
        width,
        stack::PICTURE_WIDTH,
        "the source's picture, through the sidecar and the app"
    );
    assert!(
        !browser
            .eval(&format!("return {photo}.alt"))
            .await
            .as_str()
            .unwrap()
            .is_empty(),
        "alt text"
    );
    assert_eq!(
        browser.console_errors().await,
        Vec::<String>::new(),
        "console errors on load"
    );
}

async fn added_todo_is_on_top_and_survives_a_reload(browser: &Browser) {
    let task = "Buy oat milk 🥛 — 2 litres"; // 🥛 is one character, two UTF-16 units
    add_with_keyboard(browser, task).await;
    assert_eq!(text_of(browser, "#messages").await, "Todo added.");
    assert_eq!(
        browser
            .find("#todo-task")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap(),
        "",
        "input cleared"
    );
    assert_eq!(
        text_of(browser, "#todo-counter").await,
        "0 / 140 characters"
    );

    reload(browser).await;
    assert_eq!(
        text_of(browser, FIRST_TASK).await,
        task,
        "still on top after a reload"
    );
}

async fn markup_in_a_task_renders_as_text(browser: &Browser) {
    let task = "<img src=x onerror=alert(1)>";
    type_task(browser, task).await;
    browser.find("#todo-submit").await.click().await.unwrap();
    wait_for_first_task(browser, task).await;
    assert_eq!(
        browser
            .eval("return document.querySelectorAll('#todo-list img').length")
            .await,
        0
    );
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no alert was opened"
    );

    reload(browser).await;
    assert_eq!(text_of(browser, FIRST_TASK).await, task);
    assert_eq!(
        browser
            .eval("return document.querySelectorAll('#todo-list img').length")
            .await,
        0
    );
}

/// `maxlength` stops the input at 140, and the counter counts characters like the server:
/// "ä" is one character (two UTF-8 bytes).
async fn input_stops_at_140_unicode_characters(browser: &Browser) {
    let input = browser.find("#todo-task").await;
    input.send_keys(&"ä".repeat(141)).await.unwrap();
    let typed = input.prop("value").await.unwrap().unwrap();
    assert_eq!(
        typed.chars().count(),
        140,
        "the 141st character was not accepted"
    );
    assert_eq!(
        text_of(browser, "#todo-counter").await,
        "140 / 140 characters"
    );

    input.send_keys(ENTER).await.unwrap();
    wait_for_first_task(browser, &"ä".repeat(140)).await;
}

async fn marking_done_survives_a_reload(browser: &Browser) {
    let id = browser
        .eval("return document.querySelector('#todo-list li').dataset.id")
        .await;
    let id = id.as_str().expect("the first todo has an id").to_string();
    let item = format!("#todo-list li[data-id='{id}']");
    browser
        .find(&format!("{item} input[type=checkbox]"))
        .await
        .click()
        .await
        .unwrap();
    let saved = format!("document.querySelector(\"{item}\").matches('.done:not([aria-busy])')");
    browser
        .wait_until("the todo is saved as done", &saved)
        .await;

    reload(browser).await;
    let checkbox = browser.find(&format!("{item} input[type=checkbox]")).await;
    assert!(
        checkbox.is_selected().await.unwrap(),
        "todo {id} is still done after a reload"
    );
    let others_done = browser
        .eval("return document.querySelectorAll('#todo-list li.done').length")
        .await;
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
    assert_eq!(
        browser.eval("return window.sentKeys.length").await,
        1,
        "a double click sends one request"
    );

    browser.find("#todo-submit").await.click().await.unwrap();
    wait_for_first_task(browser, task).await;
    let keys = browser.eval("return window.sentKeys").await;
    assert!(
        keys[0].is_string() && keys[0] == keys[1],
        "the retry reuses the key: {keys}"
    );
    assert_eq!(count_tasks(browser, task).await, 1, "shown once");

    add_with_keyboard(browser, "Pay the plumber").await;
    let keys = browser.eval("return window.sentKeys").await;
    assert_ne!(keys[2], keys[1], "a new submission gets a new key: {keys}");

    reload(browser).await;
    assert_eq!(count_tasks(browser, task).await, 1, "stored once");
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
    assert!(
        created
            .as_array()
            .unwrap()
            .iter()
            .all(|status| status == 201),
        "{created}"
    );
    let total = earlier + 50;

    reload(browser).await;
    assert_eq!(todo_count(browser).await, 50);
    let load_more = browser.find("#load-more").await;
    assert!(
        load_more.is_displayed().await.unwrap(),
        "Load more is offered"
    );
    browser
        .eval("document.getElementById('load-more').focus(); return null")
        .await;
    browser
        .client
        .active_element()
        .await
        .unwrap()
        .send_keys(ENTER)
        .await
        .unwrap();
    browser
        .wait_until(
            "older todos are loaded",
            &format!("document.querySelectorAll('#todo-list li').length === {total}"),
        )
        .await;
    browser
        .wait_until(
            "Load more is gone",
            "document.getElementById('load-more').hidden",
        )
        .await;

    let ids = browser.eval("return [...document.querySelectorAll('#todo-list li')].map((li) => Number(li.dataset.id))").await;
    let ids: Vec<i64> = ids
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first, no duplicates: {ids:?}"
    );
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
    let expected = expected
        .as_str()
        .expect("the server's error message")
        .to_string();
    let top_before = text_of(browser, FIRST_TASK).await;

    browser
        .eval("document.getElementById('todo-task').removeAttribute('maxlength'); return null")
        .await;
    type_task(browser, &too_long).await;
    assert_eq!(
        text_of(browser, "#todo-counter").await,
        "141 / 140 characters"
    );
    assert_eq!(
        browser
            .eval("return document.getElementById('todo-counter').className")
            .await,
        "counter over"
    );
    browser.find("#todo-submit").await.click().await.unwrap();

    let shown = format!(
        "document.getElementById('messages').textContent === {}",
        Value::from(expected.clone())
    );
    browser
        .wait_until("the server's message is shown", &shown)
        .await;
    assert!(
        browser
            .eval("return document.getElementById('messages').classList.contains('error')")
            .await
            == true
    );
    assert!(
        browser
            .find("#todo-submit")
            .await
            .is_enabled()
            .await
            .unwrap(),
        "the button is usable again"
    );
    assert_eq!(
        text_of(browser, FIRST_TASK).await,
        top_before,
        "nothing was added"
    );
    for error in browser.console_errors().await {
        assert!(
            error.contains("422"),
            "only the rejected requests are logged: {error}"
        );
    }
}

async fn readable_on_a_phone(browser: &Browser) {
    browser.client.set_window_size(390, 844).await.unwrap();
    let overflow = browser
        .eval("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "no horizontal scrolling at 390 px ({overflow} px too wide)"
    );
    browser.screenshot("browser-todo-page-phone.png").await;
}

// --- helpers ---------------------------------------------------------------------------

/// Types `task` (checking the live counter on the way) and submits it with Enter.
async fn add_with_keyboard(browser: &Browser, task: &str) {
    let input = browser.find("#todo-task").await;
    input.send_keys(task).await.unwrap();
    let counted = format!("{} / 140 characters", task.chars().count());
    assert_eq!(
        text_of(browser, "#todo-counter").await,
        counted,
        "counts characters as the server does"
    );
    input.send_keys(ENTER).await.unwrap();
    wait_for_first_task(browser, task).await;
}

async fn wait_for_first_task(browser: &Browser, task: &str) {
    let condition = format!(
        "document.querySelector('{FIRST_TASK}')?.textContent === {}",
        Value::from(task)
    );
    browser
        .wait_until(&format!("{task:?} is the first todo"), &condition)
        .await;
}

async fn reload(browser: &Browser) {
    browser.client.refresh().await.expect("reload");
    wait_for_list(browser).await;
}

async fn wait_for_list(browser: &Browser) {
    let loaded = "document.readyState === 'complete' && !document.getElementById('todo-list').hasAttribute('aria-busy')";
    browser.wait_until("the list is loaded", loaded).await;
}

async fn type_task(browser: &Browser, text: &str) {
    browser
        .find("#todo-task")
        .await
        .send_keys(text)
        .await
        .unwrap();
}

async fn text_of(browser: &Browser, css: &str) -> String {
    let script = format!(
        "return document.querySelector({}).textContent",
        Value::from(css)
    );
    browser
        .eval(&script)
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn count_tasks(browser: &Browser, task: &str) -> usize {
    let script =
        "return [...document.querySelectorAll('#todo-list .task')].map((t) => t.textContent)";
    let tasks = browser.eval(script).await;
    tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|shown| *shown == task)
        .count()
}

async fn todo_count(browser: &Browser) -> i64 {
    browser
        .eval("return document.querySelectorAll('#todo-list li').length")
        .await
        .as_i64()
        .unwrap()
}

e2e::on_each_runtime!(todo_page_works_in_headless_chromium);
