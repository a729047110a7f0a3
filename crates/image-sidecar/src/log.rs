//! JSON log lines on stdout: `{"ts":..., "level":..., "msg":..., <fields>}`.

use std::time::SystemTime;

use serde_json::{Map, Value};

pub fn info(msg: &str, fields: Value) {
    emit("info", msg, fields);
}

pub fn warn(msg: &str, fields: Value) {
    emit("warn", msg, fields);
}

pub fn error(msg: &str, fields: Value) {
    emit("error", msg, fields);
}

fn emit(level: &str, msg: &str, fields: Value) {
    let mut line = Map::new();
    line.insert("ts".into(), humantime::format_rfc3339_millis(SystemTime::now()).to_string().into());
    line.insert("level".into(), level.into());
    line.insert("msg".into(), msg.into());
    if let Value::Object(fields) = fields {
        line.extend(fields);
    }
    println!("{}", Value::Object(line));
}
