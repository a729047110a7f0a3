//! Hostile requests on Spin: a 400 MB body to every route is refused
//! without being read, a bad `Idempotency-Key` never creates a row, and a stale asset version
//! is never served under its immutable URL.

use e2e::{AppConfig, TestApp};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

const HOSTILE_BODY_BYTES: u64 = 400 * 1024 * 1024;
/// The SpinApps' memory limit is 256Mi: one request must stay far below it.
const MAX_PEAK_RSS_KIB: u64 = 128 * 1024;

/// Sends `head` (request line and headers, without the blank line), then up to `body_bytes`
/// zero bytes from another thread, and reads the status code and headers of the answer. The
/// body is cut off as soon as the answer is read, as a client does on an early error.
fn exchange(addr: SocketAddr, head: &[u8], body_bytes: u64, chunked: bool) -> (u16, String) {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut request = head.to_vec();
    request.extend_from_slice(b"\r\n");
    writer.write_all(&request).expect("send the head");
    let sender = std::thread::spawn(move || {
        let chunk = vec![0u8; 64 * 1024];
        let mut sent = 0;
        while sent < body_bytes {
            let framed = if chunked {
                [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat()
            } else {
                chunk.clone()
            };
            if writer.write_all(&framed).is_err() {
                return;
            }
            sent += chunk.len() as u64;
        }
        let _ = writer.write_all(if chunked { b"0\r\n\r\n" } else { b"" });
    });
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read the answer") == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let _ = stream.shutdown(Shutdown::Both);
    sender.join().unwrap();
    let status =
        head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status line: {head:?}"));
    (status, head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_idempotency_key_is_refused_and_stores_nothing() {
    let app = e2e::spawn_app().await;
    let body = br#"{"task":"pay rent"}"#;
    let create = |key_lines: &[u8]| {
        let head = [
            b"POST /api/todo HTTP/1.1\r\nhost: app\r\ncontent-type: application/json\r\n".as_slice(),
            format!("content-length: {}\r\n", body.len()).as_bytes(),
            key_lines,
        ]
        .concat();
        let mut stream = TcpStream::connect(app.addr()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream.write_all(&[head.as_slice(), b"\r\n", body].concat()).unwrap();
        let mut status_line = String::new();
        BufReader::new(stream).read_line(&mut status_line).unwrap();
        status_line.split(' ').nth(1).and_then(|code| code.parse::<u16>().ok()).unwrap()
    };
    // Spin 3.6.3 refuses any non-UTF-8 header value itself with 500
    // before a component runs; a component that sees one answers 400 (http-layer's unit
    // tests). Either way the retry can never become a second todo.
    for _ in 0..2 {
        let status = create(b"idempotency-key: key-\xff\xfe\r\n");
        assert!(status == 400 || status == 500, "non-UTF-8 key: {status}");
    }
    for key_lines in [
        &b"idempotency-key: two words\r\n"[..],
        b"idempotency-key: \r\n",
        b"idempotency-key: a\r\nidempotency-key: b\r\n",
    ] {
        assert_eq!(create(key_lines), 400, "{}", String::from_utf8_lossy(key_lines));
    }
    assert_eq!(app.row_count(), 0);
    // A key is its session's: the retry comes with the session cookie, as a client keeps it.
    let good_key = b"idempotency-key: good-key\r\ncookie: todo_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n";
    assert_eq!(create(good_key), 201);
    assert_eq!(create(good_key), 201);
    assert_eq!(app.row_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_embedded_asset_version_is_served() {
    let app = e2e::app_without_database();
    let page = reqwest::get(app.url("/")).await.unwrap().text().await.unwrap();
    let versioned =
        page.split('"').find(|part| part.starts_with("/assets/app.js?v=")).expect("a versioned app.js link").to_owned();
    let get = |path: String| async move { reqwest::get(app.url(&path)).await.unwrap() };
    let cache_control = |response: &reqwest::Response| response.headers()["cache-control"].to_str().unwrap().to_owned();

    let current = get(versioned.clone()).await;
    assert_eq!(
        (current.status().as_u16(), cache_control(&current).as_str()),
        (200, "public, max-age=31536000, immutable")
    );
    let unversioned = get("/assets/app.js".to_owned()).await;
    assert_eq!((unversioned.status().as_u16(), cache_control(&unversioned).as_str()), (200, "no-cache"));
    for stale in ["/assets/app.js?v=0123456789abcdef0123456789abcdef".to_owned(), format!("{versioned}&v=old")] {
        let response = get(stale.clone()).await;
        assert_eq!((response.status().as_u16(), cache_control(&response).as_str()), (404, "no-store"), "{stale}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_requests_follow_rfc_9110() {
    let app = e2e::app_without_database();
    let client = reqwest::Client::new();
    let etag = reqwest::get(app.url("/")).await.unwrap().headers()["etag"].to_str().unwrap().to_owned();
    for (if_none_match, expected) in [
        (format!("W/{etag}"), 304),
        (format!("\"other\", {etag}"), 304),
        ("*".to_owned(), 304),
        ("\"a,b\"".to_owned(), 200),
        (etag.trim_matches('"').to_owned(), 200),
    ] {
        let response = client.get(app.url("/")).header("if-none-match", &if_none_match).send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "If-None-Match: {if_none_match}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_logs_one_short_line_per_request() {
    // Backtrace capture on, as on many developers' machines: Spin's error for a refused
    // connection then carries a backtrace of the host (and a chain of causes in any case).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let config = AppConfig::root_manifest()
        .variable("db_url", format!("postgres://postgres@{closed}/none?sslmode=disable"))
        .variable("db_host", &closed)
        .env("RUST_BACKTRACE", "1");
    let app = TestApp::spawn(config);
    for _ in 0..5 {
        assert_eq!(reqwest::get(app.url("/api/todos")).await.unwrap().status().as_u16(), 503);
    }
    let logs = app.wait_for_request_logs(5, Duration::from_secs(10));
    assert_eq!(logs.len(), 5, "one line per request: {logs:?}");
    for log in logs {
        let error = log["error"].as_str().unwrap_or_else(|| panic!("a 503 says why: {log}"));
        assert!(error.chars().count() <= 300 && !error.contains('\n'), "{} chars: {error}", error.len());
    }
}

/// What one Spin process does with a hostile body and how much memory it takes: straight to the
/// process, with no proxy in front that would read the body itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_400_mb_body_to_every_route_is_refused_unread() {
    // Its own process: the peak memory read below must be this test's.
    let app = TestApp::spawn(AppConfig::without_database());
    let cases = [
        ("GET", "/", 413),
        ("POST", "/", 405),
        ("GET", "/assets/app.js", 413),
        ("PUT", "/assets/app.js", 405),
        ("GET", "/api/daily_photo", 413),
        ("POST", "/api/daily_photo", 405),
        ("GET", "/healthz", 413),
        ("GET", "/readyz", 413),
        ("GET", "/api/todos", 413),
        ("POST", "/api/todos", 405),
        ("POST", "/api/todo", 413),
        ("PATCH", "/api/todos/1", 413),
        ("DELETE", "/api/todos/1", 413),
        ("POST", "/api/todos/1", 405),
    ];
    for (method, path, expected) in cases {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: app\r\ncontent-type: application/json\r\ncontent-length: {HOSTILE_BODY_BYTES}\r\n"
        );
        let (status, headers) = exchange(app.addr(), head.as_bytes(), HOSTILE_BODY_BYTES, false);
        assert_eq!(status, expected, "{method} {path}: {headers}");
        assert!(headers.contains("content-type: application/json"), "{method} {path}: {headers}");
    }
    // Without a length: the write routes cut the stream at their cap. Spin does not show a
    // component the Transfer-Encoding of a GET, which is then answered without its body read.
    for (method, path, expected) in
        [("POST", "/api/todo", &[413][..]), ("PATCH", "/api/todos/1", &[413]), ("GET", "/", &[200, 413])]
    {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: app\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n"
        );
        let (status, headers) = exchange(app.addr(), head.as_bytes(), HOSTILE_BODY_BYTES, true);
        assert!(expected.contains(&status), "chunked {method} {path}: {headers}");
    }
    let peak = app.peak_rss_kib();
    assert!(peak < MAX_PEAK_RSS_KIB, "spin peaked at {peak} KiB");
}
