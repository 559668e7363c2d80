//! Built-in advice: short, imperative, and only where there is something to
//! do. Advice goes into the agent's context, so it never carries error text
//! except an identifier that passed a strict character check (an error
//! message is attacker-influenced; a module name like `requests` is not a
//! vehicle for instructions).

use std::path::Path;

use crate::classify::info;
use crate::prepare::Prepared;
use crate::Advice;

/// Advice for the built-in rule `id`, or `None`. Touches the file system
/// (lock file probes) only for the few rules whose advice depends on the
/// project, i.e. only after the error text already matched.
pub(crate) fn builtin_advice(
    id: &'static str,
    p: &Prepared,
    project: Option<&str>,
) -> Option<Advice> {
    let text = match id {
        "node-module-not-found" => node_deps(p, project)?,
        "python-module-not-found" => python_module(p, project)?,
        "command-not-found" => command_not_found(p, project),
        // Dynamic descriptions in the table are not advice themselves.
        _ => info(id).advice?.to_string(),
    };
    Some(Advice {
        rule: format!("builtin:{id}"),
        text,
    })
}

fn project_file(project: Option<&str>, name: &str) -> bool {
    project.is_some_and(|d| Path::new(d).join(name).exists())
}

/// The install command of the JS package manager the project uses.
fn js_install(project: Option<&str>) -> Option<&'static str> {
    if project_file(project, "pnpm-lock.yaml") {
        Some("pnpm install")
    } else if project_file(project, "yarn.lock") {
        Some("yarn install")
    } else if project_file(project, "bun.lockb") || project_file(project, "bun.lock") {
        Some("bun install")
    } else if project_file(project, "package-lock.json") {
        Some("npm ci")
    } else if project_file(project, "package.json") {
        Some("npm install")
    } else {
        None
    }
}

fn node_deps(p: &Prepared, project: Option<&str>) -> Option<String> {
    // A relative import (`./util`) is a code problem, not a missing install.
    let module = quoted_after(&p.raw, &p.lower, "cannot find module ")
        .or_else(|| quoted_after(&p.raw, &p.lower, "cannot find package "));
    if module.is_some_and(|m| m.starts_with('.') || m.starts_with('/')) {
        return None;
    }
    let cmd = js_install(project)?;
    Some(format!("Dependencies look missing: run `{cmd}` first."))
}

/// The text inside the quotes following `marker` (`'x'`, `"x"` or `` `x` ``).
fn quoted_after<'r>(raw: &'r str, lower: &str, marker: &str) -> Option<&'r str> {
    let at = lower.find(marker)? + marker.len();
    let rest = &raw[at..];
    let q = rest.chars().next()?;
    if !matches!(q, '\'' | '"' | '`') {
        return None;
    }
    let inner = &rest[1..];
    let end = inner.find(q)?;
    Some(&inner[..end])
}

fn is_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Import names whose PyPI package is named differently.
fn pip_package(module: &str) -> &str {
    match module {
        "yaml" => "pyyaml",
        "cv2" => "opencv-python",
        "PIL" => "pillow",
        "sklearn" => "scikit-learn",
        "bs4" => "beautifulsoup4",
        "dotenv" => "python-dotenv",
        "dateutil" => "python-dateutil",
        "jwt" => "pyjwt",
        "attr" => "attrs",
        "magic" => "python-magic",
        "google" => "protobuf",
        "serial" => "pyserial",
        "OpenSSL" => "pyopenssl",
        "Crypto" => "pycryptodome",
        "fitz" => "pymupdf",
        "docx" => "python-docx",
        other => other,
    }
}

fn python_module(p: &Prepared, project: Option<&str>) -> Option<String> {
    let module = quoted_after(&p.raw, &p.lower, "no module named ")
        .map(|m| m.split('.').next().unwrap_or(m))
        .filter(|m| is_identifier(m));
    let what = match module {
        Some(m) => format!("Module `{m}` is missing"),
        None => "A Python module is missing".to_string(),
    };
    let how = if project_file(project, "uv.lock") {
        "run `uv sync` and run commands via `uv run`".to_string()
    } else if project_file(project, "poetry.lock") {
        "run `poetry install` and run commands via `poetry run`".to_string()
    } else if project_file(project, "requirements.txt") {
        "run `pip install -r requirements.txt` in the project's environment".to_string()
    } else {
        format!("install it with `pip install {}`", pip_package(module?))
    };
    Some(format!("{what}: {how}."))
}

/// Tools that live in node_modules/.bin: "not found" means dependencies are
/// not installed, not that the tool is unknown.
const NODE_BINS: &[&str] = &[
    "tsc",
    "jest",
    "vitest",
    "eslint",
    "prettier",
    "next",
    "vite",
    "webpack",
    "tsx",
    "ts-node",
    "mocha",
    "nodemon",
    "playwright",
    "turbo",
    "nx",
    "rollup",
    "esbuild",
    "biome",
    "astro",
    "nuxt",
    "svelte-kit",
    "react-scripts",
    "ng",
    "vue-cli-service",
    "prisma",
    "tailwindcss",
    "concurrently",
    "rimraf",
    "cross-env",
    "husky",
    "lint-staged",
    "c8",
    "nyc",
    "ava",
    "jasmine",
    "karma",
    "cypress",
    "storybook",
    "expo",
    "wrangler",
    "tsup",
    "oxlint",
];

fn valid_tool_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The program the shell could not find, from the common shells' messages.
fn missing_program<'r>(p: &'r Prepared) -> Option<&'r str> {
    for line in p.raw.lines() {
        let l = line.trim();
        // zsh: "zsh: command not found: tsc"
        if let Some(i) = l.find("command not found: ") {
            return Some(l[i + 19..].trim());
        }
        // bash: "bash: line 1: tsc: command not found", "tsc: command not found"
        if let Some(pre) = l.strip_suffix(": command not found") {
            return Some(pre.rsplit(": ").next().unwrap_or(pre).trim());
        }
        // dash: "sh: 1: jest: not found"
        if (l.starts_with("sh: ") || l.starts_with("/bin/sh: ")) && l.ends_with(": not found") {
            let pre = &l[..l.len() - ": not found".len()];
            return Some(pre.rsplit(": ").next().unwrap_or(pre).trim());
        }
        // pnpm: `Command "tsc" not found`
        if let Some(i) = l.find("Command \"") {
            let rest = &l[i + 9..];
            if let Some(end) = rest.find("\" not found") {
                return Some(&rest[..end]);
            }
        }
        // node: "Error: spawn tsc ENOENT"
        if let Some(i) = l.find("spawn ") {
            let rest = &l[i + 6..];
            if let Some(prog) = rest.strip_suffix(" ENOENT") {
                return Some(prog.rsplit('/').next().unwrap_or(prog));
            }
        }
    }
    None
}

fn command_not_found(p: &Prepared, project: Option<&str>) -> String {
    let prog = missing_program(p)
        .or_else(|| (p.exit_code == Some(127)).then(|| p.prog()))
        .filter(|t| valid_tool_name(t));
    if let Some(t) = prog {
        if NODE_BINS.contains(&t) {
            if let Some(cmd) = js_install(project) {
                return format!("Dependencies look missing: run `{cmd}` first.");
            }
        }
        return format!(
            "`{t}` is not installed or not on PATH: use the project's own runner (npx, uv run, cargo) if it has one, or ask the user to install it; do not retry the same command."
        );
    }
    "The command is not installed or not on PATH: use the project's own runner if it has one, or ask the user to install it; do not retry the same command.".to_string()
}
