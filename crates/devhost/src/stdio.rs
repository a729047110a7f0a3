//! Component stdout/stderr, forwarded to the host's stdout/stderr one whole line at a time,
//! each line prefixed with the component id (`[todo-create] ...`), so that the lines of
//! concurrent requests never interleave mid-line.

use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// A partial line longer than this is written out without waiting for its newline.
const MAX_PENDING: usize = 64 * 1024;

/// One stream (stdout or stderr) of one component instance.
#[derive(Clone)]
pub(crate) struct ComponentOutput(Arc<Mutex<LineWriter>>);

struct LineWriter {
    prefix: Arc<str>,
    target: Target,
    pending: Vec<u8>,
}

enum Target {
    Stdout,
    Stderr,
    #[cfg(test)]
    Memory(Arc<Mutex<Vec<u8>>>),
}

impl ComponentOutput {
    /// `prefix` is shared by all the instances of a component, e.g. `"[web] "`.
    pub fn stdout(prefix: Arc<str>) -> Self {
        Self::new(prefix, Target::Stdout)
    }

    pub fn stderr(prefix: Arc<str>) -> Self {
        Self::new(prefix, Target::Stderr)
    }

    fn new(prefix: Arc<str>, target: Target) -> Self {
        Self(Arc::new(Mutex::new(LineWriter { prefix, target, pending: Vec::new() })))
    }

    fn write(&self, bytes: &[u8]) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).write(bytes);
    }
}

impl LineWriter {
    fn write(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let complete = match self.pending.iter().rposition(|b| *b == b'\n') {
            Some(last_newline) => last_newline + 1,
            None if self.pending.len() > MAX_PENDING => self.pending.len(),
            None => return,
        };
        let mut out = Vec::with_capacity(complete + self.prefix.len() * 4);
        for line in self.pending[..complete].split_inclusive(|b| *b == b'\n') {
            out.extend_from_slice(self.prefix.as_bytes());
            out.extend_from_slice(line);
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        self.pending.drain(..complete);
        self.emit(&out);
    }

    fn emit(&self, out: &[u8]) {
        // Losing a log line is better than failing the request over a closed terminal.
        let _ = match &self.target {
            Target::Stdout => std::io::stdout().lock().write_all(out),
            Target::Stderr => std::io::stderr().lock().write_all(out),
            #[cfg(test)]
            Target::Memory(buffer) => buffer.lock().unwrap().write_all(out),
        };
    }
}

impl Drop for LineWriter {
    /// The last line of an instance may lack its newline: write it when the instance ends.
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let mut out = Vec::with_capacity(self.prefix.len() + self.pending.len() + 1);
            out.extend_from_slice(self.prefix.as_bytes());
            out.append(&mut self.pending);
            out.push(b'\n');
            self.emit(&out);
        }
    }
}

impl IsTerminal for ComponentOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for ComponentOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for ComponentOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        ComponentOutput::write(self, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(MAX_PENDING)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for ComponentOutput {
    async fn ready(&mut self) {}
}

impl AsyncWrite for ComponentOutput {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_lines_are_prefixed_and_the_rest_is_written_at_the_end() {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let output = ComponentOutput::new("[web] ".into(), Target::Memory(buffer.clone()));
        output.write(b"one\ntw");
        output.write(b"o\nthree");
        assert_eq!(String::from_utf8(buffer.lock().unwrap().clone()).unwrap(), "[web] one\n[web] two\n");
        drop(output);
        assert_eq!(String::from_utf8(buffer.lock().unwrap().clone()).unwrap(), "[web] one\n[web] two\n[web] three\n");
    }

    #[test]
    fn endless_lines_are_cut() {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let output = ComponentOutput::new("[x] ".into(), Target::Memory(buffer.clone()));
        output.write(&vec![b'a'; MAX_PENDING + 1]);
        assert_eq!(buffer.lock().unwrap().len(), "[x] ".len() + MAX_PENDING + 2);
    }
}
