//! The page offers Edit, Delete and the done box only on the browser's own todos: a todo from
//! another client is shown without them, and the server refuses the page's change anyway.

use super::chrome::Browser;
use super::stack;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_browsers_own_todos_offer_changes() {
    let app = stack::App::start().await;
    let stranger = reqwest::Client::new()
        .post(format!("{}/api/todo", app.base_url))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "task": "a stranger's todo" }).to_string())
        .send()
        .await
        .expect("POST a todo");
    assert_eq!(stranger.status(), 201);
    let theirs: Value = serde_json::from_slice(&stranger.bytes().await.unwrap()).unwrap();
    let theirs = format!("#todo-list li[data-id='{}']", theirs["id"]);

    let browser = Browser::launch().await;
    browser.client.goto(&format!("{}/", app.base_url)).await.expect("open the page");
    let input = browser.find("#todo-task").await;
    input.send_keys("my own todo").await.unwrap();
    input.send_keys(super::ENTER).await.unwrap();
    browser
        .wait_until("the page's own todo is added", "document.getElementById('messages').textContent === 'Todo added.'")
        .await;
    let mine = browser.eval("return document.querySelector('#todo-list li:first-child').dataset.id").await;
    let mine = format!("#todo-list li[data-id='{}']", mine.as_str().unwrap());

    for reloaded in [false, true] {
        if reloaded {
            browser.client.refresh().await.expect("reload");
        }
        let both_shown =
            format!("document.querySelector(\"{mine}\") !== null && document.querySelector(\"{theirs}\") !== null");
        browser.wait_until("both todos are listed", &both_shown).await;
        let controls = |item: &str| {
            format!(
                "return [document.querySelectorAll(\"{item} button\").length, \
                 document.querySelector(\"{item} input[type=checkbox]\").disabled]"
            )
        };
        assert_eq!(browser.eval(&controls(&mine)).await, serde_json::json!([2, false]), "Edit, Delete, done box");
        assert_eq!(browser.eval(&controls(&theirs)).await, serde_json::json!([0, true]), "reloaded: {reloaded}");
        assert!(browser.find(&format!("{mine} button.edit")).await.is_displayed().await.unwrap());
    }

    // The page would not offer it; asked anyway with the browser's own session, the server says no.
    let refused = browser
        .client
        .execute_async(
            "const [css, done] = arguments;
             const id = document.querySelector(css).dataset.id;
             fetch(`/api/todos/${id}`, { method: 'DELETE' }).then((r) => done(r.status), (e) => done(String(e)));",
            vec![Value::from(theirs.clone())],
        )
        .await
        .unwrap();
    assert_eq!(refused, 403);
    browser.close().await;
}
