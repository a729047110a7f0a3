//! What a client can make the sidecar hold: bodies are never read, heads are small and must
//! arrive in time, a client that stops reading is cut off, and connections are capped.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use testkit::{Sidecar, fake_picture};

use crate::helpers::{JPEG, Serving, metric, serving};

const BODY_BYTES: u64 = 400 * 1024 * 1024;

/// Peak resident memory of a process so far, from `/proc/PID/status`.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn connect(sidecar: &Sidecar) -> TcpStream {
    let stream = TcpStream::connect(sidecar.addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

/// Reads what the server sends until it closes; a reset counts as closing.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut chunk = [0; 64 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => return received,
            Err(error) => panic!("reading: {error} after {} bytes", received.len()),
        }
    }
}

/// Sends `head` and then up to `BODY_BYTES` of zeros from another thread, and returns the
/// server's answer (its head and body as text) and how long it took to come.
fn send_with_big_body(sidecar: &Sidecar, head: &str) -> (String, Duration) {
    let mut stream = connect(sidecar);
    let mut writer = stream.try_clone().unwrap();
    let head = head.to_owned();
    let started = Instant::now();
    let sender = thread::spawn(move || {
        writer.write_all(head.as_bytes())?;
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..BODY_BYTES / zeros.len() as u64 {
            writer.write_all(&zeros)?;
        }
        Ok::<(), std::io::Error>(())
    });
    let mut answer = vec![0; 4096];
    let n = stream.read(&mut answer).expect("an answer before the body is sent");
    let elapsed = started.elapsed();
    drop(stream);
    let _ = sender.join().unwrap(); // the server closed the connection: writing fails
    (String::from_utf8_lossy(&answer[..n]).into_owned(), elapsed)
}

#[test]
fn request_bodies_are_refused_unread() {
    let Serving { sidecar, dir: _dir, source: _source } = serving(JPEG, &fake_picture(JPEG, 1, 10_000), &[]);
    let before = peak_rss_kib(sidecar.pid());
    let sized = format!("GET /image HTTP/1.1\r\nHost: sidecar\r\nContent-Length: {BODY_BYTES}\r\n\r\n");
    let chunked = "POST /image HTTP/1.1\r\nHost: sidecar\r\nTransfer-Encoding: chunked\r\n\r\n6400000\r\n";
    for (head, status) in [(sized.as_str(), "413"), (chunked, "405")] {
        let (answer, elapsed) = send_with_big_body(&sidecar, head);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{answer}");
        assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
        assert!(answer.contains("{\"error\":"), "a JSON error body: {answer}");
        assert!(elapsed < Duration::from_secs(2), "answered at once, not after the body: {elapsed:?}");
    }
    let after = peak_rss_kib(sidecar.pid());
    println!("sidecar peak RSS: {before} KiB before, {after} KiB after two 400 MB bodies");
    assert!(after < before + 8 * 1024, "peak RSS grew from {before} KiB to {after} KiB");
    assert_eq!(sidecar.get("/healthz").unwrap().status, 200);
    let answers =
        |status: &str| metric(&sidecar, &format!("image_sidecar_image_responses_total{{status=\"{status}\"}}"));
    assert_eq!((answers("413"), answers("405"), answers("200")), (Some(1.0), Some(1.0), None), "counted as refused");
}

#[test]
fn an_oversize_request_head_gets_431() {
    let Serving { sidecar, dir: _dir, source: _source } = serving(JPEG, &fake_picture(JPEG, 2, 1_000), &[]);
    let mut stream = connect(&sidecar);
    let padding = "a".repeat(32 * 1024);
    // The server may answer and close before it all arrives.
    let _ =
        stream.write_all(format!("GET /image HTTP/1.1\r\nHost: sidecar\r\nX-Padding: {padding}\r\n\r\n").as_bytes());
    let answer = String::from_utf8_lossy(&read_until_closed(&mut stream)).into_owned();
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
}

#[test]
fn slow_and_idle_clients_are_disconnected() {
    let timeout = ("IMAGE_CLIENT_TIMEOUT", "1s");
    let Serving { sidecar, dir: _dir, source: _source } = serving(JPEG, &fake_picture(JPEG, 3, 1_000), &[timeout]);
    let mut half_head = connect(&sidecar);
    half_head.write_all(b"GET /image HTTP/1.1\r\nHost: sid").unwrap();
    let mut silent = connect(&sidecar);
    let mut kept_alive = connect(&sidecar);
    kept_alive.write_all(b"GET /healthz HTTP/1.1\r\nHost: sidecar\r\n\r\n").unwrap();

    let started = Instant::now();
    for (what, stream) in
        [("half a request head", &mut half_head), ("nothing", &mut silent), ("one whole request", &mut kept_alive)]
    {
        let received = read_until_closed(stream);
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(4), "a client that sent {what} was kept for {elapsed:?}");
        if what == "one whole request" {
            assert!(received.starts_with(b"HTTP/1.1 200 "), "answered before being closed when idle");
        }
    }
    assert!(started.elapsed() >= Duration::from_millis(900), "not before the timeout: {:?}", started.elapsed());
}

#[test]
fn a_client_that_stops_reading_is_cut_off() {
    let picture = fake_picture(JPEG, 4, 8 * 1024 * 1024);
    let Serving { sidecar, dir: _dir, source: _source } = serving(JPEG, &picture, &[("IMAGE_CLIENT_TIMEOUT", "1s")]);
    let mut stream = connect(&sidecar);
    stream.write_all(b"GET /image HTTP/1.1\r\nHost: sidecar\r\n\r\n").unwrap();
    // More than the socket buffers hold is pending: the server's writes stall, then fail.
    thread::sleep(Duration::from_secs(3));
    let received = read_until_closed(&mut stream);
    assert!(received.len() < picture.len(), "got all {} bytes: the stalled answer went on", received.len());
    let mut patient = connect(&sidecar);
    patient.write_all(b"GET /image HTTP/1.1\r\nHost: sidecar\r\nConnection: close\r\n\r\n").unwrap();
    assert!(read_until_closed(&mut patient).len() > picture.len(), "a reading client gets it all");
}

#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let Serving { sidecar, dir: _dir, source: _source } = serving(
        JPEG,
        &fake_picture(JPEG, 5, 1_000),
        &[("IMAGE_MAX_CONNECTIONS", "2"), ("IMAGE_CLIENT_TIMEOUT", "30s")],
    );
    let first = connect(&sidecar);
    let _second = connect(&sidecar);
    thread::sleep(Duration::from_millis(300)); // both accepted, the cap reached

    let mut third = connect(&sidecar);
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: sidecar\r\nConnection: close\r\n\r\n").unwrap();
    third.set_read_timeout(Some(Duration::from_millis(700))).unwrap();
    let waiting = third.read(&mut [0; 64]);
    assert!(
        waiting.as_ref().is_err_and(|error| matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "served beyond the cap: {waiting:?}"
    );
    assert!(sidecar.logs().iter().any(|line| line.contains("connection limit reached")));

    drop(first);
    third.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let answer = read_until_closed(&mut third);
    assert!(answer.starts_with(b"HTTP/1.1 200 "), "served once a slot is free: {}", String::from_utf8_lossy(&answer));
}
