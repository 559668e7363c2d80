//! A user program, run without a shell, with the notification JSON on
//! stdin: whatever the text holds, it is data, never code.

use crate::{Notification, Rendered};

pub(crate) fn render(argv: &[String], n: &Notification) -> Result<Rendered, String> {
    let mut stdin = serde_json::to_vec(n).map_err(|e| e.to_string())?;
    stdin.push(b'\n');
    Ok(Rendered::Exec {
        argv: argv.to_vec(),
        stdin,
    })
}
