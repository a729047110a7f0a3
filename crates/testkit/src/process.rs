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

/// Like [`spawn_tied_to_process`], for a program that forks workers of its own (`spin up` runs
/// its trigger as a child process, which `PR_SET_PDEATHSIG` does not reach): it gets a process
/// group of its own, which [`kill_process_group`] ends, and so does the test process's exit for
/// any group still alive then (shared apps held in statics are never dropped).
pub fn spawn_process_group(mut command: Command) -> std::io::Result<Child> {
    command.process_group(0);
    let child = spawn_tied_to_process(command)?;
    live_groups().lock().unwrap().push(child.id() as i32);
    static AT_EXIT: OnceLock<()> = OnceLock::new();
    AT_EXIT.get_or_init(|| {
        extern "C" fn kill_live_groups() {
            if let Ok(groups) = live_groups().lock() {
                for group in groups.iter() {
                    // SAFETY: kill(2) on process groups this process created.
                    unsafe { libc::kill(-group, libc::SIGKILL) };
                }
            }
        }
        // SAFETY: registers a plain extern "C" function.
        unsafe { libc::atexit(kill_live_groups) };
    });
    Ok(child)
}

/// Kills every process of the group that [`spawn_process_group`] made for `child`, and reaps it.
pub fn kill_process_group(child: &mut Child) {
    let group = child.id() as i32;
    // SAFETY: kill(2) on a process group this process created.
    unsafe { libc::kill(-group, libc::SIGKILL) };
    let _ = child.wait();
    live_groups().lock().unwrap().retain(|live| *live != group);
}

/// The pids of the processes in `child`'s group (it, and the workers it forked).
pub fn process_group_members(child: &Child) -> Vec<u32> {
    let group = child.id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // /proc/PID/stat: "pid (comm) state ppid pgrp ...", comm may hold spaces.
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| stat.rsplit_once(") ").map(|(_, rest)| rest.split(' ').nth(2) == Some(group.as_str())))
                .unwrap_or(false)
        })
        .collect()
}

fn live_groups() -> &'static Mutex<Vec<i32>> {
    static GROUPS: OnceLock<Mutex<Vec<i32>>> = OnceLock::new();
    GROUPS.get_or_init(|| Mutex::new(Vec::new()))
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
