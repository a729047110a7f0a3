//! A local HTTP server that plays the picture source: each path answers with a scripted reply
//! (picture, redirect, error status, HTML, slow, oversize) and counts its requests.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with Content-Type and Content-Length.
    Picture {
        content_type: String,
        body: Vec<u8>,
    },
    /// 200 with no Content-Length: the body ends when the connection closes.
    Unsized {
        content_type: String,
        body: Vec<u8>,
    },
    Redirect {
        location: String,
    },
    Status(u16),
    /// Waits, then answers with the inner reply.
    Slow {
        delay: Duration,
        then: Box<Reply>,
    },
    /// The n-th request to the path gets reply n modulo the length: a source whose picture
    /// changes on every fetch.
    Cycle(Vec<Reply>),
}

impl Reply {
    pub fn picture(content_type: &str, body: Vec<u8>) -> Reply {
        Reply::Picture { content_type: content_type.to_owned(), body }
    }

    pub fn html() -> Reply {
        Reply::picture("text/html; charset=utf-8", b"<!doctype html><title>Oops</title><p>Not a picture".to_vec())
    }
}

/// Bytes that pass for a picture of `content_type` (its magic bytes, then filler unique to
/// `seed`), `size` bytes long.
pub fn fake_picture(content_type: &str, seed: u64, size: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = match content_type {
        "image/jpeg" => vec![0xFF, 0xD8, 0xFF, 0xE0],
        "image/png" => b"\x89PNG\r\n\x1a\n".to_vec(),
        "image/gif" => b"GIF89a".to_vec(),
        "image/webp" => b"RIFF\0\0\0\0WEBPVP8 ".to_vec(),
        other => panic!("no magic bytes known for {other}"),
    };
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    while bytes.len() < size {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        bytes.push((state >> 33) as u8);
    }
    bytes.truncate(size.max(12));
    bytes
}

#[derive(Default)]
struct Book {
    routes: HashMap<String, Reply>,
    requests: HashMap<String, usize>,
    /// Replies written to the end, per path.
    completed: HashMap<String, usize>,
}

pub struct PictureSource {
    addr: SocketAddr,
    book: Arc<(Mutex<Book>, Condvar)>,
    stopped: Arc<AtomicBool>,
}

impl PictureSource {
    pub fn start() -> PictureSource {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the picture source");
        let addr = listener.local_addr().expect("local address");
        let book = Arc::new((Mutex::new(Book::default()), Condvar::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let (shared_book, shared_stopped) = (Arc::clone(&book), Arc::clone(&stopped));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if shared_stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let book = Arc::clone(&shared_book);
                thread::spawn(move || answer(stream, &book));
            }
        });
        PictureSource { addr, book, stopped }
    }

    /// From now on, `path` answers with `reply`.
    pub fn route(&self, path: &str, reply: Reply) {
        self.book.0.lock().unwrap().routes.insert(path.to_owned(), reply);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self, path: &str) -> usize {
        self.book.0.lock().unwrap().requests.get(path).copied().unwrap_or(0)
    }

    /// Waits until `path` has received `count` requests; false on timeout.
    pub fn wait_for_requests(&self, path: &str, count: usize, timeout: Duration) -> bool {
        self.wait_for(timeout, |book| book.requests.get(path).copied().unwrap_or(0) >= count)
    }

    /// Waits until `count` replies to `path` have been written to the end; false on timeout.
    pub fn wait_for_completed(&self, path: &str, count: usize, timeout: Duration) -> bool {
        self.wait_for(timeout, |book| book.completed.get(path).copied().unwrap_or(0) >= count)
    }

    fn wait_for(&self, timeout: Duration, done: impl Fn(&Book) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let (lock, changed) = &*self.book;
        let mut book = lock.lock().unwrap();
        while !done(&book) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            book = changed.wait_timeout(book, left).unwrap().0;
        }
        true
    }
}

impl Drop for PictureSource {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn answer(stream: TcpStream, book: &(Mutex<Book>, Condvar)) {
    let Some(path) = read_request_path(&stream) else { return };
    let (reply, request_number) = {
        let mut entries = book.0.lock().unwrap();
        let count = entries.requests.entry(path.clone()).or_default();
        *count += 1;
        let request_number = *count - 1;
        (entries.routes.get(&path).cloned(), request_number)
    };
    book.1.notify_all();
    let reply = reply.unwrap_or(Reply::Status(404));
    if write_reply(stream, &reply, request_number).is_ok() {
        *book.0.lock().unwrap().completed.entry(path).or_default() += 1;
        book.1.notify_all();
    }
}

fn read_request_path(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let path = request_line.split(' ').nth(1)?.to_owned();
    let mut line = String::new();
    while reader.read_line(&mut line).ok()? > 2 {
        line.clear();
    }
    Some(path)
}

fn write_reply(mut stream: TcpStream, reply: &Reply, request_number: usize) -> std::io::Result<()> {
    match reply {
        Reply::Picture { content_type, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes())?;
            stream.write_all(body)
        }
        Reply::Unsized { content_type, body } => {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n");
            stream.write_all(head.as_bytes())?;
            stream.write_all(body)
        }
        Reply::Redirect { location } => stream.write_all(
            format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        ),
        Reply::Status(code) => stream.write_all(
            format!("HTTP/1.1 {code} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
        ),
        Reply::Slow { delay, then } => {
            thread::sleep(*delay);
            write_reply(stream, then, request_number)
        }
        Reply::Cycle(replies) => write_reply(stream, &replies[request_number % replies.len()], request_number),
    }
}
