//! Resource attributes: who sent the telemetry. One resource per project,
//! so a backend can group by machine, user, repository and CI job.
//! Read by the worker (never the hook) from the machine, the CI provider's
//! variables and the project's `.git` files (no `git` process).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The attributes that are the same for every project of this process.
pub fn machine(service_name: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let mut a: Vec<(String, String)> = vec![
        ("service.name".into(), service_name.into()),
        ("service.version".into(), env!("CARGO_PKG_VERSION").into()),
    ];
    if let Some(h) = hostname() {
        a.push(("host.name".into(), h));
    }
    a.push(("host.arch".into(), arch().into()));
    a.push(("os.type".into(), os_type().into()));
    if let Some(u) = env("USER").or_else(|| env("LOGNAME")) {
        a.push(("user.name".into(), u));
    }
    a.extend(ci(env));
    a
}

/// The CI provider and its pipeline, run and job, from the variables each
/// provider documents. Empty outside CI.
pub fn ci(env: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    // (provider, marker variable, pipeline name, run id, job id, run URL parts)
    let (provider, pipeline, run, job, url) = if set("GITHUB_ACTIONS").is_some() {
        let url = match (
            set("GITHUB_SERVER_URL"),
            set("GITHUB_REPOSITORY"),
            set("GITHUB_RUN_ID"),
        ) {
            (Some(s), Some(r), Some(id)) => Some(format!("{s}/{r}/actions/runs/{id}")),
            _ => None,
        };
        (
            "github_actions",
            set("GITHUB_WORKFLOW"),
            set("GITHUB_RUN_ID"),
            set("GITHUB_JOB"),
            url,
        )
    } else if set("GITLAB_CI").is_some() {
        (
            "gitlab_ci",
            set("CI_PROJECT_PATH"),
            set("CI_PIPELINE_ID"),
            set("CI_JOB_ID"),
            set("CI_JOB_URL"),
        )
    } else if set("BUILDKITE").is_some() {
        (
            "buildkite",
            set("BUILDKITE_PIPELINE_SLUG"),
            set("BUILDKITE_BUILD_ID"),
            set("BUILDKITE_JOB_ID"),
            set("BUILDKITE_BUILD_URL"),
        )
    } else if set("CIRCLECI").is_some() {
        (
            "circleci",
            set("CIRCLE_PROJECT_REPONAME"),
            set("CIRCLE_WORKFLOW_ID"),
            set("CIRCLE_BUILD_NUM"),
            set("CIRCLE_BUILD_URL"),
        )
    } else if set("JENKINS_URL").is_some() {
        (
            "jenkins",
            set("JOB_NAME"),
            set("BUILD_NUMBER").or_else(|| set("BUILD_ID")),
            set("BUILD_TAG"),
            set("BUILD_URL"),
        )
    } else {
        return Vec::new();
    };
    let mut a = vec![("hookwatch.ci.provider".to_string(), provider.to_string())];
    for (k, v) in [
        ("cicd.pipeline.name", pipeline),
        ("cicd.pipeline.run.id", run),
        ("cicd.pipeline.task.run.id", job),
        ("cicd.pipeline.run.url.full", url),
    ] {
        if let Some(v) = v {
            a.push((k.into(), v));
        }
    }
    a
}

/// The project's repository: remote URL (credentials cut off), branch and
/// commit, read from its `.git` (a directory, or a worktree's `gitdir:`
/// file). Cached per project by the caller.
pub fn vcs(project: &Path) -> Vec<(String, String)> {
    let Some(git) = find_git_dir(project) else {
        return Vec::new();
    };
    // A worktree keeps HEAD in its own dir, config and refs in the common one.
    let common = std::fs::read_to_string(git.join("commondir"))
        .map(|c| {
            let c = PathBuf::from(c.trim());
            if c.is_absolute() {
                c
            } else {
                git.join(c)
            }
        })
        .unwrap_or_else(|_| git.clone());
    let mut a = Vec::new();
    if let Some(url) = std::fs::read_to_string(common.join("config"))
        .ok()
        .and_then(|c| origin_url(&c))
    {
        a.push(("vcs.repository.url.full".into(), without_credentials(&url)));
    }
    let head = std::fs::read_to_string(git.join("HEAD")).unwrap_or_default();
    let head = head.trim();
    if let Some(r) = head.strip_prefix("ref: ") {
        if let Some(branch) = r.strip_prefix("refs/heads/") {
            a.push(("vcs.ref.head.name".into(), branch.to_string()));
        }
        if let Some(rev) = resolve_ref(&common, r) {
            a.push(("vcs.ref.head.revision".into(), rev));
        }
    } else if head.len() == 40 && head.bytes().all(|b| b.is_ascii_hexdigit()) {
        a.push(("vcs.ref.head.revision".into(), head.to_string()));
    }
    a
}

fn find_git_dir(project: &Path) -> Option<PathBuf> {
    let mut dir = Some(project);
    while let Some(d) = dir {
        let dot = d.join(".git");
        if dot.is_dir() {
            return Some(dot);
        }
        if let Ok(text) = std::fs::read_to_string(&dot) {
            let p = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
            return Some(if p.is_absolute() { p } else { d.join(p) });
        }
        dir = d.parent();
    }
    None
}

/// `url` of `[remote "origin"]` in a git config file.
fn origin_url(config: &str) -> Option<String> {
    let mut in_origin = false;
    for line in config.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_origin = l.replace(' ', "") == "[remote\"origin\"]";
            continue;
        }
        if in_origin {
            if let Some((k, v)) = l.split_once('=') {
                if k.trim() == "url" {
                    return Some(v.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

fn resolve_ref(common: &Path, r: &str) -> Option<String> {
    if let Ok(v) = std::fs::read_to_string(common.join(r)) {
        return Some(v.trim().to_string()).filter(|v| v.len() == 40);
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|l| {
        let (sha, name) = l.split_once(' ')?;
        (name == r && sha.len() == 40).then(|| sha.to_string())
    })
}

/// `https://user:token@host/x` → `https://host/x`; scp-style `git@host:x`
/// stays (the user there is not a secret).
pub fn without_credentials(url: &str) -> String {
    let out = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if path.is_empty() && !rest.contains('/') {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url.to_string(),
    };
    hookwatch_scrub::scrub_str(&out).into_owned()
}

fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most
    // that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(String::from_utf8_lossy(&buf[..end]).into_owned()).filter(|h| !h.is_empty())
}

/// `host.arch` values of the semantic conventions.
fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "x86",
        "arm" => "arm32",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        other => other,
    }
}

fn os_type() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// Resources by project, built once per export pass.
#[derive(Default)]
pub struct Resources {
    machine: Vec<(String, String)>,
    extra: Vec<(String, String)>,
    by_project: BTreeMap<String, Vec<(String, String)>>,
}

impl Resources {
    pub fn new(machine: Vec<(String, String)>, extra: Vec<(String, String)>) -> Resources {
        Resources {
            machine,
            extra,
            by_project: BTreeMap::new(),
        }
    }

    /// The attributes of `project`'s resource ('' = none).
    pub fn of(&mut self, project: &str) -> &[(String, String)] {
        if !self.by_project.contains_key(project) {
            let mut a = self.machine.clone();
            if !project.is_empty() {
                a.push(("hookwatch.project".into(), project.into()));
                a.extend(vcs(Path::new(project)));
            }
            for (k, v) in &self.extra {
                a.retain(|(x, _)| x != k);
                a.push((k.clone(), v.clone()));
            }
            self.by_project.insert(project.to_string(), a);
        }
        &self.by_project[project]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_providers() {
        let gh = |k: &str| {
            match k {
                "GITHUB_ACTIONS" => Some("true"),
                "GITHUB_WORKFLOW" => Some("ci"),
                "GITHUB_RUN_ID" => Some("42"),
                "GITHUB_JOB" => Some("test"),
                "GITHUB_SERVER_URL" => Some("https://github.com"),
                "GITHUB_REPOSITORY" => Some("o/r"),
                _ => None,
            }
            .map(str::to_string)
        };
        let a = ci(&gh);
        assert!(a.contains(&("hookwatch.ci.provider".into(), "github_actions".into())));
        assert!(a.contains(&("cicd.pipeline.run.id".into(), "42".into())));
        assert!(a.contains(&("cicd.pipeline.task.run.id".into(), "test".into())));
        assert!(a.contains(&(
            "cicd.pipeline.run.url.full".into(),
            "https://github.com/o/r/actions/runs/42".into()
        )));
        let gl = |k: &str| {
            match k {
                "GITLAB_CI" => Some("true"),
                "CI_PIPELINE_ID" => Some("7"),
                "CI_JOB_ID" => Some("8"),
                _ => None,
            }
            .map(str::to_string)
        };
        let a = ci(&gl);
        assert!(a.contains(&("hookwatch.ci.provider".into(), "gitlab_ci".into())));
        assert!(a.contains(&("cicd.pipeline.task.run.id".into(), "8".into())));
        for (marker, provider) in [
            ("BUILDKITE", "buildkite"),
            ("CIRCLECI", "circleci"),
            ("JENKINS_URL", "jenkins"),
        ] {
            let e = |k: &str| (k == marker).then(|| "x".to_string());
            assert_eq!(ci(&e)[0].1, provider);
        }
        assert!(ci(&|_| None).is_empty());
    }

    #[test]
    fn credentials_are_cut_from_remotes() {
        assert_eq!(
            without_credentials("https://bob:ghp_abc@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }

    #[test]
    fn reads_a_repository_without_git() {
        let d = tempfile::tempdir().unwrap();
        let git = d.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        std::fs::write(git.join("HEAD"), "ref: refs/heads/feature/x\n").unwrap();
        std::fs::write(
            git.join("config"),
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://tok@example.com/o/r.git\n",
        )
        .unwrap();
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs\n{} refs/heads/feature/x\n", "a".repeat(40)),
        )
        .unwrap();
        let sub = d.path().join("src");
        std::fs::create_dir_all(&sub).unwrap();
        let a = vcs(&sub);
        assert!(a.contains(&("vcs.ref.head.name".into(), "feature/x".into())));
        assert!(a.contains(&("vcs.ref.head.revision".into(), "a".repeat(40))));
        assert!(a.contains(&(
            "vcs.repository.url.full".into(),
            "https://example.com/o/r.git".into()
        )));
    }
}
