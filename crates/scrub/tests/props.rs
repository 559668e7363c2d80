//! Properties: the scrubber never panics, never breaks JSON, and always
//! removes a well-formed secret wherever it is planted.

use hookwatch_scrub::{rules, scrub, scrub_str};
use proptest::prelude::*;
use proptest::string::string_regex;
use serde_json::{json, Value};

fn re(pattern: &str) -> BoxedStrategy<String> {
    string_regex(pattern).expect("valid test regex").boxed()
}

/// A random credential: letters and digits, with the entropy of a
/// generated secret (shrinking would otherwise walk to `Aaa000…`).
fn mixed(len: std::ops::RangeInclusive<usize>) -> BoxedStrategy<String> {
    (
        re("[A-Za-z]{3}"),
        re("[0-9]{2}"),
        re(&format!("[A-Za-z0-9]{{{},{}}}", len.start(), len.end())),
    )
        .prop_map(|(a, d, rest)| format!("{a}{d}{rest}"))
        .prop_filter("random-looking", |s| entropy(s) >= 3.5)
        .boxed()
}

fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    s.bytes().for_each(|b| counts[b as usize] += 1);
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| -(c as f64 / n) * (c as f64 / n).log2())
        .sum()
}

fn uuid() -> BoxedStrategy<String> {
    re("[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-a[a-f0-9]{3}-[a-f0-9]{12}")
}

fn base64_len(n: usize) -> BoxedStrategy<String> {
    re(&format!("[A-Za-z0-9+/]{{{n}}}"))
        .prop_filter("mixed classes", |s| {
            s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes().any(|b| b.is_ascii_lowercase())
                && s.bytes().any(|b| b.is_ascii_uppercase())
        })
        .boxed()
}

/// For every rule: a strategy for (planted text, secret substring that must
/// vanish). Text is the smallest realistic unit: the token itself, or the
/// key, header or URL around it.
fn planted(rule: &str) -> BoxedStrategy<(String, String)> {
    let alone = |s: BoxedStrategy<String>| s.prop_map(|s| (s.clone(), s)).boxed();
    let around = |before: &'static str, s: BoxedStrategy<String>, after: &'static str| {
        s.prop_map(move |s| (format!("{before}{s}{after}"), s))
            .boxed()
    };
    match rule {
        "private-key" => (prop::collection::vec(base64_len(64), 2..6), any::<bool>())
            .prop_map(|(lines, end)| {
                let body = lines.join("\n");
                let mut t = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}");
                if end {
                    t.push_str("\n-----END RSA PRIVATE KEY-----");
                }
                (t, body)
            })
            .boxed(),
        "aws-access-key-id" => alone(
            re("(AKIA|ASIA)[A-Z2-7]{16}")
                .prop_filter("sample", |s| !s.ends_with("EXAMPLE"))
                .boxed(),
        ),
        "github-token" => alone(re("gh[pousr]_[A-Za-z0-9]{36}")),
        "github-fine-grained-pat" => alone(re("github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}")),
        "gitlab-token" => alone(re("gl(pat|dt|rt|ptt)-[A-Za-z0-9_]{20,30}")),
        "slack-token" => alone(re("xox[bpaers]-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}")),
        "slack-app-token" => alone(re("xapp-1-A[A-Z0-9]{10}-[0-9]{13}-[a-f0-9]{64}")),
        "slack-webhook-url" => around(
            "https://hooks.slack.com/services/",
            re("T[A-Z0-9]{8}/B[A-Z0-9]{10}/[A-Za-z0-9]{24}"),
            "",
        ),
        "discord-webhook-url" => around(
            "https://discord.com/api/webhooks/",
            re("[0-9]{18}/[A-Za-z0-9_-]{68}"),
            "",
        ),
        "teams-webhook-url" => around(
            "https://acme.webhook.office.com/webhookb2/",
            (uuid(), uuid(), re("[a-f0-9]{32}"), uuid())
                .prop_map(|(a, b, h, c)| format!("{a}@{b}/IncomingWebhook/{h}/{c}"))
                .boxed(),
            "",
        ),
        "stripe-secret-key" => (re("(sk|rk)_(live|test)_"), mixed(20..=60))
            .prop_map(|(p, s)| (format!("{p}{s}"), s))
            .boxed(),
        "webhook-signing-secret" => alone(re("whsec_[A-Za-z0-9+/]{32}")),
        "google-api-key" => alone(re("AIza[A-Za-z0-9_-]{35}")),
        "google-oauth-token" => alone(re("ya29\\.[A-Za-z0-9_-]{100,160}")),
        "anthropic-api-key" => alone(re("sk-ant-api03-[A-Za-z0-9_-]{93}AA")),
        "anthropic-admin-key" => alone(re("sk-ant-admin01-[A-Za-z0-9_-]{93}AA")),
        "anthropic-oauth-token" => alone(re("sk-ant-o[ar]t01-[A-Za-z0-9_-]{93}AA")),
        "openai-api-key" => alone(re(
            "sk-(proj|svcacct|admin)-[A-Za-z0-9_-]{74}T3BlbkFJ[A-Za-z0-9_-]{74}",
        )),
        "npm-token" => alone(re("npm_[A-Za-z0-9]{36}")),
        "pypi-token" => alone(re("pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{70}")),
        "huggingface-token" => alone(re("hf_[a-z]{10}[A-Z]{10}[A-Za-z]{14}")),
        "sendgrid-api-key" => alone(re("SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}")),
        "twilio-api-key" => alone(re("SK[0-9a-f]{32}")),
        "digitalocean-token" => alone(re("do[por]_v1_[a-f0-9]{64}")),
        "vault-token" => alone(re("hv[sb]\\.[A-Za-z0-9_-]{90}")),
        "sentry-token" => alone(re("sntryu_[a-f0-9]{64}")),
        "databricks-token" => alone(re("dapi[a-f0-9]{32}")),
        "shopify-token" => alone(re("shp(at|ss|ca|pa)_[a-fA-F0-9]{32}")),
        "linear-api-key" => alone(re("lin_api_[A-Za-z0-9]{40}")),
        "grafana-token" => alone(re("glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}")),
        "perplexity-api-key" => alone(re("pplx-[A-Za-z0-9]{48}")),
        "heroku-api-key" => alone(re("HRKU-AA[A-Za-z0-9_-]{58}")),
        "age-secret-key" => alone(re("AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}")),
        "doppler-token" => alone(re("dp\\.(pt|st|ct)\\.[A-Za-z0-9]{43}")),
        "ntfy-token" => alone(re("tk_[a-z]{10}[0-9][a-z0-9]{18}")),
        "docker-hub-token" => alone(re("dckr_pat_[A-Za-z0-9_-]{27}")),
        "telegram-bot-token" => alone(re("[1-9][0-9]{8}:AA[A-Za-z0-9_-]{33}")),
        "jwt" => alone(re(
            "eyJ[A-Za-z0-9_-]{20,40}\\.eyJ[A-Za-z0-9_-]{20,60}\\.[A-Za-z0-9_-]{43}",
        )),
        "sentry-dsn" => around(
            "https://",
            re("[a-f0-9]{32}"),
            "@o4505.ingest.sentry.io/4506",
        ),
        "azure-storage-key" => around(
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=",
            base64_len(86).prop_map(|s| format!("{s}==")).boxed(),
            ";EndpointSuffix=core.windows.net",
        ),
        "npmrc-auth" => around("//registry.npmjs.org/:_authToken=", uuid(), ""),
        "url-password" => around("postgres://app:", mixed(6..=16), "@db.internal:5432/app"),
        "authorization-header" => around("Authorization: Basic ", mixed(12..=40), ""),
        "bearer-token" => around("Bearer ", mixed(20..=40), ""),
        "api-key-header" => around("X-Api-Key: ", mixed(24..=40), ""),
        "curl-basic-auth" => around("curl -u admin:", mixed(6..=16), " https://ci.acme.io/api"),
        "aws-secret-access-key" => around("aws_secret_access_key = ", base64_len(40), ""),
        "generic-secret" => prop_oneof![
            around("password=", mixed(6..=20), ""),
            around("\"api_key\": \"", mixed(16..=40), "\""),
            around("client_secret: ", mixed(16..=40), ""),
            around("--token ", mixed(16..=40), ""),
            around("DB_PASSWORD='", mixed(6..=20), "'"),
        ]
        .boxed(),
        "1password-token" => alone(re(
            "A3-[A-Z0-9]{6}-[A-Z0-9]{11}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
        )),
        "prefect-api-key" => alone(re("pnu_[A-Za-z0-9]{36}")),
        "readme-api-key" => alone(re("rdme_[a-z0-9]{70}")),
        "rubygems-api-key" => alone(re("rubygems_[a-f0-9]{48}")),
        "planetscale-token" => alone(re("pscale_(tkn|oauth|pw)_[A-Za-z0-9_]{43}")),
        "shippo-api-key" => alone(re("shippo_(live|test)_[a-f0-9]{40}")),
        "settlemint-token" => alone(re("sm_(aat|pat|sat)_[a-z]{4}[0-9]{4}[A-Za-z0-9]{8}")),
        "notion-api-key" => alone(re("ntn_[0-9]{11}[A-Za-z0-9]{35}")),
        "sourcegraph-token" => alone(re("sgp_[a-f0-9]{16}_[a-f0-9]{40}")),
        "clojars-token" => alone(re("CLOJARS_[a-z0-9]{60}")),
        "duffel-api-key" => alone(re("duffel_(test|live)_[A-Za-z0-9_-]{43}")),
        "flyio-token" => alone(re("fo1_[A-Za-z0-9_-]{43}")),
        "sendinblue-api-key" => alone(re("xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}")),
        "postman-api-key" => alone(re("PMAK-[a-f0-9]{24}-[a-f0-9]{34}")),
        "pulumi-token" => alone(re("pul-[a-f0-9]{40}")),
        "infracost-api-key" => alone(re("ico-[a-z]{3}[0-9]{3}[A-Za-z0-9]{26}")),
        "frameio-token" => alone(re("fio-u-[A-Za-z0-9_-]{64}")),
        "adobe-client-secret" => alone(re("p8e-[a-z]{3}[0-9]{3}[A-Za-z0-9]{26}")),
        "scalingo-token" => alone(re("tk-us-[A-Za-z0-9_-]{48}")),
        "square-token" => alone(re("sq0(atp|csp)-[A-Za-z0-9_-]{22,43}")),
        "flutterwave-key" => alone(re("FLW(SECK|PUBK)_TEST-[a-h0-9]{32}-X")),
        "intra42-client-secret" => alone(re("s-s4t2(ud|af)-[a-f0-9]{64}")),
        "dynatrace-token" => alone(re("dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}")),
        "cloudflare-origin-ca-key" => alone(re("v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}")),
        "harness-api-key" => alone(re(
            "pat\\.[A-Za-z0-9_-]{22}\\.[a-z]{4}[0-9]{4}[A-Za-z0-9]{16}\\.[A-Za-z0-9]{20}",
        )),
        "terraform-cloud-token" => alone(re(
            "[a-z0-9]{14}\\.atlasv1\\.[a-z]{4}[0-9]{4}[a-z0-9_-]{58}",
        )),
        "airtable-token" => alone(re("pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}")),
        "aws-bedrock-api-key" => alone(re("ABSK[a-z]{4}[0-9]{4}[A-Za-z0-9+/]{140}")),
        "alibaba-access-key-id" => alone(re("LTAI[a-z]{4}[0-9]{4}[A-Za-z0-9]{12}")),
        "easypost-api-key" => alone(re("EZ(AK|TK)[a-z]{4}[0-9]{4}[A-Za-z0-9]{46}")),
        "facebook-access-token" => prop_oneof![
            alone(re("EAA(C|M)[a-z]{4}[0-9]{4}[A-Za-z0-9]{120}")),
            // An app access token: app id | app secret.
            alone(re(
                "[1-9][0-9]{14,15}\\|[a-z]{4}[A-Z]{4}[0-9]{4}[A-Za-z0-9_-]{15,28}"
            )),
        ]
        .boxed(),
        "azure-ad-client-secret" => alone(re(
            "[A-Za-z0-9]{3}[0-9]Q~[a-z]{4}[0-9]{4}[A-Za-z0-9_.-]{26}",
        )),
        "openshift-token" => alone(re("sha256~[a-z]{4}[0-9]{4}[A-Za-z0-9_-]{35}")),
        "gitlab-session-cookie" => around(
            "Cookie: _gitlab_session=",
            re("[a-z]{4}[0-9]{4}[a-z0-9]{24}"),
            "",
        ),
        "mailgun-api-key" => alone(re("key-[a-f0-9]{32}")),
        "atlassian-token" => alone(re("ATATT3[a-z]{4}[0-9]{4}[A-Za-z0-9_-]{170}")),
        "bitbucket-app-password" => alone(re("ATBB[a-z]{4}[0-9]{4}[A-Za-z0-9]{24}")),
        "supabase-token" => alone(re("sbp_[a-f0-9]{40}")),
        "new-relic-key" => alone(re("NRAK-[A-Z]{4}[0-9]{4}[A-Z0-9]{19}")),
        "xai-api-key" => alone(re("xai-[a-z]{4}[0-9]{4}[A-Za-z0-9]{72}")),
        "groq-api-key" => alone(re("gsk_[a-z]{4}[0-9]{4}[A-Za-z0-9]{44}")),
        "replicate-token" => alone(re("r8_[a-z]{4}[0-9]{4}[A-Za-z0-9]{29}")),
        "openrouter-api-key" => alone(re("sk-or-v1-[a-f0-9]{64}")),
        "tavily-api-key" => alone(re("tvly-[a-z]{4}[0-9]{4}[A-Za-z0-9]{24}")),
        "langsmith-api-key" => alone(re("lsv2_pt_[a-f0-9]{32}_[a-f0-9]{10}")),
        "pinecone-api-key" => alone(re("pcsk_[a-z0-9]{6}_[a-z]{4}[0-9]{4}[A-Za-z0-9]{56}")),
        "neon-api-key" => alone(re("napi_[a-z]{4}[0-9]{4}[a-z0-9]{56}")),
        "resend-api-key" => alone(re(
            "re_[A-Za-z0-9]{8}_[a-z]{4}[A-Z]{4}[0-9]{4}[A-Za-z0-9]{12}",
        )),
        "figma-token" => alone(re("figd_[a-z]{4}[0-9]{4}[A-Za-z0-9_-]{32}")),
        "netlify-token" => alone(re("nfp_[a-z]{4}[0-9]{4}[A-Za-z0-9]{28}")),
        "buildkite-token" => alone(re("bkua_[a-f0-9]{40}")),
        "circleci-token" => alone(re("CCIPAT_[a-z]{4}[0-9]{4}[A-Za-z0-9]{14}_[a-f0-9]{40}")),
        "render-api-key" => alone(re("rnd_[a-z]{4}[0-9]{4}[A-Za-z0-9]{24}")),
        "mapbox-secret-token" => alone(re(
            "sk\\.eyJ[a-z]{4}[0-9]{4}[A-Za-z0-9]{40}\\.[A-Za-z0-9_-]{22}",
        )),
        "kubernetes-secret" => around(
            "apiVersion: v1\nkind: Secret\ndata:\n  tls.key: ",
            base64_len(48),
            "\n",
        ),
        "cli-password" => prop_oneof![
            around("mysql -u root -p", mixed(8..=16), " shop"),
            around("redis-cli -h cache -a ", mixed(8..=16), " PING"),
            around("sshpass -p ", mixed(8..=16), " ssh deploy@host"),
        ]
        .boxed(),
        "session-cookie" => around(
            "Cookie: theme=dark; sessionid=",
            mixed(20..=32),
            "; lang=en",
        ),
        "netrc-password" => around(
            "machine api.acme.io login dev password ",
            mixed(8..=20),
            "\n",
        ),
        "mailchimp-api-key" => alone(re("[a-f0-9]{32}-us[1-9][0-9]?")),
        "discord-bot-token" => alone(re(
            "MT[A-Za-z0-9]{24}\\.[a-z]{3}[0-9]{3}\\.[a-z]{4}[0-9]{4}[A-Za-z0-9_-]{21}",
        )),
        other => panic!("no generator for rule {other}; add one"),
    }
}

/// Random surroundings: ASCII letters, digits, spaces and punctuation.
fn filler() -> BoxedStrategy<String> {
    re("[A-Za-z0-9 .,;:!?()\\[\\]{}<>/'\"#%&*+=_-]{0,80}")
}

/// Separators that cannot continue any token alphabet.
fn delimiter() -> BoxedStrategy<&'static str> {
    prop::sample::select(vec![
        " ", "\n", "\t", ", ", "; ", " (", ") ", " \"", "\" ", " '", "' ", " <", "> ", " | ",
    ])
    .boxed()
}

fn any_rule_case() -> BoxedStrategy<(&'static str, (String, String))> {
    let ids: Vec<&'static str> = rules().iter().map(|r| r.id).collect();
    prop::sample::select(ids)
        .prop_flat_map(|id| planted(id).prop_map(move |case| (id, case)))
        .boxed()
}

/// Fragments that exercise every anchor, quote and escape the scanner knows.
fn fragment() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            "ghp_",
            "gho_",
            "github_pat_",
            "glpat-",
            "xoxb-",
            "xapp-",
            "sk-ant-api03-",
            "sk-proj-",
            "sk_live_",
            "whsec_",
            "AKIA",
            "A3T",
            "AIza",
            "ya29.",
            "SG.",
            "SK",
            "dapi",
            "hvs.",
            "dp.pt.",
            "tk_",
            "npm_",
            "hf_",
            "pypi-AgEIcHlwaS5vcmc",
            "AGE-SECRET-KEY-1",
            "HRKU-",
            "pplx-",
            "shpat_",
            "lin_api_",
            "glsa_",
            "glc_",
            "sntryu_",
            "sntrys_eyJ",
            "dckr_pat_",
            "dop_v1_",
            "eyJhbGciOiJIUzI1NiJ9",
            ".",
            "eyJzdWIiOiIxMjM0In0",
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----END RSA PRIVATE KEY-----",
            "-----BEGIN ",
            "PRIVATE KEY-----",
            "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo",
            "\n",
            "\r\n",
            "\t",
            "\"",
            "'",
            "`",
            "\\",
            "\\\"",
            "://",
            ":\\/\\/",
            "@",
            ":",
            "=",
            ":=",
            "=>",
            " ",
            "  ",
            "password",
            "Password",
            "token",
            "api_key",
            "x-api-key",
            "Authorization",
            "Authorization: Bearer ",
            "Bearer ",
            "Basic ",
            "_authToken",
            ":_authToken=",
            "AccountKey=",
            "aws_secret_access_key",
            "secret",
            "--password ",
            "--token=",
            "curl -u ",
            " -u ",
            "--user ",
            "https://",
            "postgres://u:",
            "hooks.slack.com/services/",
            "discord.com/api/webhooks/",
            ".webhook.office.com/webhookb2/",
            "@o1.ingest.sentry.io/1",
            ";base64,",
            "data:image/png;base64,",
            "$",
            "${",
            "}",
            "{",
            "[",
            "]",
            ",",
            ";",
            "(",
            ")",
            "<",
            ">",
            "|",
            "#",
            "é",
            "…",
            "\u{0}",
            "\u{1b}[0m",
            "null",
            "true",
            "123",
            "-",
            "_",
            "/",
            "+",
            "==",
            "::=",
            "?=",
            ".=",
            "var apiToken string = ",
            "apiKey: String = ",
            "System.setProperty(",
            "define(",
            "\"API_TOKEN\", ",
            "<apiToken>",
            "</apiToken>",
            "<password>",
            "</password>",
            "\\n  ",
            "133766677970562084",
        ])
        .prop_map(str::to_string),
        re("[A-Za-z0-9]{1,48}"),
        re("[a-f0-9]{32}"),
    ]
    .boxed()
}

fn soup() -> BoxedStrategy<String> {
    prop::collection::vec(fragment(), 0..24)
        .prop_map(|v| v.concat())
        .boxed()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        soup().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((soup(), inner.clone()), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            // A JSON document inside a JSON string: `\"` and `\\n` everywhere.
            inner.prop_map(|v| Value::String(serde_json::to_string(&v).unwrap())),
        ]
    })
}

proptest! {
    // PROPTEST_CASES=100000 for a long hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = scrub(&bytes);
    }

    #[test]
    fn never_panics_on_token_soup(s in soup()) {
        let out = scrub(s.as_bytes());
        // UTF-8 in, UTF-8 out: spans start and end at ASCII bytes.
        prop_assert!(std::str::from_utf8(&out).is_ok());
        let _ = scrub_str(&s);
    }

    #[test]
    fn valid_json_stays_valid_json(v in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
        let out = scrub(text.as_bytes());
        if let Err(e) = serde_json::from_slice::<Value>(&out) {
            prop_assert!(false, "{e}\n in: {text}\nout: {}", String::from_utf8_lossy(&out));
        }
    }

    #[test]
    fn planted_secret_is_always_removed(
        (rule, (unit, secret)) in any_rule_case(),
        before in filler(),
        after in filler(),
        d1 in delimiter(),
        d2 in delimiter(),
        field in prop::sample::select(vec!["error", "stdout", "command"]),
    ) {
        let text = format!("{before}{d1}{unit}{d2}{after}");
        let out = scrub(text.as_bytes());
        let out = String::from_utf8(out.into_owned()).unwrap();
        prop_assert!(!out.contains(&secret), "[{rule}] plain text kept the secret\n in: {text:?}\nout: {out:?}");
        // Idempotent: scrubbing the scrubbed text changes nothing.
        let again = scrub(out.as_bytes());
        prop_assert_eq!(again.as_ref(), out.as_bytes());

        let event = match field {
            "error" => json!({ "hook_event_name": "PostToolUseFailure", "tool_name": "Bash", "error": text }),
            "stdout" => json!({ "hook_event_name": "PostToolUse", "tool_response": { "stdout": text, "stderr": "" } }),
            _ => json!({ "hook_event_name": "PreToolUse", "tool_input": { "command": text } }),
        };
        let doc = serde_json::to_string(&event).unwrap();
        let scrubbed = scrub(doc.as_bytes());
        let parsed: Value = serde_json::from_slice(&scrubbed)
            .map_err(|e| TestCaseError::fail(format!("[{rule}] JSON broken: {e}\n{}", String::from_utf8_lossy(&scrubbed))))?;
        let all = parsed.to_string();
        prop_assert!(!all.contains(&secret), "[{rule}] JSON kept the secret\n in: {doc}\nout: {all}");
        prop_assert!(!String::from_utf8_lossy(&scrubbed).contains(&secret));
    }
}

#[test]
fn every_rule_has_a_generator() {
    for r in rules() {
        let _ = planted(r.id);
    }
}
