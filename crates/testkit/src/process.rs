//! Child processes of the tests that must not outlive the test process.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;

/// Spawns `command` so that it is killed when the test process dies, even by a signal.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, and test threads
/// are short-lived, so every server is forked from one thread that lives as long as the process.
pub fn spawn_tied_to_process(mut command: Command) -> std::io::Result<Child> {
    type Job = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (jobs, receiver) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("testkit-spawner".into())
            .spawn(move || {
                for (mut command, reply) in receiver {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("start the spawner thread");
        Mutex::new(jobs)
    });
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let (reply, child) = mpsc::channel();
    spawner.lock().unwrap().send((command, reply)).expect("spawner thread is alive");
    child.recv().expect("spawner replies")
}

/// Appends every line of `stream` to `lines` from a background thread, until the stream ends.
/// `on_line` sees each line first (for example to spot a start-up message).
pub fn capture_lines(
    stream: impl Read + Send + 'static,
    lines: &Arc<Mutex<Vec<String>>>,
    mut on_line: impl FnMut(&str) + Send + 'static,
) {
    let lines = Arc::clone(lines);
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            on_line(&line);
            lines.lock().unwrap().push(line);
        }
    });
}
