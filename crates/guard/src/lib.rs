//! hookwatch's PreToolUse guard: decides whether a tool call is denied,
//! asked about, or allowed.
//!
//! Runs on the hot path of a short-lived process: nothing is prepared at
//! start-up beyond the user's globs, user regexes compile only when a rule's
//! other filters already matched, and the built-in policies use plain string
//! logic. Bash commands are analysed the way a shell would run them
//! ([`shell`] parses, [`command`] expands and strips wrappers), then each
//! simple command is judged on its own.
//!
//! Combination: per simple command (or file-tool call) the first matching
//! user rule decides, else the built-in policies. Across simple commands
//! any Deny wins, then any Ask; Allow only if a user rule allowed every
//! one of them; otherwise no opinion.
//!
//! `self-protect` runs before user rules, cannot be disabled and stays
//! active even with `enabled = false`.

pub mod command;
pub mod files;
pub mod git;
pub mod interp;
pub mod policies;
pub mod shell;

use hookwatch_pattern::{Glob, Mode};
use policies::{Cx, Protected, BASH_ASKS, BASH_CHECKS, POLICIES, SELF_PROTECT, SENSITIVE_WRITE};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

pub use git::{AssumeWorst, Budgeted, GitProbe, RealGit};
pub use policies::PolicyInfo;

pub struct Request<'a> {
    pub tool_name: &'a str,
    /// PreToolUse `tool_input` object.
    pub tool_input: &'a Value,
    /// Event cwd (absolute).
    pub cwd: &'a str,
    /// CLAUDE_PROJECT_DIR (project root); falls back to cwd.
    pub project_dir: Option<&'a str>,
    /// $HOME.
    pub home: Option<&'a str>,
    /// hookwatch's own config and data dirs: the agent must not write there (self-protection).
    pub protected_dirs: &'a [PathBuf],
}

/// Ordering: the strictest decision is the greatest.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Ask,
    #[default]
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    pub decision: Decision,
    /// Built-in policy id (`rm-root`, ...) or `rule:<user rule name>`.
    pub policy: String,
    /// Addressed to the agent: what matched, why it is dangerous, what to do instead.
    pub reason: String,
    /// The offending simple command as analysed (wrappers stripped), or the file path for file tools.
    pub command: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// None = no opinion (the hook prints nothing).
    pub verdict: Option<Verdict>,
    /// Internal errors of fail-open policies; the caller logs them.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GuardConfig {
    pub enabled: bool,
    /// Built-in policy ids switched off (`self-protect` cannot be).
    pub disable: Vec<String>,
    /// Policy ids (built-in or `rule:<name>`) that deny on internal error; `*` = all.
    pub fail_closed: Vec<String>,
    /// Globs (Text mode) over branch names.
    pub protected_branches: Vec<String>,
    /// Never deleted recursively nor written: `~/…`, relative (to the project dir), absolute; globs (Path mode) allowed.
    pub protected_paths: Vec<String>,
    pub rules: Vec<UserRule>,
}

impl Default for GuardConfig {
    fn default() -> Self {
        GuardConfig {
            enabled: true,
            disable: Vec::new(),
            fail_closed: Vec::new(),
            protected_branches: ["main", "master", "release/*", "production", "prod"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            protected_paths: Vec::new(),
            rules: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UserRule {
    pub name: String,
    /// Glob (Text mode) over the tool name.
    pub tool: Option<String>,
    /// Glob (Text mode) against each analysed simple command: argv joined by
    /// single spaces, wrappers stripped, program basename.
    pub command: Option<String>,
    /// regex-lite over the same subject, compiled only once the other filters matched.
    pub command_regex: Option<String>,
    /// Glob (Path mode) against the absolute file path of file tools (`~` expanded;
    /// a pattern not starting with `/`, `~` or `*` is relative to the project dir).
    pub path: Option<String>,
    pub decision: Decision,
    pub reason: Option<String>,
}

/// Built-in policies, for `hookwatch guard policies`.
pub fn policies() -> &'static [PolicyInfo] {
    POLICIES
}

struct Rule {
    name: String,
    policy: String,
    tool: Option<Glob>,
    command: Option<Glob>,
    regex_src: Option<String>,
    regex: OnceLock<Result<regex_lite::Regex, String>>,
    path: Option<(String, Glob)>,
    decision: Decision,
    reason: Option<String>,
}

/// A compiled [`GuardConfig`]; build once per process.
pub struct Guard {
    enabled: bool,
    disabled: Vec<&'static str>,
    fail_all: bool,
    fail_closed: Vec<String>,
    branches: Vec<Glob>,
    protected_paths: Vec<String>,
    rules: Vec<Rule>,
}

/// What one subject (a simple command or a file-tool call) got.
struct Judged {
    verdict: Option<Verdict>,
    allowed_by_rule: bool,
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

impl Guard {
    /// Compiles globs and checks ids. A bad `command_regex` is NOT detected
    /// here (regexes compile lazily); it surfaces as an internal error of
    /// `rule:<name>` when first needed — use [`Guard::check_regexes`] to
    /// validate a config eagerly.
    pub fn new(cfg: &GuardConfig) -> Result<Guard, String> {
        let mut disabled = Vec::new();
        for id in &cfg.disable {
            if id == SELF_PROTECT {
                return Err(format!("policy {SELF_PROTECT:?} cannot be disabled"));
            }
            match POLICIES.iter().find(|p| p.id == id) {
                Some(p) => disabled.push(p.id),
                None => return Err(format!("disable: unknown policy id {id:?}")),
            }
        }
        let mut rules = Vec::with_capacity(cfg.rules.len());
        for (i, r) in cfg.rules.iter().enumerate() {
            if r.name.trim().is_empty() {
                return Err(format!("rule #{} has no name", i + 1));
            }
            if rules.iter().any(|x: &Rule| x.name == r.name) {
                return Err(format!("rule {:?} is defined twice", r.name));
            }
            let glob = |what: &str, p: &Option<String>, mode| -> Result<Option<Glob>, String> {
                p.as_deref()
                    .map(|p| {
                        Glob::new(p, mode)
                            .map_err(|e| format!("rule {:?}: {what} glob: {e}", r.name))
                    })
                    .transpose()
            };
            let path = match &r.path {
                Some(p) => Some((p.clone(), glob("path", &r.path, Mode::Path)?.expect("some"))),
                None => None,
            };
            rules.push(Rule {
                name: r.name.clone(),
                policy: format!("rule:{}", r.name),
                tool: glob("tool", &r.tool, Mode::Text)?,
                command: glob("command", &r.command, Mode::Text)?,
                regex_src: r.command_regex.clone(),
                regex: OnceLock::new(),
                path,
                decision: r.decision,
                reason: r.reason.clone(),
            });
        }
        let mut fail_all = false;
        for id in &cfg.fail_closed {
            if id == "*" {
                fail_all = true;
            } else if let Some(name) = id.strip_prefix("rule:") {
                if !rules.iter().any(|r| r.name == name) {
                    return Err(format!("fail_closed: no rule named {name:?}"));
                }
            } else if !POLICIES.iter().any(|p| p.id == id) {
                return Err(format!("fail_closed: unknown policy id {id:?}"));
            }
        }
        let branches = cfg
            .protected_branches
            .iter()
            .map(|b| Glob::new(b, Mode::Text).map_err(|e| format!("protected_branches: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        for p in &cfg.protected_paths {
            Glob::new(p, Mode::Path).map_err(|e| format!("protected_paths: {e}"))?;
        }
        Ok(Guard {
            enabled: cfg.enabled,
            disabled,
            fail_all,
            fail_closed: cfg.fail_closed.clone(),
            branches,
            protected_paths: cfg.protected_paths.clone(),
            rules,
        })
    }

    /// Compiles every `command_regex` now (for `hookwatch guard check`).
    pub fn check_regexes(&self) -> Result<(), String> {
        for r in &self.rules {
            if let Some(Err(e)) = self.regex(r) {
                return Err(format!("rule {:?}: command_regex: {e}", r.name));
            }
        }
        Ok(())
    }

    fn regex<'r>(&self, r: &'r Rule) -> Option<&'r Result<regex_lite::Regex, String>> {
        let src = r.regex_src.as_deref()?;
        Some(
            r.regex
                .get_or_init(|| regex_lite::Regex::new(src).map_err(|e| e.to_string())),
        )
    }

    fn is_fail_closed(&self, policy: &str) -> bool {
        self.fail_all || self.fail_closed.iter().any(|p| p == policy)
    }

    fn builtin_enabled(&self, id: &str) -> bool {
        self.enabled && !self.disabled.contains(&id)
    }

    /// Handles a policy's internal error: a Deny if it fails closed, else logged.
    fn internal_error(
        &self,
        policy: &str,
        err: &str,
        subject: Option<&str>,
        errors: &mut Vec<String>,
    ) -> Option<Verdict> {
        if self.is_fail_closed(policy) {
            Some(Verdict {
                decision: Decision::Deny,
                policy: policy.to_string(),
                reason: format!(
                    "hookwatch could not analyse this call ({err}) and policy {policy} is set to fail closed. Simplify the command (split it into plain steps) or ask the user to run it."
                ),
                command: subject.map(str::to_string),
            })
        } else {
            errors.push(format!("{policy}: {err}"));
            None
        }
    }

    fn context<'g>(&'g self, req: &Request) -> Cx<'g> {
        let cwd = command::normalize(req.cwd);
        let project = req
            .project_dir
            .filter(|p| p.starts_with('/'))
            .map(command::normalize)
            .unwrap_or_else(|| cwd.clone());
        let home = req
            .home
            .filter(|h| h.starts_with('/'))
            .map(command::normalize);
        let mut protected = Protected::default();
        for e in &self.protected_paths {
            let abs = if e == "~" || e.starts_with("~/") {
                match &home {
                    Some(h) => format!("{h}{}", &e[1..]),
                    None => continue,
                }
            } else if e.starts_with('/') {
                e.clone()
            } else {
                format!("{project}/{e}")
            };
            if has_glob(&abs) {
                let cut = abs.find(['*', '?', '[']).unwrap_or(abs.len());
                let prefix = command::normalize(&abs[..abs[..cut].rfind('/').unwrap_or(0).max(1)]);
                if let Ok(g) = Glob::new(&abs, Mode::Path) {
                    protected.globs.push((g, prefix));
                }
            } else {
                protected.exact.push(command::normalize(&abs));
            }
        }
        let own_dirs = req
            .protected_dirs
            .iter()
            .filter_map(|p| p.to_str())
            .filter(|p| p.starts_with('/'))
            .map(command::normalize)
            .collect();
        Cx {
            home,
            project,
            cwd,
            protected,
            own_dirs,
            branches: &self.branches,
        }
    }

    pub fn evaluate(&self, req: &Request, git: &dyn GitProbe) -> Outcome {
        let cx = self.context(req);
        let mut errors = Vec::new();
        let verdict = if req.tool_name == "Bash" {
            self.eval_bash(req, &cx, git, &mut errors)
        } else {
            self.eval_tool(req, &cx, &mut errors)
        };
        Outcome { verdict, errors }
    }

    /// First matching user rule for a subject.
    fn match_rules(
        &self,
        tool: &str,
        command: Option<&str>,
        path: Option<&str>,
        cx: &Cx,
        errors: &mut Vec<String>,
    ) -> Option<Verdict> {
        if !self.enabled {
            return None;
        }
        for r in &self.rules {
            if r.tool.as_ref().is_some_and(|g| !g.is_match(tool)) {
                continue;
            }
            if let Some(g) = &r.command {
                if !command.is_some_and(|c| g.is_match(c)) {
                    continue;
                }
            }
            if let Some((raw, g)) = &r.path {
                let Some(p) = path else { continue };
                if !path_glob_matches(raw, g, p, cx) {
                    continue;
                }
            }
            if r.regex_src.is_some() {
                let Some(c) = command else { continue };
                match self.regex(r) {
                    Some(Ok(re)) if re.is_match(c) => {}
                    Some(Ok(_)) | None => continue,
                    Some(Err(e)) => {
                        let msg = format!("invalid command_regex: {e}");
                        if let Some(v) =
                            self.internal_error(&r.policy, &msg, command.or(path), errors)
                        {
                            return Some(v);
                        }
                        continue;
                    }
                }
            }
            let subject = command.or(path).unwrap_or(tool);
            return Some(Verdict {
                decision: r.decision,
                policy: r.policy.clone(),
                reason: r.reason.clone().unwrap_or_else(|| match r.decision {
                    Decision::Deny => format!("`{subject}` is blocked by the user's hookwatch rule {:?}. Ask the user how to proceed.", r.name),
                    Decision::Ask => format!("`{subject}` needs the user's confirmation (hookwatch rule {:?}).", r.name),
                    Decision::Allow => format!("`{subject}` is allowed by the user's hookwatch rule {:?}.", r.name),
                }),
                command: Some(subject.to_string()),
            });
        }
        None
    }

    fn eval_tool(&self, req: &Request, cx: &Cx, errors: &mut Vec<String>) -> Option<Verdict> {
        let field = files::write_tool_path_field(req.tool_name);
        let raw = match field {
            Some(f) => req.tool_input.get(f),
            None => ["file_path", "notebook_path", "path"]
                .iter()
                .find_map(|f| req.tool_input.get(*f)),
        }
        .and_then(Value::as_str);
        let path = raw.and_then(|p| {
            let p = match (p.strip_prefix("~/"), cx.home.as_deref()) {
                (Some(rest), Some(h)) => format!("{h}/{rest}"),
                _ => p.to_string(),
            };
            command::resolve(Some(&cx.cwd), &p)
        });
        if field.is_some() {
            if let Some(p) = &path {
                if let Some(d) = policies::selfprotect::own_dir(p, cx) {
                    return Some(Verdict {
                        decision: Decision::Deny,
                        policy: SELF_PROTECT.into(),
                        reason: policies::selfprotect::own_dir_reason(p, d),
                        command: Some(p.clone()),
                    });
                }
            }
        }
        if let Some(v) = self.match_rules(req.tool_name, None, path.as_deref(), cx, errors) {
            return Some(v);
        }
        if field.is_some() && self.builtin_enabled(SENSITIVE_WRITE) {
            if let Some(p) = &path {
                if let Some(why) = files::sensitive(p, cx) {
                    return Some(Verdict {
                        decision: Decision::Deny,
                        policy: SENSITIVE_WRITE.into(),
                        reason: why.reason(None, p),
                        command: Some(p.clone()),
                    });
                }
            }
        }
        None
    }

    fn eval_bash(
        &self,
        req: &Request,
        cx: &Cx,
        git: &dyn GitProbe,
        errors: &mut Vec<String>,
    ) -> Option<Verdict> {
        let src = req.tool_input.get("command").and_then(Value::as_str)?;
        let home = cx.home.as_deref();
        let analysis = match command::analyse(src, home, &cx.cwd) {
            Ok(a) => a,
            Err(e) => return self.unparsable(src, &e, cx, errors),
        };
        let mut judged: Vec<Judged> = Vec::with_capacity(analysis.cmds.len());
        for e in &analysis.errors {
            if let Some(v) = self.bash_internal_error(e, src, errors) {
                judged.push(Judged {
                    verdict: Some(v),
                    allowed_by_rule: false,
                });
            }
        }
        for c in &analysis.cmds {
            judged.push(self.judge_cmd(c, cx, git, errors));
        }
        combine(judged)
    }

    fn judge_cmd(
        &self,
        c: &command::Cmd,
        cx: &Cx,
        git: &dyn GitProbe,
        errors: &mut Vec<String>,
    ) -> Judged {
        let deny = |policy: &str, reason: String| Judged {
            verdict: Some(Verdict {
                decision: Decision::Deny,
                policy: policy.to_string(),
                reason,
                command: Some(if c.display.is_empty() {
                    redirect_display(c)
                } else {
                    c.display.clone()
                }),
            }),
            allowed_by_rule: false,
        };
        if let Some(reason) = policies::selfprotect::check_cmd(c, cx) {
            return deny(SELF_PROTECT, reason);
        }
        if !c.program.is_empty() {
            if let Some(v) = self.match_rules("Bash", Some(&c.display), None, cx, errors) {
                let allowed_by_rule = v.decision == Decision::Allow;
                return Judged {
                    verdict: Some(v),
                    allowed_by_rule,
                };
            }
        }
        for (id, check) in BASH_CHECKS {
            if !self.builtin_enabled(id) {
                continue;
            }
            match check(c, cx, git) {
                Ok(Some(reason)) => return deny(id, reason),
                Ok(None) => {}
                Err(e) => {
                    if let Some(v) = self.internal_error(id, &e, Some(&c.display), errors) {
                        return Judged {
                            verdict: Some(v),
                            allowed_by_rule: false,
                        };
                    }
                }
            }
        }
        for (id, check) in BASH_ASKS {
            if !self.builtin_enabled(id) {
                continue;
            }
            match check(c, cx, git) {
                Ok(Some(reason)) => {
                    return Judged {
                        verdict: Some(Verdict {
                            decision: Decision::Ask,
                            policy: id.to_string(),
                            reason,
                            command: Some(c.display.clone()),
                        }),
                        allowed_by_rule: false,
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    if let Some(v) = self.internal_error(id, &e, Some(&c.display), errors) {
                        return Judged {
                            verdict: Some(v),
                            allowed_by_rule: false,
                        };
                    }
                }
            }
        }
        Judged {
            verdict: None,
            // Bare redirections have no program for rules to name; they do
            // not stand in the way of an Allow.
            allowed_by_rule: c.program.is_empty(),
        }
    }

    /// A Bash text that could not be analysed is an internal error of every
    /// Bash policy.
    fn bash_internal_error(
        &self,
        err: &str,
        src: &str,
        errors: &mut Vec<String>,
    ) -> Option<Verdict> {
        let msg = format!("could not parse the command: {err}");
        let subject = truncate(src, 200);
        for (id, _) in BASH_CHECKS {
            if self.builtin_enabled(id) && self.is_fail_closed(id) {
                return self.internal_error(id, &msg, Some(&subject), errors);
            }
        }
        errors.push(format!("bash: {msg}"));
        None
    }

    fn unparsable(
        &self,
        src: &str,
        err: &str,
        cx: &Cx,
        errors: &mut Vec<String>,
    ) -> Option<Verdict> {
        if policies::selfprotect::raw_mentions_user_only(src) {
            return Some(Verdict {
                decision: Decision::Deny,
                policy: SELF_PROTECT.into(),
                reason: "This command mentions hookwatch commands only the user may run (guard allow, allow-once, uninstall) and could not be analysed. Ask the user to run it themselves.".into(),
                command: Some(truncate(src, 200)),
            });
        }
        if self.enabled && !self.rules.is_empty() {
            // User rules still see the raw text (never as an Allow: it was not analysed).
            let flat: String = src.split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some(v) = self.match_rules("Bash", Some(&flat), None, cx, errors) {
                if v.decision != Decision::Allow {
                    return Some(v);
                }
            }
        }
        self.bash_internal_error(err, src, errors)
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn redirect_display(c: &command::Cmd) -> String {
    c.redirects
        .iter()
        .filter(|r| r.writes())
        .map(|r| format!("> {}", r.target.text))
        .collect::<Vec<_>>()
        .join(" ")
}

fn path_glob_matches(raw: &str, compiled: &Glob, p: &str, cx: &Cx) -> bool {
    let expanded = if raw == "~" || raw.starts_with("~/") {
        match &cx.home {
            Some(h) => format!("{h}{}", &raw[1..]),
            None => return false,
        }
    } else if raw.starts_with('/') || raw.starts_with('*') {
        return compiled.is_match(p);
    } else {
        format!("{}/{raw}", cx.project)
    };
    Glob::new(&expanded, Mode::Path).is_ok_and(|g| g.is_match(p))
}

fn combine(judged: Vec<Judged>) -> Option<Verdict> {
    let mut ask = None;
    let mut allow = None;
    let mut all_allowed = !judged.is_empty();
    for j in judged {
        all_allowed &= j.allowed_by_rule;
        match j.verdict {
            Some(v) if v.decision == Decision::Deny => return Some(v),
            Some(v) if v.decision == Decision::Ask => {
                ask.get_or_insert(v);
            }
            Some(v) => {
                allow.get_or_insert(v);
            }
            None => {}
        }
    }
    if ask.is_some() {
        return ask;
    }
    if all_allowed {
        allow
    } else {
        None
    }
}
