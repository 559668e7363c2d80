//! Secrets known only by the name they are assigned to: `PASSWORD=…`,
//! `"api_key": "…"`, `--token …`, `Authorization: Bearer …`, `curl -u u:p`,
//! and the forms code and config write them in: other operators (`:=`,
//! `::=`, `?=`, `.=`, `=>`), typed declarations (`var apiToken string =
//! "…"`, `apiKey: String = "…"`), calls (`System.setProperty("API_TOKEN",
//! "…")`) and XML elements (`<apiToken>…</apiToken>`).
//!
//! The scanner calls in at every assignment operator. Most operators in code
//! and JSON sit after names that are not secret-looking at all, so the key is
//! rejected on a letter-set test before it is split into words; only then is
//! the value parsed and judged (placeholder, code, number, entropy).

use crate::rules::Rule;
use crate::shape::*;
use crate::Hit;

/// How the value was assigned; YAML and type annotations (`:`) need more
/// evidence than shell and config assignments (`=`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    Colon,
    Equals,
    /// `--password value`
    Space,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Password,
    Secret,
    AwsSecret,
    Authorization,
    Npmrc,
    AzureAccountKey,
}

/// Longest key name looked at; longer runs are base64 or minified code.
const MAX_KEY: usize = 64;
/// Longest value looked at: session tokens run to about 1 KB.
const MAX_VALUE: usize = 4096;

/// `op_start..op_end` is the operator (`=`, `:`, `:=`, `=>`).
pub(crate) fn on_operator(
    input: &[u8],
    op_start: usize,
    op_end: usize,
    op: Op,
    out: &mut Vec<Hit>,
) {
    let Some((mut ks, mut ke, json_key)) = key_before(input, op_start) else {
        return;
    };
    // `-Dsonar.login=…`: a Java system property; the `D` is the flag's.
    if ke - ks > 3 && input[ks] == b'-' && input[ks + 1] == b'D' {
        ks += 1 + usize::from(input[ks + 2].is_ascii_lowercase());
    }
    let mut typed = false;
    if op == Op::Colon && crate::k8s::secret_data(input, ks, ke, op_end, out) {
        return;
    }
    if op == Op::Colon && ke - ks <= 10 {
        let k = &input[ks..ke];
        if k.eq_ignore_ascii_case(b"cookie") || k.eq_ignore_ascii_case(b"set-cookie") {
            cookie_header(input, op_end, out);
            return;
        }
    }
    // `- name: DB_PASSWORD⏎  value: …`, `key="ClearTextPassword" value="…"`.
    let mut paired = false;
    if matches!(
        &input[ks..ke],
        b"value" | b"Value" | b"ParameterValue" | b"OptionValue"
    ) {
        if let Some((ns, ne)) = crate::k8s::paired_name(input, ks) {
            if maybe_sensitive(&input[ns..ne]) {
                (ks, ke, paired) = (ns, ne, true);
            }
        }
    }
    // `BUNDLE_ENTERPRISE__CONTRIBSYS__COM=…`: Bundler's credentials for
    // Sidekiq's gem server, named after the host.
    let bundler_host = bundler_sidekiq_name(&input[ks..ke]);
    let pairs = key_pairs(&input[ks..ke]);
    let service = crate::service::named(pairs);
    // `user:password` pairs and `scheme:rest` are not `key: value`: YAML
    // and HTTP put a space after the colon, JSON quotes the key.
    let touching =
        op == Op::Colon && !matches!(input.get(op_end), Some(b' ' | b'\t')) && ke == op_start;
    if !bundler_host && !sensitive_pairs(pairs) {
        if service && !touching {
            service_value(input, &input[ks..ke], op_end, op, json_key, out);
            return;
        }
        // `var apiToken string = "…"`, `val apiKey: String = "…"`,
        // `const API_TOKEN: &str = "…"`: the word before `=` is a type.
        if op != Op::Equals || !quoted_after(input, op_end) {
            return;
        }
        let Some((ns, ne)) = declared_name(input, ks) else {
            return;
        };
        if !maybe_sensitive(&input[ns..ne]) {
            return;
        }
        (ks, ke, typed) = (ns, ne, true);
    }
    let key = &input[ks..ke];
    let Some(kind) = classify(key).or(bundler_host.then_some(Kind::Secret)) else {
        if service && !touching {
            service_value(input, key, op_end, op, json_key, out);
        }
        return;
    };
    if kind == Kind::Authorization {
        authorization(input, op_end, out);
        return;
    }
    if touching {
        return;
    }
    // After `"key":` a bare `"` opens the value string. After `KEY=` it may
    // just as well close the string the assignment sits in.
    let Some(val) = parse_value(input, op_end, !(op == Op::Colon && json_key)) else {
        return;
    };
    // A declaration assigns anything; only a literal says what the value is.
    // A bare number after a JSON key is a JSON number: a marker in its place
    // would not be JSON.
    if !val.quoted && (typed || (op == Op::Colon && json_key && is_bare_number(input, &val))) {
        return;
    }
    let header_like = op == Op::Colon
        && ((key.contains(&b'-') && !key.starts_with(b"--")) || curl_header_at(input, ks));
    // `x = y` is code or INI; shell assignments have no spaces.
    let spaced = ke < op_start || matches!(input.get(op_end), Some(b' ' | b'\t'));
    let how = How {
        op,
        header_like,
        spaced,
        paired,
    };
    if let Some(rule) = judge(input, kind, key, &val, how) {
        out.push(Hit {
            start: val.start,
            end: val.end,
            rule,
        });
    } else if service || typed {
        service_fallback(input, key, &val, out);
    }
}

/// How a value was assigned, for [`judge`].
#[derive(Clone, Copy)]
struct How {
    op: Op,
    /// An HTTP header (`X-Api-Key:`, `-H "Token: …"`).
    header_like: bool,
    /// `x = y`: code or INI; shell assignments have no spaces.
    spaced: bool,
    /// `key="ClearTextPassword" value="…"`: a config entry, where a value
    /// is never a variable's name.
    paired: bool,
}

/// [`service_value`] for keys that went another way first (typed
/// declarations, calls, XML elements): asks only when the name might be a
/// service's.
fn service_fallback(input: &[u8], key: &[u8], val: &Val, out: &mut Vec<Hit>) {
    if crate::service::named(key_pairs(key))
        && crate::service::credential(key, &input[val.start..val.end])
    {
        out.push(Hit {
            start: val.start,
            end: val.end,
            rule: Rule::GenericSecret,
        });
    }
}

/// The value after a key named for a service ([`crate::service`]).
fn service_value(
    input: &[u8],
    key: &[u8],
    op_end: usize,
    op: Op,
    json_key: bool,
    out: &mut Vec<Hit>,
) {
    let Some(val) = parse_value(input, op_end, !(op == Op::Colon && json_key)) else {
        return;
    };
    if crate::service::credential(key, &input[val.start..val.end]) {
        out.push(Hit {
            start: val.start,
            end: val.end,
            rule: Rule::GenericSecret,
        });
    }
}

/// Is the key at `ks` the name of a header given to curl (`-H "Token: …"`,
/// `--header 'X-Token: …'`)?
fn curl_header_at(input: &[u8], ks: usize) -> bool {
    let Some(q) = quote_len_before(input, ks) else {
        return false;
    };
    let before = &input[..ks - q];
    before.ends_with(b"-H ") || before.ends_with(b"--header ")
}

/// `System.setProperty("DATADOG_TOKEN", "…")`, `os.Setenv("API_KEY", "…")`,
/// `define('AUTH_KEY', '…')`: a call whose first argument is the name of a
/// secret and whose second is a literal. `paren` is the call's `(`.
#[cold]
pub(crate) fn on_call(input: &[u8], paren: usize, out: &mut Vec<Hit>) {
    let mut p = paren + 1;
    while p < input.len() && input[p] == b' ' && p - paren < 8 {
        p += 1;
    }
    let Some(q) = quote_len(input, p) else { return };
    let (ns, open) = (p + q, &input[p..p + q]);
    let ne = run_end(input, ns, IDENT);
    if ne == ns || ne - ns > MAX_KEY || !starts_with_at(input, ne, open) {
        return;
    }
    let mut c = ne + q;
    while c < input.len() && input[c] == b' ' && c - ne < 8 {
        c += 1;
    }
    if input.get(c) != Some(&b',') {
        return;
    }
    let name = &input[ns..ne];
    if !maybe_sensitive(name) {
        return;
    }
    let Some(kind @ (Kind::Password | Kind::Secret | Kind::AwsSecret)) = classify(name) else {
        return;
    };
    let Some(val) = parse_value(input, c + 1, true) else {
        return;
    };
    let v = &input[val.start..val.end];
    // A word as the second argument is a label, a translation or another
    // name (`i18n.t("password", "Passwort")`, `config.get('Credentials',
    // 'gs_oauth2_refresh_token')`, `('SECRET', 'oauth2ClientSecret')`).
    if !val.quoted
        || (kind == Kind::Password && is_wordish(v))
        || (all_in(v, IDENT) && names_a_secret_with_digits(v))
    {
        return;
    }
    if let Some(rule) = judge(input, kind, name, &val, How::call()) {
        out.push(Hit {
            start: val.start,
            end: val.end,
            rule,
        });
    } else {
        service_fallback(input, name, &val, out);
    }
}

/// [`names_a_secret`] for names with a version or size in them:
/// `oauth2ClientSecretSha256`, `imdsv2_session_token`.
fn names_a_secret_with_digits(v: &[u8]) -> bool {
    let mut letters = [0u8; MAX_KEY];
    let mut n = 0;
    for &b in v.iter().filter(|b| !b.is_ascii_digit()) {
        if n == letters.len() {
            return false;
        }
        letters[n] = b;
        n += 1;
    }
    n + 4 >= v.len() && names_a_secret(&letters[..n])
}

/// `("artifactory", "<token>")`, `["SONAR_TOKEN", "<token>"]`: a quoted
/// service name and a quoted value side by side in a tuple, list or call.
/// `comma` is the `,` after the name's closing quote.
#[inline(never)]
pub(crate) fn on_list_item(input: &[u8], comma: usize, out: &mut Vec<Hit>) {
    let Some(q) = quote_len_before(input, comma) else {
        return;
    };
    let ne = comma - q;
    let mut ns = ne;
    while ns > 0 && is(input[ns - 1], IDENT) && ne - ns <= MAX_KEY {
        ns -= 1;
    }
    if ns == ne || ne - ns > MAX_KEY || !ends_with_at(input, ns, &input[ne..comma]) {
        return;
    }
    let name = &input[ns..ne];
    if !crate::service::named(key_pairs(name)) {
        return;
    }
    let Some(val) = parse_value(input, comma + 1, true) else {
        return;
    };
    if val.quoted {
        service_fallback(input, name, &val, out);
    }
}

/// `<apiToken>value</apiToken>`, also with blanks or newlines (raw or as
/// JSON escapes) around the value and attributes on the opening tag. `lt`
/// is the `<` of the closing tag; the value is one run of value bytes, so
/// it never holds a quote or a backslash.
#[inline(never)]
pub(crate) fn on_close_tag(input: &[u8], lt: usize, out: &mut Vec<Hit>) {
    let ns = lt + 2;
    let ne = run_end(input, ns, IDENT);
    if ne == ns || ne - ns > MAX_KEY || input.get(ne) != Some(&b'>') {
        return;
    }
    let name = &input[ns..ne];
    if !maybe_sensitive(name) {
        return;
    }
    let e = skip_blanks_back(input, lt);
    let mut s = e;
    while s > 0 && !is_value_stop(input[s - 1]) && !is_escape_letter_at(input, s - 1) {
        s -= 1;
        if e - s > MAX_VALUE {
            return;
        }
    }
    let gt = skip_blanks_back(input, s);
    if s == e || gt == 0 || input[gt - 1] != b'>' || !opening_tag_ends_at(input, gt - 1, name) {
        return;
    }
    let Some(kind @ (Kind::Password | Kind::Secret | Kind::AwsSecret)) = classify(name) else {
        return;
    };
    let val = Val {
        start: s,
        end: e,
        quoted: true,
        after: Some(b'<'),
    };
    if let Some(rule) = judge(input, kind, name, &val, How::element()) {
        out.push(Hit {
            start: s,
            end: e,
            rule,
        });
    } else {
        service_fallback(input, name, &val, out);
    }
}

/// Start of the blanks that end at `end`: spaces, tabs, newlines, and the
/// `\n`, `\r`, `\t` escapes of JSON text.
fn skip_blanks_back(input: &[u8], end: usize) -> usize {
    let mut p = end;
    while p > 0 && end - p < 256 {
        if matches!(input[p - 1], b' ' | b'\t' | b'\n' | b'\r') {
            p -= 1;
        } else if p >= 2 && input[p - 2] == b'\\' && matches!(input[p - 1], b'n' | b'r' | b't') {
            p -= 2;
        } else {
            break;
        }
    }
    p
}

/// Is the `>` at `gt` the end of `<name>` or `<name attr="…">`?
fn opening_tag_ends_at(input: &[u8], gt: usize, name: &[u8]) -> bool {
    let from = gt.saturating_sub(name.len() + 256);
    let Some(lt) = input[from..gt]
        .iter()
        .rposition(|&b| b == b'<')
        .map(|p| from + p)
    else {
        return false;
    };
    let after = lt + 1 + name.len();
    starts_with_at(input, lt + 1, name)
        && (after == gt || matches!(input[after], b' ' | b'\t' | b'\n' | b'\r' | b'\\'))
        && !input[lt..gt].contains(&b'>')
}

/// `--password value` / `--api-key value` (the `=` form goes through
/// [`on_operator`]); `--user u:p` of curl.
pub(crate) fn on_long_flag(input: &[u8], dash: usize, out: &mut Vec<Hit>) {
    let name_start = dash + 2;
    let name_end = run_end(input, name_start, ALNUM | DASH | UNDERSCORE);
    let name = &input[name_start..name_end];
    if name.is_empty() || name.len() > MAX_KEY {
        return;
    }
    let sep = input.get(name_end).copied();
    if name == b"user" && matches!(sep, Some(b' ' | b'=')) {
        on_curl_user(input, dash, name_end + 1, out);
        return;
    }
    if sep != Some(b' ') || !maybe_sensitive(name) {
        return;
    }
    let Some(kind @ (Kind::Password | Kind::Secret)) = classify(name) else {
        return;
    };
    let Some(val) = parse_value(input, name_end + 1, true) else {
        return;
    };
    if let Some(rule) = judge(input, kind, name, &val, How::flag()) {
        out.push(Hit {
            start: val.start,
            end: val.end,
            rule,
        });
    }
}

/// `curl -u user:password` and `curl --user user:password`: the password goes,
/// the user stays. Other tools use `-u` for anything (`sort -u`, `docker run
/// -u 1000:1000`), hence the `curl` on the same command line. Shells quote
/// the pair whole (`"u:p"`), in parts (`"u":"p"`, `u:'p'`) or not at all.
pub(crate) fn on_curl_user(
    input: &[u8],
    dash: usize,
    value_from: usize,
    out: &mut Vec<Hit>,
) -> Option<()> {
    if !same_command_has(input, dash, b"curl") {
        return None;
    }
    let mut s = value_from;
    while s < input.len() && input[s] == b' ' {
        s += 1;
    }
    let (us, ue, after) = shell_part(input, s, true)?;
    let (user, (ps, pe)) = if after > ue {
        // Quoted: `"u:p"`, `":p"`, `"p:"`, or `"u":…`.
        match input[us..ue].iter().position(|&b| b == b':') {
            Some(c) => ((us, us + c), (us + c + 1, ue)),
            None if input.get(after) == Some(&b':') => {
                let (ps, pe, _) = shell_part(input, after + 1, false)?;
                ((us, ue), (ps, pe))
            }
            None => return None,
        }
    } else if input.get(ue) == Some(&b':') {
        let (ps, pe, _) = shell_part(input, ue + 1, false)?;
        ((us, ue), (ps, pe))
    } else {
        return None;
    };
    let (user_bytes, pass) = (&input[user.0..user.1], &input[ps..pe]);
    if !pass.is_empty() {
        // `{secret}` as IBM's samples write it; `{password}` is a placeholder.
        let (ps, pe) = match pass {
            [b'{', inner @ .., b'}'] if !inner.is_empty() && !inner.contains(&b'{') => {
                (ps + 1, pe - 1)
            }
            _ => (ps, pe),
        };
        let pass = &input[ps..pe];
        if !curl_placeholder(pass) && pair_entropy(user_bytes, pass) >= 2.0 {
            out.push(Hit {
                start: ps,
                end: pe,
                rule: Rule::CurlBasicAuth,
            });
        }
    } else if looks_random(user_bytes, 10) {
        // `curl -u sk_test_…:`: an API key as the user, empty password.
        out.push(Hit {
            start: user.0,
            end: user.1,
            rule: Rule::CurlBasicAuth,
        });
    }
    Some(())
}

/// One part of a shell word from `at`: `"…"`, `'…'` (also JSON-escaped) up
/// to its closing quote on the same line, or a bare run up to a separator
/// (and up to `:` when `user`). Returns the content's range and the index
/// after the closing quote (the content's end when bare).
fn shell_part(input: &[u8], at: usize, user: bool) -> Option<(usize, usize, usize)> {
    match quote_len(input, at) {
        Some(q) => {
            let open = &input[at..at + q];
            let s = at + q;
            let mut e = s;
            while e < input.len()
                && e - s < 512
                && !matches!(input[e], b'"' | b'\'' | b'`' | b'\\' | b'\n' | b'\r')
            {
                e += 1;
            }
            if !starts_with_at(input, e, open) {
                return None;
            }
            // After a bare `"`, JSON punctuation means the quote ended the
            // string the command sat in (`{"curl -u ":null}`); IBM's
            // samples brace the parts (`"{user}":"{password}"`).
            let content = &input[s..e];
            let braced = content.first() == Some(&b'{') && content.last() == Some(&b'}');
            let colons = content.iter().filter(|&&b| b == b':').count();
            if open == b"\""
                && !braced
                && (content.iter().any(|b| b",[]{}".contains(b)) || colons > usize::from(user))
            {
                return None;
            }
            Some((s, e, e + q))
        }
        None => {
            let mut e = at;
            while e < input.len()
                && e - at < 512
                && !is_value_stop(input[e])
                && !(user && input[e] == b':')
            {
                e += 1;
            }
            Some((at, e, e))
        }
    }
}

/// What documentation writes for curl's password (gitleaks' list): the
/// pass words, masks, template variables, `[PASSWORD]`, `<password>`,
/// `$(cat …)`.
fn curl_placeholder(pass: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"changeit",
        b"changeme",
        b"pass",
        b"passwd",
        b"password",
        b"pwd",
        b"secret",
        b"test",
        b"token",
    ];
    WORDS.iter().any(|w| pass.eq_ignore_ascii_case(w))
        || is_template(pass)
        || pass.iter().all(|&b| b == b'x' || b == b'X')
        || matches!(pass.first(), Some(b'[' | b'<' | b'('))
        || pass.ends_with(b">")
        || has_no_letter(pass) && is_number(pass)
}

/// Shannon entropy of `user:pass`: `xxx:yyy` is a sample, not a login.
fn pair_entropy(user: &[u8], pass: &[u8]) -> f64 {
    let mut pair = [0u8; 1100];
    let n = (user.len() + 1 + pass.len()).min(pair.len());
    let joined = user.iter().chain(b":").chain(pass).take(n);
    for (slot, &b) in pair.iter_mut().zip(joined) {
        *slot = b;
    }
    entropy(&pair[..n])
}

/// `docker login -u bot -p <password>` (and podman, helm registry, oras…),
/// `sshpass -p <password> ssh …`. `-p` means port or path to most other
/// tools, hence `login` or `sshpass` on the line.
pub(crate) fn on_login_password(input: &[u8], dash: usize, value_from: usize, out: &mut Vec<Hit>) {
    if !same_command_has(input, dash, b"login") && !same_command_has(input, dash, b"sshpass") {
        return;
    }
    short_flag_value(input, value_from, out);
}

/// The password flags of database and cache clients: `mysql -pS3cret`
/// (MySQL, MariaDB and their dump and admin tools take it attached) and
/// `redis-cli -a S3cret` (or attached). `dash` is the flag's `-`.
pub(crate) fn on_client_password(input: &[u8], dash: usize, out: &mut Vec<Hit>) {
    let (flag, next) = (input[dash + 1], input.get(dash + 2).copied());
    let attached = next.is_some_and(|b| !matches!(b, b' ' | b'\t' | b'='));
    let tool = if flag == b'p' && attached {
        same_command_has(input, dash, b"mysql") || same_command_has(input, dash, b"mariadb")
    } else if flag == b'a' && (attached || next == Some(b' ')) {
        same_command_has(input, dash, b"redis-cli")
    } else {
        false
    };
    if tool {
        short_flag_value(input, dash + 2, out);
    }
}

/// The argument of a short password flag, from `value_from`.
fn short_flag_value(input: &[u8], value_from: usize, out: &mut Vec<Hit>) {
    let mut s = value_from;
    while s < input.len() && input[s] == b' ' {
        s += 1;
    }
    let Some(s) = skip_opening_quote(input, s) else {
        return;
    };
    let mut e = s;
    while e < input.len() && e - s < 512 && !is_value_stop(input[e]) {
        e += 1;
    }
    let pass = &input[s..e];
    if pass.len() >= 6 && !is_placeholder(pass) && !has_no_letter(pass) && !is_number(pass) {
        out.push(Hit {
            start: s,
            end: e,
            rule: Rule::CliPassword,
        });
    }
}

/// Skips the quote that opens an argument. A bare `"` followed by JSON
/// punctuation was the end of the string the command sat in, so there is
/// no argument (`None`).
fn skip_opening_quote(input: &[u8], at: usize) -> Option<usize> {
    match quote_len(input, at) {
        Some(1)
            if input[at] == b'"'
                && matches!(input.get(at + 1), Some(b',' | b':' | b']' | b'}')) =>
        {
            None
        }
        Some(q) => Some(at + q),
        None => Some(at),
    }
}

/// Does `word` occur earlier on the same command line (within 512 bytes)?
/// A backslash-continued line (`\` + newline, raw or JSON-escaped) is the
/// same command.
fn same_command_has(input: &[u8], at: usize, word: &[u8]) -> bool {
    let window = &input[at.saturating_sub(512)..at];
    let Some(c) = hookwatch_find::rfind(window, word) else {
        return false;
    };
    let rest = &window[c..];
    let mut i = 0;
    while i < rest.len() {
        let newline = if rest[i] == b'\n' {
            Some((i, 1))
        } else if rest[i] == b'\\' && rest.get(i + 1) == Some(&b'n') {
            Some((i, 2))
        } else {
            None
        };
        if let Some((p, len)) = newline {
            let continued = if len == 1 {
                p > 0 && rest[p - 1] == b'\\'
            } else {
                rest[..p].ends_with(b"\\\\")
            };
            if !continued {
                return false;
            }
            i += len;
        } else {
            i += 1;
        }
    }
    true
}

/// `Bearer <token>` anywhere (the header form is handled with its name).
/// Prose says "Bearer token" and "Bearer authentication", so the token must
/// be long and random-looking.
pub(crate) fn on_bearer(input: &[u8], after_word: usize, out: &mut Vec<Hit>) {
    let mut s = after_word;
    while s < input.len() && input[s] == b' ' {
        s += 1;
    }
    let e = credential_end(input, s);
    let cred = &input[s..e];
    if looks_random(cred, 16) && !has_inner_equals(cred) && !is_number(cred) {
        out.push(Hit {
            start: s,
            end: e,
            rule: Rule::BearerToken,
        });
    }
}

/// `Cookie: a=1; sessionid=…` and `Set-Cookie: connect.sid=…; Path=/`: the
/// values of cookies whose name says session or auth, and any cookie value
/// that looks random; names, attributes and plain values stay.
fn cookie_header(input: &[u8], op_end: usize, out: &mut Vec<Hit>) {
    const NAME: u16 = ALNUM | UNDERSCORE | DASH | DOT;
    const ATTRIBUTES: &[&[u8]] = &[
        b"path",
        b"domain",
        b"expires",
        b"max-age",
        b"samesite",
        b"secure",
        b"httponly",
        b"priority",
        b"partitioned",
        b"version",
        b"comment",
    ];
    let n = input.len();
    let mut p = op_end;
    while p < n && input[p] == b' ' {
        p += 1;
    }
    // `{'Cookie': 'a=1; b=2'}`: the header's value is a quoted string.
    let Some(first) = skip_opening_quote(input, p) else {
        return;
    };
    p = first;
    for _ in 0..32 {
        while p < n && input[p] == b' ' {
            p += 1;
        }
        let name_end = run_end(input, p, NAME);
        if name_end == p || input.get(name_end) != Some(&b'=') {
            return;
        }
        let name = &input[p..name_end];
        let vs = name_end + 1;
        let mut ve = vs;
        while ve < n
            && !matches!(
                input[ve],
                b';' | b' ' | b'"' | b'\'' | b'\\' | b',' | b'\n' | b'\r'
            )
        {
            ve += 1;
        }
        let v = &input[vs..ve];
        let lower_has = |w: &[u8]| contains_ignore_case(name, w);
        let session_name = [
            "sess", "sid", "auth", "token", "remember", "jwt", "login", "sso",
        ]
        .iter()
        .any(|w| lower_has(w.as_bytes()));
        // Analytics ids (`_ga=GA1.2.…`, `_fbp`, `__utma`): random, not secret.
        let analytics = [&b"_ga"[..], b"_gid", b"_fbp", b"__utm", b"_hj", b"ajs_"]
            .iter()
            .any(|a| name.starts_with(a));
        let attribute = analytics || ATTRIBUTES.iter().any(|a| name.eq_ignore_ascii_case(a));
        if !attribute
            && !is_placeholder(v)
            && ((session_name && v.len() >= 8 && !has_no_letter(v)) || looks_random(v, 16))
        {
            out.push(Hit {
                start: vs,
                end: ve,
                rule: Rule::SessionCookie,
            });
        }
        if input.get(ve) != Some(&b';') {
            return;
        }
        p = ve + 1;
    }
}

/// `machine api.acme.io login dev password s3cret` (`.netrc`, also spread
/// over lines): called at a `.` of the host; the password token of the
/// same entry is redacted.
pub(crate) fn on_netrc_host(input: &[u8], dot: usize, out: &mut Vec<Hit>) -> Option<()> {
    let host_start = run_start(input, dot, IDENT);
    let before = &input[host_start.saturating_sub(8)..host_start];
    if !before.ends_with(b"machine ") && !before.ends_with(b"machine\t") {
        return None;
    }
    let n = input.len();
    let limit = (dot + 400).min(n);
    let window = &input[dot..limit];
    let entry_end = hookwatch_find::find(window, b"machine ").map_or(limit, |m| dot + m);
    let at = dot + hookwatch_find::find(&input[dot..entry_end], b"password")?;
    if at == 0 || !matches!(input[at - 1], b' ' | b'\t' | b'\n' | b'n') {
        return None;
    }
    let mut s = at + 8;
    // One blank (space, tab, newline or its JSON escape) before the value.
    match input.get(s) {
        Some(b' ' | b'\t' | b'\n') => s += 1,
        Some(b'\\') if matches!(input.get(s + 1), Some(b'n' | b't')) => s += 2,
        _ => return None,
    }
    while s < n && matches!(input[s], b' ' | b'\t') {
        s += 1;
    }
    let mut e = s;
    while e < n && !is_value_stop(input[e]) {
        e += 1;
    }
    let v = &input[s..e];
    if !v.is_empty() && !is_placeholder(v) {
        out.push(Hit {
            start: s,
            end: e,
            rule: Rule::NetrcPassword,
        });
    }
    Some(())
}

/// The credential of `Authorization: <scheme> <credential>`; the scheme is
/// kept so a reader still sees what kind of auth failed.
fn authorization(input: &[u8], op_end: usize, out: &mut Vec<Hit>) {
    let n = input.len();
    let mut v = op_end;
    while v < n && matches!(input[v], b' ' | b'\t') {
        v += 1;
    }
    v += quote_len(input, v).unwrap_or(0);
    let scheme_end = run_end(input, v, ALNUM | DASH);
    let mut s = v;
    if scheme_end > v && scheme_end - v <= 32 && input.get(scheme_end) == Some(&b' ') {
        s = scheme_end;
        while s < n && input[s] == b' ' {
            s += 1;
        }
    }
    let e = credential_end(input, s);
    let cred = &input[s..e];
    let random = cred.len() >= 8 && !is_wordish(cred) && entropy(cred) >= 2.5;
    // `-H 'Authorization: token xyz'`: after a scheme, a credential that is
    // the whole rest of the header value is one whatever its shape. Prose
    // ("the Authorization: Bearer header is missing") goes on with words.
    let whole_value = s > v && cred.len() >= 3 && ends_value(input, e) && !is_prose_word(cred);
    if (random || whole_value)
        && !matches!(input.get(e), Some(b'(' | b'['))
        && !is_code_path(cred)
        && !is_placeholder(cred)
        && !is_number(cred)
        && !has_no_letter(cred)
        && !has_inner_equals(cred)
    {
        out.push(Hit {
            start: s,
            end: e,
            rule: Rule::AuthorizationHeader,
        });
    }
}

/// Does a header value end at `e`: end of input, of the line, or of the
/// quoted string (including a JSON escape such as `\"` or `\n`)?
fn ends_value(input: &[u8], e: usize) -> bool {
    match input.get(e) {
        None => true,
        Some(&b) => matches!(b, b'"' | b'\'' | b'`' | b'\\' | b'\n' | b'\r'),
    }
}

fn is_prose_word(v: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"header",
        b"auth",
        b"authentication",
        b"authorization",
        b"scheme",
        b"credential",
        b"credentials",
        b"required",
        b"missing",
        b"invalid",
        b"expired",
        b"format",
        b"prefix",
        b"only",
        b"here",
        b"none",
        b"example",
        b"bearer",
        b"basic",
    ];
    WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
}

fn credential_end(input: &[u8], s: usize) -> usize {
    let mut e = run_end(input, s, TOKEN68);
    while e > s && input[e - 1] == b'.' {
        e -= 1;
    }
    e
}

/// `k=v` inside the value means it is a list of settings, not a secret
/// (`--secret id=npmrc,src=…`, `Digest username=…`); base64 padding at the
/// end is fine.
fn has_inner_equals(v: &[u8]) -> bool {
    let mut end = v.len();
    while end > 0 && v[end - 1] == b'=' {
        end -= 1;
    }
    v[..end].contains(&b'=')
}

/// `id=npmrc,src=…`, `a=b&c=d`, `mode=production`: settings, not a secret.
/// An `=` inside a random token (`98-zwoeprp1emfcidi6d0y9wz=addvxk`) or
/// base64 padding is not a setting, and neither is one `name=<random>`
/// pair (a cookie): that value is the secret.
fn is_settings_list(v: &[u8]) -> bool {
    if !has_inner_equals(v) {
        return false;
    }
    let (mut settings, mut segments) = (0, 0);
    let mut last_value: &[u8] = b"";
    for segment in v.split(|&b| matches!(b, b',' | b';' | b'&')) {
        segments += 1;
        // The first `=` of a segment ends its name; later ones are in its value.
        if let Some(eq) = segment.iter().position(|&b| b == b'=') {
            if setting_name(&segment[..eq]) {
                settings += 1;
                last_value = &segment[eq + 1..];
            }
        }
    }
    settings > 1 || (settings == 1 && (segments > 1 || !looks_random(last_value, 8)))
}

/// A setting's name: a plain identifier (`id`, `src`, `user_name`,
/// `key1`), not a run of random characters.
fn setting_name(name: &[u8]) -> bool {
    let digits = name.iter().filter(|b| b.is_ascii_digit()).count();
    let humps = name
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count();
    name.first().is_some_and(u8::is_ascii_alphabetic)
        && name.len() <= 40
        && all_in(name, IDENT)
        && digits <= 2
        && humps * 4 <= name.len()
}

/// The name before an operator: `KEY=`, `"key":`, `\"key\":`, `key :`.
/// Also says whether the key was closed by a bare `"`, i.e. is a JSON
/// object key (or a quoted key in plain text).
fn key_before(input: &[u8], op_start: usize) -> Option<(usize, usize, bool)> {
    let mut p = op_start;
    let mut spaces = 0;
    // Aligned assignments (`password       = …` in HCL) pad with blanks.
    while p > 0 && matches!(input[p - 1], b' ' | b'\t') && spaces < 16 {
        p -= 1;
        spaces += 1;
    }
    // `config["SECRET_KEY"] = …`
    if p > 1 && input[p - 1] == b']' && quote_len_before(input, p - 1).is_some() {
        p -= 1;
    }
    let mut bare_quote = false;
    if let Some(q) = quote_len_before(input, p) {
        bare_quote = q == 1 && input[p - 1] == b'"';
        p -= q;
    }
    let end = p;
    let mut s = end;
    while s > 0 && is(input[s - 1], IDENT) && !is_escape_letter_at(input, s - 1) {
        s -= 1;
        if end - s > MAX_KEY {
            return None;
        }
    }
    (s < end).then_some((s, end, bare_quote))
}

/// Does a quoted literal follow the operator that ends at `op_end`?
fn quoted_after(input: &[u8], op_end: usize) -> bool {
    let mut v = op_end;
    while v < input.len() && input[v] == b' ' && v - op_end < 16 {
        v += 1;
    }
    quote_len(input, v).is_some()
}

/// The name declared before the type that starts at `type_start`: Go's
/// `var name Type =`, TypeScript's, Kotlin's and Rust's `name: Type =`
/// (also `&str`, `*T`, `[]T`). `None` unless the type is a short name
/// separated from the name by blanks or a colon.
fn declared_name(input: &[u8], type_start: usize) -> Option<(usize, usize)> {
    let mut p = type_start;
    let mut sigils = 0;
    while p > 0 && matches!(input[p - 1], b'&' | b'*' | b'[' | b']') && sigils < 4 {
        p -= 1;
        sigils += 1;
    }
    let after_name = p;
    while p > 0 && matches!(input[p - 1], b' ' | b'\t') && after_name - p < 8 {
        p -= 1;
    }
    let blanks = after_name - p;
    let colon = p > 0 && input[p - 1] == b':';
    if colon {
        p -= 1;
    } else if blanks == 0 {
        return None;
    }
    let end = p;
    let mut s = end;
    while s > 0 && is(input[s - 1], WORD | DASH) && !is_escape_letter_at(input, s - 1) {
        s -= 1;
        if end - s > MAX_KEY {
            return None;
        }
    }
    // Without a colon, Go's form: `var`/`const` before the name, or the
    // name first on its line (a `var ( … )` block).
    (s < end && (colon || go_declaration_at(input, s))).then_some((s, end))
}

fn go_declaration_at(input: &[u8], name_start: usize) -> bool {
    let mut p = name_start;
    while p > 0 && matches!(input[p - 1], b' ' | b'\t') {
        p -= 1;
    }
    let line_start = p == 0
        || matches!(input[p - 1], b'\n' | b'\r')
        || (p >= 2 && input[p - 2] == b'\\' && matches!(input[p - 1], b'n' | b't'));
    let keyword = |kw: &[u8]| {
        p < name_start && ends_with_at(input, p, kw) && left_boundary(input, p - kw.len())
    };
    line_start || keyword(b"var") || keyword(b"const")
}

/// Cheap first cut, run on every key before an operator: does it contain
/// the letter pairs of any sensitive word (`pa`+`ss`, `pw`, `to`+`ok`+`en`,
/// `se`+`cr`+`et`, `au`+`th`, `cr`+`ed`, `ke`+`ey`)? Most keys (`variable`,
/// `description`, `cwd`) fail it after one pass over their bytes.
fn maybe_sensitive(key: &[u8]) -> bool {
    sensitive_pairs(key_pairs(key))
}

/// Letter pairs of the words [`maybe_sensitive`] and
/// [`crate::service::named`] look for, one bit each.
pub(crate) mod pair {
    pub const PA: u32 = 1;
    pub const SS: u32 = 1 << 1;
    pub const PW: u32 = 1 << 2;
    pub const TO: u32 = 1 << 3;
    pub const OK: u32 = 1 << 4;
    pub const EN: u32 = 1 << 5;
    pub const SE: u32 = 1 << 6;
    pub const CR: u32 = 1 << 7;
    pub const ET: u32 = 1 << 8;
    pub const AU: u32 = 1 << 9;
    pub const TH: u32 = 1 << 10;
    pub const ED: u32 = 1 << 11;
    pub const KE: u32 = 1 << 12;
    pub const EY: u32 = 1 << 13;
    // Service names (crate::service): cloudflare, confluent, sourcegraph,
    // sumo, artifactory, jfrog, heroku, hubspot, snyk, messagebird, sonar.
    pub const DF: u32 = 1 << 14;
    pub const NF: u32 = 1 << 15;
    pub const LU: u32 = 1 << 16;
    pub const GR: u32 = 1 << 17;
    pub const PH: u32 = 1 << 18;
    pub const SU: u32 = 1 << 19;
    pub const MO: u32 = 1 << 20;
    pub const IF: u32 = 1 << 21;
    pub const FA: u32 = 1 << 22;
    pub const JF: u32 = 1 << 23;
    pub const KU: u32 = 1 << 24;
    pub const HU: u32 = 1 << 25;
    pub const YK: u32 = 1 << 26;
    pub const BI: u32 = 1 << 27;
    pub const RD: u32 = 1 << 28;
    pub const SO: u32 = 1 << 29;
    pub const NA: u32 = 1 << 30;
}

/// `PAIRS[a][b]`: the bit of the pair of letters `a`, `b` (1 = `a` …
/// 26 = `z`, 0 for anything else).
static PAIRS: [[u32; 27]; 27] = {
    use pair::*;
    const LIST: &[(&[u8; 2], u32)] = &[
        (b"pa", PA),
        (b"ss", SS),
        (b"pw", PW),
        (b"to", TO),
        (b"ok", OK),
        (b"en", EN),
        (b"se", SE),
        (b"cr", CR),
        (b"et", ET),
        (b"au", AU),
        (b"th", TH),
        (b"ed", ED),
        (b"ke", KE),
        (b"ey", EY),
        (b"df", DF),
        (b"nf", NF),
        (b"lu", LU),
        (b"gr", GR),
        (b"ph", PH),
        (b"su", SU),
        (b"mo", MO),
        (b"if", IF),
        (b"fa", FA),
        (b"jf", JF),
        (b"ku", KU),
        (b"hu", HU),
        (b"yk", YK),
        (b"bi", BI),
        (b"rd", RD),
        (b"so", SO),
        (b"na", NA),
    ];
    let mut t = [[0u32; 27]; 27];
    let mut i = 0;
    while i < LIST.len() {
        let (p, bit) = LIST[i];
        t[(p[0] - b'a' + 1) as usize][(p[1] - b'a' + 1) as usize] = bit;
        i += 1;
    }
    t
};

/// The [`pair`] bits of `key`, case-insensitively.
pub(crate) fn key_pairs(key: &[u8]) -> u32 {
    let letter = |b: u8| {
        let l = b | 0x20;
        if l.is_ascii_lowercase() {
            usize::from(l - b'a' + 1)
        } else {
            0
        }
    };
    let mut set = 0u32;
    let mut prev = 0usize;
    for &b in key {
        let l = letter(b);
        set |= PAIRS[prev][l];
        prev = l;
    }
    set
}

fn sensitive_pairs(set: u32) -> bool {
    use pair::*;
    let has = |bits: u32| set & bits == bits;
    has(PA | SS)
        || has(PW)
        || has(TO | OK | EN)
        || has(SE | CR | ET)
        || has(AU | TH)
        || has(CR | ED)
        || has(KE | EY)
}

/// Lower-cased words of a key name, split at `_ - .` and camel humps:
/// `awsSecretAccessKey` → aws, secret, access, key; `APIKey` → api, key.
struct Words {
    buf: [u8; MAX_KEY + 1],
    ends: [u8; 16],
    n: usize,
}

impl Words {
    fn split(key: &[u8]) -> Words {
        let mut w = Words {
            buf: [0; MAX_KEY + 1],
            ends: [0; 16],
            n: 0,
        };
        let mut len = 0usize;
        let mut word_len = 0usize;
        for (i, &b) in key.iter().enumerate() {
            if !b.is_ascii_alphanumeric() {
                w.close(len, &mut word_len);
                continue;
            }
            let prev = if i > 0 { key[i - 1] } else { b'_' };
            let next = key.get(i + 1).copied().unwrap_or(b'_');
            let hump = b.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()));
            if hump {
                w.close(len, &mut word_len);
            }
            if len < MAX_KEY {
                w.buf[len] = b.to_ascii_lowercase();
                len += 1;
                word_len += 1;
            }
        }
        w.close(len, &mut word_len);
        w
    }

    fn close(&mut self, len: usize, word_len: &mut usize) {
        if *word_len > 0 && self.n < self.ends.len() {
            self.ends[self.n] = len as u8;
            self.n += 1;
        }
        *word_len = 0;
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.n).map(|i| self.get(i))
    }

    fn joined(&self) -> &[u8] {
        &self.buf[..self.ends[self.n - 1] as usize]
    }
}

/// Last words that make a key a setting *about* a secret, not the secret:
/// `csrf_token_name`, `token_count`, `password_min_length`, `secret_ref`, ...
#[rustfmt::skip]
const DENY_LAST: &[&[u8]] = &[
    b"age", b"alg", b"algo", b"algorithm", b"allowlist", b"arn", b"at", b"audience", b"backend",
    b"bits", b"budget", b"bytes", b"changed", b"charset", b"cipher", b"class", b"cmd", b"command",
    b"count", b"counts", b"created", b"date", b"denylist", b"dict", b"dir", b"directory",
    b"disabled", b"display", b"domain", b"email", b"enable", b"enabled", b"encoding", b"encryption",
    b"endpoint", b"entropy", b"env", b"error", b"errors", b"exists", b"expiration", b"expires",
    b"expiry", b"field", b"fields", b"file", b"filename", b"files", b"fingerprint", b"flag",
    b"flags", b"format", b"hash", b"hashing", b"header", b"headers", b"help", b"helper", b"hidden",
    b"hint", b"host", b"id", b"ids", b"idx", b"in", b"index", b"input", b"invalid", b"issuer",
    b"kind", b"label", b"len", b"length", b"level", b"lifetime", b"limit", b"limits", b"list",
    b"location", b"manager", b"map", b"max", b"message", b"method", b"methods", b"min", b"missing",
    b"mode", b"ms", b"name", b"names", b"option", b"options", b"owner", b"param", b"params",
    b"path", b"paths", b"pattern", b"placeholder", b"policy", b"port", b"prefix", b"prompt",
    b"provider", b"ratio", b"realm", b"ref", b"refs", b"regex", b"region", b"required", b"reset",
    b"rotation", b"rounds", b"rule", b"rules", b"schema", b"scheme", b"scope", b"scopes",
    b"seconds", b"secrets", b"secs", b"server", b"service", b"set", b"size", b"source", b"spec", b"specs",
    b"state", b"status", b"stdin", b"storage", b"store", b"strength", b"suffix", b"text", b"time",
    b"timeout", b"ttl", b"type", b"types", b"updated", b"uri", b"url", b"urls", b"usage", b"used",
    b"user", b"username", b"valid", b"validation", b"validator", b"var", b"vars", b"version",
    b"whitelist", b"window",
];

fn deny_last(word: &[u8]) -> bool {
    DENY_LAST.binary_search(&word).is_ok()
}

/// First words of flags, counters and functions (`max_tokens`, `is_secret`,
/// `show_password`, `get_token`) and of test fixtures, which name
/// themselves (`invalidToken`, `nonMatchingToken`, `fake_api_key`).
#[rustfmt::skip]
const DENY_FIRST: &[&[u8]] = &[
    b"allow", b"bad", b"cache", b"cached", b"check", b"completion", b"count", b"create",
    b"delete", b"disable", b"dummy", b"enable", b"enabled", b"fake", b"forgot", b"generate",
    b"get", b"has", b"hide", b"input", b"invalid", b"is", b"mask", b"max", b"min", b"mock", b"n",
    b"no", b"non", b"not", b"num", b"output", b"prompt", b"reasoning", b"require", b"requires",
    b"revoke", b"set", b"should", b"show", b"test", b"total", b"update", b"use", b"validate",
    b"with", b"wrong",
];

fn deny_first(word: &[u8]) -> bool {
    DENY_FIRST.binary_search(&word).is_ok()
}

#[rustfmt::skip]
const NOT_CREDENTIAL_TOKENS: &[&[u8]] = &[
    b"action", b"authenticity", b"cancel", b"cancellation", b"change", b"client", b"continuation",
    b"csrf", b"cursor", b"idempotency", b"lexer", b"marker", b"next", b"page", b"pagination",
    b"parser", b"purchase", b"request", b"resume", b"sync", b"xsrf",
];

/// Tokens that are request ids, pagination cursors, parser state or
/// per-form CSRF values (`authenticity_token`).
fn not_credential_token(word: &[u8]) -> bool {
    NOT_CREDENTIAL_TOKENS.binary_search(&word).is_ok()
}

/// Second words that turn a qualifier into a secret name: `api_key`,
/// `signing_key`, `routing_key` (PagerDuty), ...
#[rustfmt::skip]
const KEY_QUALIFIERS: &[&[u8]] = &[
    b"access", b"account", b"admin", b"api", b"app", b"auth", b"client", b"consumer", b"deploy",
    b"encryption", b"gpg", b"hmac", b"integration", b"jwt", b"license", b"master", b"pgp",
    b"private", b"read", b"routing", b"secret", b"service", b"session", b"signing", b"ssh",
    b"storage", b"subscription", b"webhook", b"write",
];

fn key_qualifier(word: &[u8]) -> bool {
    KEY_QUALIFIERS.binary_search(&word).is_ok()
}

fn classify(key: &[u8]) -> Option<Kind> {
    match key {
        b"_authToken" | b"_auth" | b"_password" => return Some(Kind::Npmrc),
        b"AccountKey" => return Some(Kind::AzureAccountKey),
        _ => {}
    }
    // `spring.datasource.password`, `self.token`, `tokenData.cidr_whitelist`:
    // the last segment is the key.
    let key = match key.iter().rposition(|&b| b == b'.') {
        Some(d) if d + 1 < key.len() => &key[d + 1..],
        _ => key,
    };
    let w = Words::split(key);
    if w.n == 0 {
        return None;
    }
    let first = w.get(0);
    let last = w.get(w.n - 1);
    if w.iter().eq([&b"authorization"[..]]) || w.iter().eq([&b"proxy"[..], b"authorization"]) {
        return Some(Kind::Authorization);
    }
    // Token counts and tokenizers are the commonest "token" keys of all.
    if w.iter()
        .any(|word| word.ends_with(b"tokens") || contains(word, b"tokeni"))
    {
        return None;
    }
    if deny_last(last) || (w.n > 1 && deny_first(first)) {
        return None;
    }
    // `auth_public_key`, `publishable_key`: public by definition.
    if w.iter()
        .any(|word| matches!(word, b"public" | b"pub" | b"publishable"))
    {
        return None;
    }
    // AWS idempotency and pagination tokens (`ClientToken`, `NextToken`) are
    // request ids, not credentials.
    if last == b"token" && w.n > 1 && not_credential_token(w.get(w.n - 2)) {
        return None;
    }
    let joined = w.joined();
    if contains(joined, b"secretaccesskey") {
        return Some(Kind::AwsSecret);
    }
    // `pass` and `pw` only at the end (`SMTP_PASS`), not in `PassThrough`.
    let password = matches!(last, b"pass" | b"pw")
        || w.iter().any(|word| {
            contains(word, b"passw")
                || word.ends_with(b"pwd")
                || matches!(word, b"passphrase" | b"passcode")
        });
    if password {
        return Some(Kind::Password);
    }
    let secret = w.iter().any(|word| {
        contains(word, b"token")
            || contains(word, b"secret")
            || contains(word, b"apikey")
            || contains(word, b"credential")
            || contains(word, b"accesskey")
            || contains(word, b"privatekey")
            || matches!(word, b"auth" | b"creds" | b"bearer")
    }) || (1..w.n).any(|i| w.get(i) == b"key" && key_qualifier(w.get(i - 1)));
    secret.then_some(Kind::Secret)
}

pub(crate) struct Val {
    start: usize,
    end: usize,
    quoted: bool,
    /// The byte after the value (after the closing quote when quoted).
    after: Option<u8>,
}

/// The value after an operator: quoted (`"…"`, `\"…\"`, `'…'`, `` `…` ``),
/// which must close on the same line without spaces, or a bare run up to the
/// next separator. Neither form ever contains `"` or `\`, so redacting it
/// cannot break the JSON text around it.
///
/// With `strict`, a value opened by a bare `"` must not contain JSON
/// punctuation: that quote may be the end of the string the key sits in,
/// and between two JSON strings there is always a `,` or `:`.
fn parse_value(input: &[u8], from: usize, strict: bool) -> Option<Val> {
    let n = input.len();
    let mut v = from;
    let mut k = 0;
    while v < n && matches!(input[v], b' ' | b'\t') && k < 16 {
        v += 1;
        k += 1;
    }
    let quote = quote_len(input, v).map(|q| &input[v..v + q]);
    match quote {
        Some(q) => {
            let start = v + q.len();
            let mut e = start;
            while e < n
                && !matches!(input[e], b'"' | b'\'' | b'`' | b'\\')
                && input[e] > b' '
                && input[e] != 0x7f
            {
                e += 1;
                if e - start > MAX_VALUE {
                    return None;
                }
            }
            if !starts_with_at(input, e, q) {
                return None;
            }
            // A hex `user:password` pair cannot be JSON structure: after a
            // string's closing `"` valid JSON has no digit or letter.
            if strict
                && q == b"\""
                && input[start..e]
                    .iter()
                    .any(|b| matches!(b, b',' | b':' | b'[' | b']' | b'{' | b'}'))
                && !is_hex_pair(&input[start..e])
            {
                return None;
            }
            Some(Val {
                start,
                end: e,
                quoted: true,
                after: input.get(e + q.len()).copied(),
            })
        }
        None => {
            let start = v;
            let mut e = start;
            while e < n && !is_value_stop(input[e]) {
                e += 1;
                if e - start > MAX_VALUE {
                    return None;
                }
            }
            let after = input.get(e).copied();
            while e > start && matches!(input[e - 1], b'.' | b':' | b'!' | b'?') {
                e -= 1;
            }
            Some(Val {
                start,
                end: e,
                quoted: false,
                after,
            })
        }
    }
}

impl How {
    /// `setProperty("API_TOKEN", "…")`
    fn call() -> How {
        How {
            op: Op::Equals,
            header_like: false,
            spaced: true,
            paired: false,
        }
    }

    /// `<apiToken>…</apiToken>`
    fn element() -> How {
        How {
            op: Op::Equals,
            header_like: false,
            spaced: false,
            paired: false,
        }
    }

    /// `--password value`
    fn flag() -> How {
        How {
            op: Op::Space,
            header_like: false,
            spaced: true,
            paired: false,
        }
    }
}

/// Typed by a person filling in an example: the alphabet in order
/// (`sk_abcdefghijklmnopqrstuvwxyz123`) or a mask (`xoxp-…-####`). Digits
/// in order are left to the shape rules: ids count up in samples of real
/// tokens as well (`xoxb-123456789012-…`).
fn typed_sample(v: &[u8]) -> bool {
    let mut run = 1;
    let mut same = 1;
    for w in v.windows(2) {
        same = if w[0] == w[1] { same + 1 } else { 1 };
        if same >= 4 && matches!(w[0], b'#' | b'*' | b'?') {
            return true;
        }
        run = if w[0].is_ascii_alphabetic() && w[1] == w[0] + 1 {
            run + 1
        } else {
            1
        };
        if run >= 7 {
            return true;
        }
    }
    false
}

/// Values published in vendors' documentation as sample passwords, which
/// gitleaks lets pass as well (NuGet's `nuget.config` reference).
const DOCUMENTED_SAMPLES: &[&[u8]] = &[b"33f!!lloppa", b"hal+9ooo_da!sY"];

fn judge(input: &[u8], kind: Kind, key: &[u8], val: &Val, how: How) -> Option<Rule> {
    let How {
        op,
        header_like,
        spaced,
        paired,
    } = how;
    let v = &input[val.start..val.end];
    if v.is_empty() || DOCUMENTED_SAMPLES.contains(&v) {
        return None;
    }
    // Base64 keys may start with `/` or `+`, which the placeholder test
    // reads as a path or a reference, so their exact shapes go first.
    match kind {
        Kind::Npmrc => {
            return (v.len() >= 8 && !is_placeholder(v) && !has_no_letter(v) && !is_number(v))
                .then_some(Rule::NpmrcAuth)
        }
        Kind::AzureAccountKey => {
            return (v.len() >= 40 && all_in(v, B64) && !has_no_letter(v))
                .then_some(Rule::AzureStorageKey)
        }
        Kind::AwsSecret if crate::scan::aws_secret_shape(v) => {
            return Some(Rule::AwsSecretAccessKey)
        }
        _ => {}
    }
    let rule = if header_like {
        Rule::ApiKeyHeader
    } else {
        Rule::GenericSecret
    };
    if v.iter().all(u8::is_ascii_digit) {
        return (numeric_id(v) && ends_in_secret_word(key)).then_some(rule);
    }
    // Sidekiq Enterprise and Pro credentials, `user:password` in hex.
    if is_hex_pair(v) {
        return Some(rule);
    }
    if is_placeholder(v) || is_number(v) {
        return None;
    }
    if has_no_letter(v)
        || contains(v, b"://")
        || is_settings_list(v)
        || same_as_key(v, key)
        || elided(input, val)
        || is_constant_name(v)
        || (!paired && names_a_secret(v))
        || is_resource_path(v)
    {
        return None;
    }
    // Code, not a value: `token = lexer.next()`, `password = args[1]`,
    // `HttpPasswordCB = Option<…>`, `token: crate::Token`, `colon2_token:
    // node.colon2_token`, `IFLA_TOKEN: _bindgen_ty_5 = …`.
    if !val.quoted
        && (matches!(val.after, Some(b'(' | b'[' | b'<'))
            || is_code_path(v)
            || type_annotation(input, val, op))
    {
        return None;
    }
    let ok = match kind {
        Kind::Password => password_value(v, val, op, spaced),
        // Header values are read by a server, not typed: a 16-hex token
        // (2.7 bits a byte) is as good as any.
        _ if header_like => looks_random_at(v, 8, 2.5),
        _ => looks_random(v, 10) && !typed_sample(v),
    };
    ok.then_some(rule)
}

/// `BUNDLE_ENTERPRISE__CONTRIBSYS__COM`, `BUNDLE_GEMS__CONTRIBSYS__COM…`.
/// Asked at every operator whose key says nothing, so the prefix test comes
/// first: most keys fail it on their length or first byte.
fn bundler_sidekiq_name(key: &[u8]) -> bool {
    key.len() >= 28
        && key[..7].eq_ignore_ascii_case(b"bundle_")
        && contains_ignore_case(&key[7..], b"__contribsys__com")
}

/// `74fd7e5b:8cf4b9a1`: eight hex digits, a colon, eight hex digits.
fn is_hex_pair(v: &[u8]) -> bool {
    v.len() == 17
        && v[8] == b':'
        && all_in(&v[..8], HEX_ANY)
        && all_in(&v[9..], HEX_ANY)
        && not_filler(v)
}

fn is_bare_number(input: &[u8], val: &Val) -> bool {
    input[val.start..val.end].iter().all(u8::is_ascii_digit)
}

/// Client ids and secrets of some services are long numbers (Discord's
/// 18-digit snowflakes, Asana's 16 digits). Shorter numbers are counts,
/// ports and times; 16 and 19 digits that start with the seconds of a date
/// in 2001–2036 are micro- and nanosecond timestamps; sizes and other round
/// or repetitive numbers have runs of one digit or few distinct digits.
fn numeric_id(v: &[u8]) -> bool {
    if v.len() < 15 || v.len() > 64 {
        return false;
    }
    let seconds = v[..10]
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    if matches!(v.len(), 16 | 19) && (1_000_000_000..2_100_000_000).contains(&seconds) {
        return false;
    }
    let mut seen = [false; 10];
    let mut run = 0;
    for (i, &d) in v.iter().enumerate() {
        seen[usize::from(d - b'0')] = true;
        run = if i > 0 && v[i - 1] == d { run + 1 } else { 1 };
        if run >= 5 {
            return false;
        }
    }
    seen.iter().filter(|&&s| s).count() >= 6
}

/// Does the key's last word say secret (`asanaToken`, `DISCORD_CLIENT_SECRET`,
/// `api_key`, `DB_PASSWORD`)? Numbers are taken as secrets only then.
fn ends_in_secret_word(key: &[u8]) -> bool {
    let key = match key.iter().rposition(|&b| b == b'.') {
        Some(d) if d + 1 < key.len() => &key[d + 1..],
        _ => key,
    };
    let w = Words::split(key);
    w.n > 0
        && matches!(
            w.get(w.n - 1),
            b"token"
                | b"key"
                | b"secret"
                | b"password"
                | b"passwd"
                | b"pwd"
                | b"pass"
                | b"passphrase"
                | b"apikey"
                | b"secretkey"
                | b"accesskey"
                | b"credential"
                | b"credentials"
        )
}

/// People choose passwords, so no entropy floor: `hunter22`, `correcthorse`.
/// What is rejected is what code and config put there instead.
fn password_value(v: &[u8], val: &Val, op: Op, spaced: bool) -> bool {
    if v.len() < 6 || (op == Op::Colon && !val.quoted && v.len() < 8) {
        return false;
    }
    if val.quoted || !is_wordish(v) {
        return true;
    }
    // An unquoted name: `password: String`, `password=db_password`,
    // `self.password = credentials`, `--password options` in prose,
    // `connect(password=config, …)`. A plain word in a shell assignment
    // (no spaces around the `=`, as `PGPASSWORD=… psql`) is still a password.
    op == Op::Equals
        && !spaced
        && v.iter().all(u8::is_ascii_alphabetic)
        && !matches!(val.after, Some(b',' | b')'))
}

/// `projects/my-project/secrets/db/versions/1`: a reference to a secret.
/// Base64 secrets with slashes have upper-case letters.
fn is_resource_path(v: &[u8]) -> bool {
    v.iter().filter(|&&b| b == b'/').count() >= 2 && !v.iter().any(u8::is_ascii_uppercase)
}

/// `RSA_2048`, `ECC_NIST_P521`, `HMAC_SHA256`: enum constants.
fn is_constant_name(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_uppercase)
        && v.contains(&b'_')
        && v.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// A name that is about a secret (`url-password`, `api_token`,
/// `SecretKeyRef`) is a label, not the secret. The word
/// starts the name or a word of it; inside a word (`rootpasswd`) it is
/// part of a chosen password.
fn names_a_secret(v: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"passw",
        b"secret",
        b"token",
        b"apikey",
        b"api_key",
        b"credential",
    ];
    if !is_wordish(v) {
        return false;
    }
    (0..v.len()).any(|i| {
        let starts_word = i == 0
            || !v[i - 1].is_ascii_alphabetic()
            || (v[i].is_ascii_uppercase() && v[i - 1].is_ascii_lowercase());
        starts_word
            && WORDS.iter().any(|w| {
                v.get(i..i + w.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(w))
            })
    })
}

/// `sk-ant-api03-...`, `ghp_…`, `abc-`: documentation shortening a value.
/// A long base64 value may end in `-` or `_` by chance (1 in 32).
fn elided(input: &[u8], val: &Val) -> bool {
    let v = &input[val.start..val.end];
    (matches!(v.last(), Some(b'-' | b'_')) && (v.len() < 24 || !all_in(v, B64_ANY)))
        || v.ends_with(b"..")
        || contains(v, "…".as_bytes())
        || starts_with_at(input, val.end, b"..")
        || starts_with_at(input, val.end, "…".as_bytes())
}

/// `self.token`, `node.colon2_token`, `crate::__u32`, `os.environ`: a path
/// of identifiers that starts with a plain name. JWTs and other dotted tokens
/// start with random segments and have their own rules anyway.
fn is_code_path(v: &[u8]) -> bool {
    if contains(v, b"::") {
        return true;
    }
    let mut segments = v.split(|&b| b == b'.');
    let Some(first) = segments.next() else {
        return false;
    };
    let ident = |s: &[u8]| {
        !s.is_empty()
            && !s[0].is_ascii_digit()
            && s.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let mut more = false;
    for segment in segments {
        // `s.ZC9Ecf4M5g9o34Q6RkzGsj0z` (a Vault service token) is not
        // a member of `s`: names are not that random.
        if !ident(segment) || (segment.len() >= 16 && looks_random(segment, 16)) {
            return false;
        }
        more = true;
    }
    more && ident(first) && is_wordish(first)
}

/// `name: Type = value` in Rust, TypeScript and Python: what follows the
/// colon is a type when it is a name (`_bindgen_ty_5`, `SecretString`) and
/// an `=` comes next. A random token in that position is still a token.
fn type_annotation(input: &[u8], val: &Val, op: Op) -> bool {
    let v = &input[val.start..val.end];
    if op != Op::Colon || !(v.contains(&b'_') || is_wordish(v)) || !all_in(v, WORD) {
        return false;
    }
    let mut p = val.end;
    while p < input.len() && input[p] == b' ' {
        p += 1;
    }
    input.get(p) == Some(&b'=') && input.get(p + 1) != Some(&b'=')
}

/// `password=password`, `token: token`, `api_key=API_KEY`.
fn same_as_key(v: &[u8], key: &[u8]) -> bool {
    let key = key.trim_ascii_start();
    let key = match key.iter().position(|&b| b != b'-') {
        Some(p) => &key[p..],
        None => key,
    };
    v.eq_ignore_ascii_case(key)
        || key.len() >= v.len()
            && key[key.len() - v.len()..].eq_ignore_ascii_case(v)
            && v.len() >= 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [DENY_LAST, DENY_FIRST, NOT_CREDENTIAL_TOKENS, KEY_QUALIFIERS] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "{:?}",
                list.iter()
                    .map(|w| String::from_utf8_lossy(w))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn key_names_are_classified_by_their_words() {
        let table: &[(&str, Option<Kind>)] = &[
            ("password", Some(Kind::Password)),
            ("DB_PASSWORD", Some(Kind::Password)),
            ("mysql_pwd", Some(Kind::Password)),
            ("SMTP_PASS", Some(Kind::Password)),
            ("spring.datasource.password", Some(Kind::Password)),
            ("api_key", Some(Kind::Secret)),
            ("apiKey", Some(Kind::Secret)),
            ("X-Api-Key", Some(Kind::Secret)),
            ("client_secret", Some(Kind::Secret)),
            ("GITHUB_TOKEN", Some(Kind::Secret)),
            ("refreshToken", Some(Kind::Secret)),
            ("PAGERDUTY_ROUTING_KEY", Some(Kind::Secret)),
            ("credentials", Some(Kind::Secret)),
            ("aws_secret_access_key", Some(Kind::AwsSecret)),
            ("SecretAccessKey", Some(Kind::AwsSecret)),
            ("Authorization", Some(Kind::Authorization)),
            ("Proxy-Authorization", Some(Kind::Authorization)),
            ("_authToken", Some(Kind::Npmrc)),
            ("AccountKey", Some(Kind::AzureAccountKey)),
            ("max_tokens", None),
            ("input_tokens", None),
            ("token_count", None),
            ("tokens_used", None),
            ("csrf_token_name", None),
            ("tokenizer", None),
            ("password_min_length", None),
            ("NextToken", None),
            ("ClientToken", None),
            ("auth_public_key", None),
            ("author", None),
            ("PassThrough", None),
            ("tokenData.cidr_whitelist", None),
            ("secretKeyRef", None),
            ("key", None),
            ("monkey", None),
        ];
        for &(key, want) in table {
            assert_eq!(classify(key.as_bytes()), want, "{key}");
        }
    }

    #[test]
    fn long_numbers_are_secrets_only_when_random_and_named_so() {
        for id in [
            "133766677970562084",
            "8844208975462984",
            "99226265979030277684005317003043",
        ] {
            assert!(numeric_id(id.as_bytes()), "{id}");
        }
        for n in [
            "12345678901234",      // too short
            "1732212345123456",    // microseconds
            "1732212345123456789", // nanoseconds
            "5000000000000000",    // round
            "1212121212121212",    // few digits
        ] {
            assert!(!numeric_id(n.as_bytes()), "{n}");
        }
        for key in [
            "asanaToken",
            "DISCORD_CLIENT_SECRET",
            "api_key",
            "db.password",
        ] {
            assert!(ends_in_secret_word(key.as_bytes()), "{key}");
        }
        for key in [
            "token_count",
            "secret_key_size",
            "tokenExpiresAt",
            "credentialsId",
        ] {
            assert!(!ends_in_secret_word(key.as_bytes()), "{key}");
        }
    }

    #[test]
    fn cheap_filter_never_rejects_a_sensitive_key() {
        for key in [
            "password",
            "PASSWD",
            "pwd",
            "token",
            "SECRET",
            "auth",
            "Credentials",
            "api_key",
            "x-api-key",
        ] {
            assert!(maybe_sensitive(key.as_bytes()), "{key}");
        }
        for key in ["variable", "description", "cwd", "session_id", "tool_name"] {
            assert!(!maybe_sensitive(key.as_bytes()), "{key}");
        }
    }
}
