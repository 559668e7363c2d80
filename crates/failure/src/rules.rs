//! User rules: ordered overrides of the built-in verdict.
//!
//! Globs are compiled when the rules are loaded (microseconds, and a typo
//! should fail `Rules::new`, not a later hook). Regexes are compiled only
//! when a rule's cheap conditions already matched: most rules are scoped to
//! one tool or command and never need their regex in a given hook process.

use std::cell::OnceCell;

use hookwatch_pattern::{Glob, Mode};

use crate::advice::builtin_advice;
use crate::classify::{classify, info};
use crate::fingerprint::fingerprint_of;
use crate::prepare::Prepared;
use crate::{default_severity, Advice, Failure, UserRule, Verdict};

/// Regex programs larger than this are refused: a rule file should not be
/// able to make every hook slow.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

struct LazyRegex {
    source: Option<String>,
    compiled: OnceCell<Result<regex_lite::Regex, String>>,
}

impl LazyRegex {
    fn new(source: Option<&String>) -> LazyRegex {
        LazyRegex {
            source: source.cloned(),
            compiled: OnceCell::new(),
        }
    }

    fn get(&self) -> Option<&Result<regex_lite::Regex, String>> {
        let src = self.source.as_deref()?;
        Some(self.compiled.get_or_init(|| {
            regex_lite::RegexBuilder::new(src)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| e.to_string())
        }))
    }

    #[cfg(test)]
    fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }
}

struct CompiledRule {
    rule: UserRule,
    id: String,
    tool: Option<Glob>,
    mcp_server: Option<Glob>,
    command: Option<Glob>,
    project: Option<Glob>,
    command_regex: LazyRegex,
    error_regex: LazyRegex,
}

/// Built-in rules plus the user's rules, ready to classify failures.
///
/// Not `Sync`: regexes are compiled lazily into `OnceCell`s, which suits a
/// hook process that classifies one failure and exits.
pub struct Rules {
    user: Vec<CompiledRule>,
}

fn glob(rule: &str, field: &str, pat: Option<&String>, mode: Mode) -> Result<Option<Glob>, String> {
    pat.map(|p| Glob::new(p, mode).map_err(|e| format!("rule {rule}: bad {field} glob: {e}")))
        .transpose()
}

impl Rules {
    /// Validates every glob now; regexes are checked lazily (see
    /// [`Rules::check_regexes`]). A rule without a name is called `#<n>`
    /// (1-based position).
    pub fn new(user: &[UserRule]) -> Result<Rules, String> {
        let mut compiled = Vec::with_capacity(user.len());
        for (n, r) in user.iter().enumerate() {
            let name = if r.name.is_empty() {
                format!("#{}", n + 1)
            } else {
                r.name.clone()
            };
            compiled.push(CompiledRule {
                tool: glob(&name, "tool", r.tool.as_ref(), Mode::Text)?,
                mcp_server: glob(&name, "mcp_server", r.mcp_server.as_ref(), Mode::Text)?,
                command: glob(&name, "command", r.command.as_ref(), Mode::Text)?,
                project: glob(&name, "project", r.project.as_ref(), Mode::Path)?,
                command_regex: LazyRegex::new(r.command_regex.as_ref()),
                error_regex: LazyRegex::new(r.error.as_ref()),
                id: format!("user:{name}"),
                rule: r.clone(),
            });
        }
        Ok(Rules { user: compiled })
    }

    /// Classifies one failure. The second value lists problems met on the
    /// way (a user regex that does not compile); the rule with the problem is
    /// treated as not matching, so a bad rule never breaks the hook.
    pub fn classify(&self, f: &Failure) -> (Verdict, Vec<String>) {
        let p = Prepared::new(f);
        let builtin_id = classify(&p);
        let b = info(builtin_id);
        let mut errors = Vec::new();
        let project = f.project_dir.or(f.cwd);
        let capped = crate::prepare::cap(f.error);

        let mut verdict = Verdict {
            fingerprint: fingerprint_of(&p),
            class: b.class,
            severity: b.severity,
            expected: b.expected,
            rule: format!("builtin:{builtin_id}"),
            advice: None,
            system_message: None,
        };

        let matched = self
            .user
            .iter()
            .find(|r| r.matches(f, &p, &capped, project, &mut errors));
        let mut user_advice = false;
        if let Some(r) = matched {
            let u = &r.rule;
            if u.class.is_some() || u.expected.is_some() || u.severity.is_some() {
                verdict.rule = r.id.clone();
            }
            let changed = u.class.is_some_and(|c| c != verdict.class)
                || u.expected.is_some_and(|e| e != verdict.expected);
            if let Some(c) = u.class {
                verdict.class = c;
            }
            if let Some(e) = u.expected {
                verdict.expected = e;
            }
            verdict.severity = match u.severity {
                Some(s) => s,
                // The built-in severity belonged to the built-in class and
                // expected-ness; once those change, so does the default.
                None if changed => default_severity(verdict.class, verdict.expected),
                None => verdict.severity,
            };
            if let Some(a) = &u.advice {
                verdict.advice = Some(Advice {
                    rule: r.id.clone(),
                    text: a.clone(),
                });
                user_advice = true;
            }
            verdict.system_message = u.system_message.clone();
        }
        if !user_advice {
            verdict.advice = builtin_advice(builtin_id, &p, project);
        }
        (verdict, errors)
    }

    /// Compiles every user regex and returns one message per bad one.
    pub fn check_regexes(&self) -> Vec<String> {
        let mut errors = Vec::new();
        for r in &self.user {
            for (what, re) in [
                ("command_regex", &r.command_regex),
                ("error", &r.error_regex),
            ] {
                if let Some(Err(e)) = re.get() {
                    errors.push(format!("{}: bad {what} regex: {e}", r.id));
                }
            }
        }
        errors
    }
}

impl CompiledRule {
    /// All present conditions must hold; cheapest first, regexes last.
    fn matches(
        &self,
        f: &Failure,
        p: &Prepared,
        error: &str,
        project: Option<&str>,
        errors: &mut Vec<String>,
    ) -> bool {
        if let Some(g) = &self.tool {
            if !g.is_match(f.tool_name) {
                return false;
            }
        }
        if let Some(g) = &self.mcp_server {
            if !p.mcp_server.is_some_and(|s| g.is_match(s)) {
                return false;
            }
        }
        let needs_command = self.command.is_some() || self.rule.command_regex.is_some();
        let command = p.command.filter(|_| needs_command);
        if needs_command && command.is_none() {
            return false;
        }
        if let (Some(g), Some(c)) = (&self.command, command) {
            if !g.is_match(c.trim()) {
                return false;
            }
        }
        if let Some(g) = &self.project {
            if !project.is_some_and(|d| g.is_match(d.trim_end_matches('/')) || g.is_match(d)) {
                return false;
            }
        }
        if let (Some(re), Some(c)) = (self.command_regex.get(), command) {
            match re {
                Ok(re) if re.is_match(c) => {}
                Ok(_) => return false,
                Err(e) => {
                    errors.push(format!("{}: bad command_regex regex: {e}", self.id));
                    return false;
                }
            }
        }
        if let Some(re) = self.error_regex.get() {
            match re {
                Ok(re) if re.is_match(error) => {}
                Ok(_) => return false,
                Err(e) => {
                    errors.push(format!("{}: bad error regex: {e}", self.id));
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_not_compiled_when_tool_differs() {
        let rules = Rules::new(&[UserRule {
            name: "web".into(),
            tool: Some("WebFetch".into()),
            error: Some("timeout".into()),
            expected: Some(true),
            ..Default::default()
        }])
        .unwrap();
        let f = Failure {
            tool_name: "Bash",
            tool_input: None,
            error: "Exit code 1\ntimeout",
            is_interrupt: false,
            mcp_server: None,
            cwd: None,
            project_dir: None,
        };
        let _ = rules.classify(&f);
        assert!(!rules.user[0].error_regex.is_compiled());
        let f = Failure {
            tool_name: "WebFetch",
            ..f
        };
        let (v, _) = rules.classify(&f);
        assert!(rules.user[0].error_regex.is_compiled());
        assert!(v.expected);
    }
}
