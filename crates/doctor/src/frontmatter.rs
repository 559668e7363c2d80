//! Hooks in skill and agent frontmatter (`hooks:` in the YAML between the
//! `---` lines of `SKILL.md` / an agent's `.md`), which Claude Code 2.1.330
//! registers while the skill or agent is active; an agent's `Stop` becomes
//! `SubagentStop`. Read as YAML, checked as settings are.

use serde_json::Value;
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

/// Skill and agent files of the user and the project: (path, is_agent).
pub fn files(claude_dir: &Path, project: Option<&Path>) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut roots = vec![claude_dir.to_path_buf()];
    if let Some(p) = project {
        roots.push(p.join(".claude"));
    }
    for root in roots {
        for e in std::fs::read_dir(root.join("skills"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let f = e.path().join("SKILL.md");
            if f.is_file() {
                out.push((f, false));
            }
        }
        for e in std::fs::read_dir(root.join("agents"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let f = e.path();
            if f.extension().is_some_and(|x| x == "md") {
                out.push((f, true));
            }
        }
    }
    out.sort();
    out
}

/// What a file's frontmatter says about hooks.
pub enum Frontmatter {
    None,
    /// `{"hooks": …}` as settings JSON, and the line of `hooks:`.
    Hooks(String, usize),
    /// The YAML does not parse (line, message).
    Invalid(usize, String),
}

pub fn read(text: &str, is_agent: bool) -> Frontmatter {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return Frontmatter::None;
    }
    let body: Vec<&str> = lines.take_while(|l| l.trim_end() != "---").collect();
    let Some(hooks_at) = body.iter().position(|l| l.starts_with("hooks:")) else {
        return Frontmatter::None;
    };
    let yaml = body.join("\n");
    let docs = match YamlLoader::load_from_str(&yaml) {
        Ok(d) => d,
        Err(e) => return Frontmatter::Invalid(e.marker().line() + 1, e.to_string()),
    };
    let Some(hooks) = docs
        .first()
        .map(|d| &d["hooks"])
        .filter(|h| !h.is_badvalue())
    else {
        return Frontmatter::None;
    };
    let mut v = to_json(hooks);
    if is_agent {
        if let Some(obj) = v.as_object_mut() {
            if let Some(stop) = obj.remove("Stop") {
                obj.insert("SubagentStop".into(), stop);
            }
        }
    }
    // +2: the opening `---`, and lines count from 1.
    Frontmatter::Hooks(serde_json::json!({ "hooks": v }).to_string(), hooks_at + 2)
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(s.as_str())),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::from(s.as_str()),
        Yaml::Boolean(b) => Value::from(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hooks_from_frontmatter() {
        let md = "---\nname: checker\ndescription: x\nhooks:\n  Stop:\n    - hooks:\n        - type: command\n          command: ./check.sh\n          timeout: 30\n---\n# body\n";
        let Frontmatter::Hooks(json, line) = read(md, true) else {
            panic!()
        };
        assert_eq!(line, 4);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["hooks"]["SubagentStop"][0]["hooks"][0]["timeout"], 30);
        assert!(matches!(read("no frontmatter", false), Frontmatter::None));
        assert!(matches!(
            read("---\nname: x\n---\n", false),
            Frontmatter::None
        ));
        assert!(matches!(
            read("---\nhooks: [unclosed\n---\n", false),
            Frontmatter::Invalid(..)
        ));
    }
}
