//! Alertmanager-style matchers: `name=value`, `name!=value`, `name=~regex`,
//! `name!~regex`. Regexes are anchored (the whole value must match) and
//! compiled once when the config is loaded by the worker; the hook never
//! evaluates them.

use crate::labels::Labels;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Re,
    NotRe,
}

#[derive(Clone)]
pub struct Matcher {
    pub name: String,
    pub op: Op,
    pub value: String,
    re: Option<regex_lite::Regex>,
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl PartialEq for Matcher {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.op == o.op && self.value == o.value
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
            Op::NotRe => "!~",
        };
        write!(f, "{}{op}{}", self.name, self.value)
    }
}

impl Matcher {
    /// Parse `tool=Bash`, `class=~network|timeout`, `expected!=true`.
    /// Spaces around the operator are allowed; quotes around the value are
    /// taken off.
    pub fn parse(s: &str) -> Result<Matcher, String> {
        let pos = s.find(['=', '!']).ok_or_else(|| {
            format!("matcher {s:?} has no operator: write name=value, name!=value, name=~regex or name!~regex")
        })?;
        let name = s[..pos].trim();
        let rest = &s[pos..];
        let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
            (Op::Re, v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            (Op::NotRe, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (Op::Ne, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (Op::Eq, v)
        } else {
            return Err(format!(
                "matcher {s:?}: the operator must be =, !=, =~ or !~"
            ));
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "matcher {s:?}: the label name must be letters, digits and _ (e.g. tool, class, session)"
            ));
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value)
            .to_string();
        let re = match op {
            Op::Re | Op::NotRe => Some(
                regex_lite::Regex::new(&format!("^(?:{value})$"))
                    .map_err(|e| format!("matcher {s:?}: bad regex: {e}"))?,
            ),
            _ => None,
        };
        Ok(Matcher {
            name: name.to_string(),
            op,
            value,
            re,
        })
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.name).map(String::as_str).unwrap_or("");
        match self.op {
            Op::Eq => v == self.value,
            Op::Ne => v != self.value,
            Op::Re => self.re.as_ref().is_some_and(|r| r.is_match(v)),
            Op::NotRe => !self.re.as_ref().is_some_and(|r| r.is_match(v)),
        }
    }

    /// The value this matcher requires, when it requires exactly one.
    pub fn required(&self, name: &str) -> Option<&str> {
        (self.name == name && self.op == Op::Eq).then_some(self.value.as_str())
    }
}

/// All must match; an empty list matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matchers(pub Vec<Matcher>);

impl Matchers {
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Matchers, String> {
        items
            .iter()
            .map(|s| Matcher::parse(s.as_ref()))
            .collect::<Result<_, _>>()
            .map(Matchers)
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.0.iter().all(|m| m.matches(labels))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn strings(&self) -> Vec<String> {
        self.0.iter().map(|m| m.to_string()).collect()
    }
}

impl Serialize for Matchers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.strings().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Matchers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        Matchers::parse(&v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn operators() {
        let l = labels(&[("tool", "Bash"), ("class", "network")]);
        assert!(Matcher::parse("tool=Bash").unwrap().matches(&l));
        assert!(Matcher::parse("tool = \"Bash\"").unwrap().matches(&l));
        assert!(!Matcher::parse("tool!=Bash").unwrap().matches(&l));
        assert!(Matcher::parse("class=~network|timeout")
            .unwrap()
            .matches(&l));
        // Anchored: a substring is not a match.
        assert!(!Matcher::parse("class=~net").unwrap().matches(&l));
        assert!(Matcher::parse("class!~timeout").unwrap().matches(&l));
        // A missing label is the empty string.
        assert!(Matcher::parse("session=").unwrap().matches(&l));
        assert!(Matcher::parse("session!~.+").unwrap().matches(&l));
        assert!(Matcher::parse("tool").is_err());
        assert!(Matcher::parse("to ol=x").is_err());
        assert!(Matcher::parse("x=~(").is_err());
        assert_eq!(Matcher::parse("a =~ b|c").unwrap().to_string(), "a=~b|c");
    }
}
