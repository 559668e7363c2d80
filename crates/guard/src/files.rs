//! Sensitive file paths, for file tools and for what Bash commands write.

use crate::command::{resolve, skip_opts, Cmd};
use crate::git::GitProbe;
use crate::policies::{quote, Cx};

/// File tools that write, with the input field holding the path.
pub fn write_tool_path_field(tool: &str) -> Option<&'static str> {
    match tool {
        "Write" | "Edit" | "MultiEdit" => Some("file_path"),
        "NotebookEdit" => Some("notebook_path"),
        _ => None,
    }
}

const ENV_TEMPLATES: &[&str] = &[".example", ".sample", ".template", ".dist", ".defaults"];

/// Why writing the absolute path `p` is not for the agent: what it would
/// modify and what to do instead.
pub struct Why {
    pub what: String,
    pub advice: &'static str,
}

impl Why {
    /// `subject` is e.g. "`tee .env` writes"; None for a file tool.
    pub fn reason(&self, subject: Option<&str>, p: &str) -> String {
        match subject {
            Some(s) => format!("{s} {p}, which would modify {}. {}", self.what, self.advice),
            None => format!("Writing {p} would modify {}. {}", self.what, self.advice),
        }
    }
}

pub fn sensitive(p: &str, cx: &Cx) -> Option<Why> {
    let mut comps = p.rsplit('/');
    let base = comps.next().unwrap_or("");
    let parent = comps.next().unwrap_or("");
    if p.split('/').any(|c| c == ".git") {
        return Some(Why {
            what: "git internals (config, hooks, refs), which can corrupt the repository or plant code that runs on every commit".into(),
            advice: "Use git commands instead, or ask the user.",
        });
    }
    if parent == ".claude" && (base == "settings.json" || base == "settings.local.json") {
        return Some(Why {
            what:
                "Claude Code's permission settings; the agent must not change its own permissions"
                    .into(),
            advice: "Ask the user to edit it.",
        });
    }
    if base == ".env"
        || (base.starts_with(".env.") && !ENV_TEMPLATES.iter().any(|t| base.ends_with(t)))
    {
        return Some(Why {
            what: "an environment file holding secrets".into(),
            advice: "Put placeholders in `.env.example` instead, or ask the user to change it.",
        });
    }
    cx.protected.covers(p).map(|e| Why {
        what: format!("a path protected by the guard configuration ({e})"),
        advice: "Ask the user to make this change.",
    })
}

/// Files a command writes: redirections, `tee`, `sed -i`, `cp`/`mv`/`install`/`ln`
/// destinations, `truncate`, `dd of=`. Absolute, normalised.
pub fn write_targets(cmd: &Cmd) -> Vec<String> {
    let cwd = cmd.cwd.as_deref();
    let mut out: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        if let Some(p) = resolve(cwd, t) {
            out.push(p);
        }
    };
    for r in &cmd.redirects {
        if r.writes() && r.target.known {
            add(&r.target.text);
        }
    }
    let args = &cmd.args;
    let operands = |n: usize| {
        args[n.min(args.len())..]
            .iter()
            .filter(|a| a.known && !a.text.starts_with('-'))
    };
    match cmd.program.as_str() {
        "tee" => operands(0).for_each(|a| add(&a.text)),
        "truncate" => {
            let n = skip_opts(args, "sr", &["size", "reference"]);
            operands(n).for_each(|a| add(&a.text));
        }
        "dd" => {
            for a in args {
                if let Some(t) = a.text.strip_prefix("of=") {
                    add(t);
                }
            }
        }
        "sed" => {
            let mut inplace = false;
            let mut script_given = false;
            let mut ops = Vec::new();
            let mut i = 0;
            while let Some(a) = args.get(i) {
                let t = a.text.as_str();
                i += 1;
                match t {
                    "-e" | "--expression" | "-f" | "--file" => {
                        script_given = true;
                        i += 1;
                    }
                    "-l" | "--line-length" => i += 1,
                    "--" => {
                        ops.extend(&args[i.min(args.len())..]);
                        break;
                    }
                    _ if t.starts_with("--in-place") => inplace = true,
                    _ if t.starts_with("--expression=") || t.starts_with("--file=") => {
                        script_given = true
                    }
                    _ if t.starts_with("--") => {}
                    _ if t.starts_with('-') && t.len() > 1 => {
                        for (k, ch) in t[1..].char_indices() {
                            match ch {
                                'i' => {
                                    inplace = true;
                                    break;
                                }
                                'e' | 'f' => {
                                    script_given = true;
                                    if k + 2 == t.len() {
                                        i += 1;
                                    }
                                    break;
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => ops.push(a),
                }
            }
            if inplace {
                let skip = usize::from(!script_given);
                for a in ops.iter().skip(skip).filter(|a| a.known) {
                    add(&a.text);
                }
            }
        }
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            let mut target_dir: Option<&str> = None;
            let mut ops = Vec::new();
            let mut i = 0;
            while let Some(a) = args.get(i) {
                let t = a.text.as_str();
                i += 1;
                if t == "-t" || t == "--target-directory" {
                    target_dir = args.get(i).map(|a| a.text.as_str());
                    i += 1;
                } else if let Some(d) = t.strip_prefix("--target-directory=") {
                    target_dir = Some(d);
                } else if matches!(
                    t,
                    "-S" | "--suffix"
                        | "-m"
                        | "--mode"
                        | "-o"
                        | "--owner"
                        | "-g"
                        | "--group"
                        | "-e"
                ) {
                    i += 1;
                } else if t.starts_with('-') && t.len() > 1 {
                } else {
                    ops.push(a);
                }
            }
            let (dst, srcs) = match target_dir {
                Some(d) => (Some(d), &ops[..]),
                None if ops.len() >= 2 => (
                    Some(ops[ops.len() - 1].text.as_str()),
                    &ops[..ops.len() - 1],
                ),
                None => (None, &ops[..0]),
            };
            if let Some(d) = dst {
                if !d.contains("://") && !d.contains(':') || d.starts_with('/') {
                    add(d);
                    for s in srcs {
                        if let Some(b) = s.text.trim_end_matches('/').rsplit('/').next() {
                            add(&format!("{}/{b}", d.trim_end_matches('/')));
                        }
                    }
                }
            }
        }
        _ => {}
    }
    out
}

pub fn bash_writes(cmd: &Cmd, cx: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    for p in write_targets(cmd) {
        if let Some(why) = sensitive(&p, cx) {
            let who = if cmd.display.is_empty() {
                "This redirection writes".to_string()
            } else {
                format!("{} writes", quote(&cmd.display))
            };
            return Ok(Some(why.reason(Some(&who), &p)));
        }
    }
    Ok(None)
}
