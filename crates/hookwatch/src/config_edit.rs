//! Edits of the user's config.toml that hookwatch makes on request
//! (`install --recover`), as text in, text out. toml_edit keeps every
//! comment, blank line, key order and quoting style of the file; only the
//! one value asked for changes. Pure: no I/O, so a caller can check the
//! edit before it writes anything.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// What turning recovery on needs.
#[derive(Debug, PartialEq, Eq)]
pub enum RecoveryEdit {
    /// Already on for this scope; the text stays as it is.
    AlreadyOn(String),
    /// The new text, and one line saying what changed.
    Edit { text: String, change: String },
}

/// Turn on resuming after retryable StopFailures: for every project
/// (`project = None`: `[recover] enabled = true`) or for one project (its
/// absolute path added to `[recover] projects`). `Err` says why the file
/// cannot be edited safely (what to fix by hand).
pub fn enable_recovery(text: &str, project: Option<&str>) -> Result<RecoveryEdit, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e
            .span()
            .map(|s| format!(" (line {})", text[..s.start].matches('\n').count() + 1))
            .unwrap_or_default();
        format!(
            "is not valid TOML{line}: {}",
            e.message().trim().replace('\n', " ")
        )
    })?;
    let recover = recover_table(&mut doc)?;
    let enabled =
        match recover.get("enabled") {
            None => None,
            Some(v) => Some(v.as_bool().ok_or(
                "sets recover.enabled to something other than true or false; fix it by hand",
            )?),
        };
    match project {
        None => {
            if enabled == Some(true) {
                return Ok(RecoveryEdit::AlreadyOn("recovery already on".into()));
            }
            let change = match enabled {
                Some(false) => "recover.enabled: false → true",
                _ => "recover.enabled = true",
            };
            set_keeping_decor(recover, "enabled", Value::from(true));
            Ok(RecoveryEdit::Edit {
                text: doc.to_string(),
                change: change.into(),
            })
        }
        Some(project) => {
            if enabled == Some(true) {
                return Ok(RecoveryEdit::AlreadyOn(
                    "recovery already on for every project (recover.enabled = true)".into(),
                ));
            }
            let cfg = crate::config::RecoverConfig {
                projects: project_list(recover)?,
                ..Default::default()
            };
            if cfg.enabled_for(Some(project)) {
                return Ok(RecoveryEdit::AlreadyOn(format!(
                    "recovery already on for {project}"
                )));
            }
            match recover.get_mut("projects") {
                None => {
                    let mut list = Array::new();
                    list.push(project);
                    recover.insert("projects", toml_edit::value(list));
                }
                Some(item) => {
                    let list = item
                        .as_array_mut()
                        .ok_or("sets recover.projects to something other than a list")?;
                    push_like_the_others(list, project);
                }
            }
            Ok(RecoveryEdit::Edit {
                text: doc.to_string(),
                change: format!("{project} added to recover.projects"),
            })
        }
    }
}

/// `[recover]` as a table whatever its spelling (a `[recover]` header,
/// dotted `recover.x = …` keys or an inline table), created when absent.
fn recover_table(doc: &mut DocumentMut) -> Result<&mut dyn toml_edit::TableLike, String> {
    if doc.get("recover").is_none() {
        doc.insert("recover", Item::Table(Table::new()));
    }
    doc.get_mut("recover")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| "sets recover to something other than a table; fix it by hand".into())
}

fn project_list(recover: &dyn toml_edit::TableLike) -> Result<Vec<String>, String> {
    let Some(item) = recover.get("projects") else {
        return Ok(Vec::new());
    };
    let list = item
        .as_array()
        .ok_or("sets recover.projects to something other than a list; fix it by hand")?;
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                "has a recover.projects entry that is not a string; fix it by hand".to_string()
            })
        })
        .collect()
}

/// Replace a value, keeping the comment or spacing around the old one
/// (`enabled = false  # for now` stays commented).
fn set_keeping_decor(table: &mut dyn toml_edit::TableLike, key: &str, mut value: Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(value));
}

/// A one-per-line list stays one per line: the new entry gets the
/// indentation of the last one (its prefix may also hold the comment that
/// ends the line before it, which is not copied). The list's trailing comma
/// and comments stay where they are.
fn push_like_the_others(list: &mut Array, project: &str) {
    let indent = list
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .filter(|p| p.contains('\n'))
        .map(|p| format!("\n{}", p.rsplit('\n').next().unwrap_or("")));
    list.push(project);
    if let Some(new) = list.iter_mut().last() {
        new.decor_mut()
            .set_prefix(indent.unwrap_or_else(|| " ".into()));
    }
}

/// `hookwatch notify setup`: add `[alerts.targets.NAME]` (`fields`, with
/// `alerts = false`: notifications only) and name it in `[notify] targets`.
/// Returns the new text and one line saying what changed. A target of that
/// name already there is an error (pick another `--name`), not replaced.
pub fn add_notify_target(
    text: &str,
    name: &str,
    fields: &[(&str, Value)],
) -> Result<(String, String), String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "is not valid TOML: {}",
            e.message().trim().replace('\n', " ")
        )
    })?;
    if doc.get("alerts").is_none() {
        let mut t = Table::new();
        t.set_implicit(true);
        doc.insert("alerts", Item::Table(t));
    }
    let alerts = doc["alerts"]
        .as_table_like_mut()
        .ok_or("sets alerts to something other than a table; fix it by hand")?;
    if alerts.get("targets").is_none() {
        let mut t = Table::new();
        t.set_implicit(true);
        alerts.insert("targets", Item::Table(t));
    }
    let targets = alerts
        .get_mut("targets")
        .and_then(Item::as_table_like_mut)
        .ok_or("sets alerts.targets to something other than a table; fix it by hand")?;
    if targets.get(name).is_some() {
        return Err(format!(
            "already has a target named {name:?} ([alerts.targets.{name}]): choose another --name, or edit it by hand"
        ));
    }
    let mut t = Table::new();
    for (k, v) in fields {
        t.insert(k, Item::Value(v.clone()));
    }
    t.insert("alerts", Item::Value(Value::from(false)));
    targets.insert(name, Item::Table(t));
    if doc.get("notify").is_none() {
        doc.insert("notify", Item::Table(Table::new()));
    }
    let notify = doc["notify"]
        .as_table_like_mut()
        .ok_or("sets notify to something other than a table; fix it by hand")?;
    let list = match notify.get_mut("targets") {
        None => {
            notify.insert("targets", Item::Value(Value::Array(Array::new())));
            notify.get_mut("targets").and_then(Item::as_array_mut)
        }
        Some(i) => i.as_array_mut(),
    }
    .ok_or("sets notify.targets to something other than a list; fix it by hand")?;
    if !list.iter().any(|v| v.as_str() == Some(name)) {
        list.push(name);
    }
    Ok((
        doc.to_string(),
        format!("[alerts.targets.{name}] added (notifications only) and named in [notify] targets"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, project: Option<&str>) -> String {
        match enable_recovery(text, project).unwrap() {
            RecoveryEdit::Edit { text, .. } => text,
            RecoveryEdit::AlreadyOn(m) => panic!("already on: {m}"),
        }
    }

    #[test]
    fn an_empty_file_gets_a_recover_table() {
        assert_eq!(edit("", None), "[recover]\nenabled = true\n");
        assert_eq!(edit("", Some("/a")), "[recover]\nprojects = [\"/a\"]\n");
    }

    #[test]
    fn a_second_and_third_project_join_the_list_and_comments_stay() {
        let text = "# my hookwatch\n[store]\nfsync = true # power loss matters here\n\n# resume overnight runs\n[recover]\nprojects = [\"/a\"] # the monorepo\nmax_per_day = 5\n";
        let two = edit(text, Some("/b"));
        assert_eq!(
            two,
            "# my hookwatch\n[store]\nfsync = true # power loss matters here\n\n# resume overnight runs\n[recover]\nprojects = [\"/a\", \"/b\"] # the monorepo\nmax_per_day = 5\n"
        );
        let three = edit(&two, Some("/c d"));
        assert!(three.contains("projects = [\"/a\", \"/b\", \"/c d\"] # the monorepo"));
        let parsed: crate::config::Config = toml::from_str(&three).unwrap();
        assert_eq!(parsed.recover.projects, ["/a", "/b", "/c d"]);
        assert_eq!(parsed.recover.max_per_day, 5);
    }

    #[test]
    fn a_list_one_per_line_stays_one_per_line() {
        let text = "[recover]\nprojects = [\n    \"/a\", # first\n    '/b',\n]\n";
        assert_eq!(
            edit(text, Some("/c")),
            "[recover]\nprojects = [\n    \"/a\", # first\n    '/b',\n    \"/c\",\n]\n"
        );
    }

    #[test]
    fn already_on_changes_nothing() {
        let on = "[recover]\nprojects = [\"/w/*\"]\n";
        assert!(matches!(
            enable_recovery(on, Some("/w/x")).unwrap(),
            RecoveryEdit::AlreadyOn(_)
        ));
        let all = "[recover]\nenabled = true\n";
        assert!(matches!(
            enable_recovery(all, Some("/b")).unwrap(),
            RecoveryEdit::AlreadyOn(_)
        ));
        assert!(matches!(
            enable_recovery(all, None).unwrap(),
            RecoveryEdit::AlreadyOn(_)
        ));
    }

    #[test]
    fn enabled_false_is_turned_on_in_place_with_its_comment() {
        assert_eq!(
            edit(
                "[recover]\nenabled = false   # not yet\nclaude = \"c\"\n",
                None
            ),
            "[recover]\nenabled = true   # not yet\nclaude = \"c\"\n"
        );
    }

    #[test]
    fn dotted_keys_and_inline_tables_are_edited_where_they_are() {
        assert_eq!(
            edit("recover.projects = [\"/a\"]\n", Some("/b")),
            "recover.projects = [\"/a\", \"/b\"]\n"
        );
        assert_eq!(
            edit("recover = { projects = [\"/a\"] }\n", Some("/b")),
            "recover = { projects = [\"/a\", \"/b\"] }\n"
        );
    }

    #[test]
    fn what_cannot_be_edited_safely_is_refused() {
        for text in [
            "[recover\n",
            "recover = 3\n",
            "[recover]\nprojects = \"/a\"\n",
            "[recover]\nprojects = [1]\n",
            "[recover]\nenabled = \"yes\"\n",
        ] {
            assert!(enable_recovery(text, Some("/b")).is_err(), "{text}");
        }
    }
}
