//! The rule table: one line per rule, in priority order.
//!
//! When two rules redact exactly the same bytes (`password=ghp_…` is both a
//! generic secret and a GitHub token), the rule listed first names the
//! marker. So the table lists the rules that recognise a secret by its own
//! shape first, and the rules that only know it from context (a key name, a
//! header, a URL position) last: the more specific name is the more useful one
//! to a reader of the redacted log.

use crate::RuleInfo;

macro_rules! rule_table {
    ($($variant:ident => $id:literal, $description:literal;)*) => {
        /// A rule, as the scanner refers to it. Its discriminant is its
        /// priority and its index in [`RULES`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub(crate) enum Rule {
            $($variant,)*
        }

        pub(crate) static RULES: &[RuleInfo] = &[
            $(RuleInfo { id: $id, description: $description },)*
        ];
    };
}

rule_table! {
    PrivateKey => "private-key",
        "PEM, OpenSSH or PGP private key block, from BEGIN to END (to the end of the string when truncated); the private lines of a PuTTY key file";
    AwsAccessKeyId => "aws-access-key-id",
        "AWS access key id (AKIA, ASIA, ABIA, ACCA or A3T, 20 upper-case letters and digits in all); ids ending in EXAMPLE are kept";
    GithubToken => "github-token",
        "GitHub classic PAT, OAuth, user-to-server, server-to-server and refresh tokens (ghp_, gho_, ghu_, ghs_, ghr_)";
    GithubFineGrainedPat => "github-fine-grained-pat",
        "GitHub fine-grained personal access token (github_pat_)";
    GitlabToken => "gitlab-token",
        "GitLab tokens (glpat-, gldt-, glrt-, glptt-, glft-, glcbt-, gloas-, glimt-, glsoat-, glagent-)";
    SlackToken => "slack-token",
        "Slack bot, user, configuration and legacy tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-)";
    SlackAppToken => "slack-app-token",
        "Slack app-level token (xapp-)";
    SlackWebhookUrl => "slack-webhook-url",
        "Slack webhook, workflow or trigger URL on hooks.slack.com: the path after the kind is redacted";
    DiscordWebhookUrl => "discord-webhook-url",
        "Discord webhook URL (discord.com or discordapp.com /api/webhooks/<id>/<token>): id and token are redacted";
    TeamsWebhookUrl => "teams-webhook-url",
        "Microsoft Teams incoming webhook URL (*.webhook.office.com/webhookb2/...): the path is redacted";
    StripeSecretKey => "stripe-secret-key",
        "Stripe secret and restricted keys (sk_live_, sk_test_, sk_prod_, rk_live_, rk_test_, rk_prod_); pk_ keys are public";
    WebhookSigningSecret => "webhook-signing-secret",
        "Stripe and Standard Webhooks signing secret (whsec_)";
    GoogleApiKey => "google-api-key",
        "Google API key (AIza + 35 characters)";
    GoogleOauthToken => "google-oauth-token",
        "Google OAuth access token (ya29.)";
    AnthropicApiKey => "anthropic-api-key",
        "Anthropic API key (sk-ant-api03-)";
    AnthropicAdminKey => "anthropic-admin-key",
        "Anthropic Admin API key (sk-ant-admin01-)";
    AnthropicOauthToken => "anthropic-oauth-token",
        "Anthropic OAuth access and refresh tokens (sk-ant-oat01-, sk-ant-ort01-)";
    OpenaiApiKey => "openai-api-key",
        "OpenAI project, service-account, admin and legacy keys (sk-proj-, sk-svcacct-, sk-admin-, sk-...T3BlbkFJ...)";
    NpmToken => "npm-token",
        "npm access token (npm_ + 36 alphanumerics)";
    PypiToken => "pypi-token",
        "PyPI upload token (pypi-AgEIcHlwaS5vcmc...)";
    HuggingfaceToken => "huggingface-token",
        "Hugging Face access token (hf_)";
    SendgridApiKey => "sendgrid-api-key",
        "SendGrid API key (SG.<22>.<43>)";
    TwilioApiKey => "twilio-api-key",
        "Twilio API key SID (SK + 32 hex digits, as a whole word)";
    DigitaloceanToken => "digitalocean-token",
        "DigitalOcean personal, OAuth and refresh tokens (dop_v1_, doo_v1_, dor_v1_ + 64 hex)";
    VaultToken => "vault-token",
        "HashiCorp Vault service, batch and recovery tokens (hvs., hvb., hvr.)";
    SentryToken => "sentry-token",
        "Sentry user and organisation auth tokens (sntryu_, sntrys_)";
    DatabricksToken => "databricks-token",
        "Databricks personal access token (dapi + 32 hex)";
    ShopifyToken => "shopify-token",
        "Shopify access tokens and shared secrets (shpat_, shpss_, shpca_, shppa_ + 32 hex)";
    LinearApiKey => "linear-api-key",
        "Linear API key (lin_api_ + 40 alphanumerics)";
    GrafanaToken => "grafana-token",
        "Grafana service-account token and Grafana Cloud token (glsa_, glc_)";
    PerplexityApiKey => "perplexity-api-key",
        "Perplexity API key (pplx- + 48 alphanumerics)";
    HerokuApiKey => "heroku-api-key",
        "Heroku API key, v2 format (HRKU-)";
    AgeSecretKey => "age-secret-key",
        "age encryption secret key (AGE-SECRET-KEY-1 + 58 bech32 characters)";
    DopplerToken => "doppler-token",
        "Doppler personal, service, CLI, service-account, SCIM and audit tokens (dp.pt., dp.st., dp.ct., dp.sa., ...)";
    NtfyToken => "ntfy-token",
        "ntfy access token (tk_ + 29 lowercase alphanumerics)";
    DockerHubToken => "docker-hub-token",
        "Docker Hub personal and organisation access tokens (dckr_pat_, dckr_oat_)";
    TelegramBotToken => "telegram-bot-token",
        "Telegram bot token (<bot id>:AA + 33 characters)";
    Jwt => "jwt",
        "JSON Web Token (eyJ...header.eyJ...payload.signature)";
    OnePasswordToken => "1password-token",
        "1Password secret key (A3-...) and service-account token (ops_eyJ...)";
    PrefectApiKey => "prefect-api-key",
        "Prefect Cloud API key (pnu_ + 36 alphanumerics)";
    ReadmeApiKey => "readme-api-key",
        "ReadMe API key (rdme_ + 70 lower-case alphanumerics)";
    RubygemsApiKey => "rubygems-api-key",
        "RubyGems API key (rubygems_ + 48 hex)";
    PlanetscaleToken => "planetscale-token",
        "PlanetScale service token, OAuth token and password (pscale_tkn_, pscale_oauth_, pscale_pw_)";
    ShippoApiKey => "shippo-api-key",
        "Shippo live and test API keys (shippo_live_, shippo_test_ + 40 hex)";
    SettlemintToken => "settlemint-token",
        "SettleMint application, personal and service access tokens (sm_aat_, sm_pat_, sm_sat_)";
    NotionApiKey => "notion-api-key",
        "Notion integration token (ntn_ + 46 alphanumerics)";
    SourcegraphToken => "sourcegraph-token",
        "Sourcegraph access token (sgp_ + optional instance part + 40 hex)";
    ClojarsToken => "clojars-token",
        "Clojars deploy token (CLOJARS_ + 60 alphanumerics)";
    DuffelApiKey => "duffel-api-key",
        "Duffel live and test access tokens (duffel_live_, duffel_test_)";
    FlyioToken => "flyio-token",
        "Fly.io access, macaroon and deploy tokens (fo1_, fm1a_, fm1r_, fm2_)";
    SendinblueApiKey => "sendinblue-api-key",
        "Brevo (Sendinblue) API key (xkeysib- + 64 hex + - + 16 alphanumerics)";
    PostmanApiKey => "postman-api-key",
        "Postman API key (PMAK- + 24 hex + - + 34 hex)";
    PulumiToken => "pulumi-token",
        "Pulumi access token (pul- + 40 hex)";
    InfracostApiKey => "infracost-api-key",
        "Infracost API key (ico- + 32 alphanumerics)";
    FrameioToken => "frameio-token",
        "Frame.io developer token (fio-u- + 64 characters)";
    AdobeClientSecret => "adobe-client-secret",
        "Adobe client secret (p8e- + 32 alphanumerics)";
    ScalingoToken => "scalingo-token",
        "Scalingo API token (tk-us- + 48 characters)";
    SquareToken => "square-token",
        "Square access token and OAuth secret (EAAA..., sq0atp-, sq0csp-)";
    FlutterwaveKey => "flutterwave-key",
        "Flutterwave secret, public and encryption keys (FLWSECK-, FLWSECK_TEST-, FLWPUBK-, FLWPUBK_TEST-)";
    Intra42Secret => "intra42-client-secret",
        "42 Intra client secret (s-s4t2ud-, s-s4t2af- + 64 hex)";
    DynatraceToken => "dynatrace-token",
        "Dynatrace API token (dt0c01. + 24 + . + 64 alphanumerics)";
    CloudflareOriginCaKey => "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key (v1.0- + 24 hex + - + 146 hex)";
    HarnessApiKey => "harness-api-key",
        "Harness personal and service-account tokens (pat. / sat. + 22 + . + 24 + . + 20)";
    TerraformCloudToken => "terraform-cloud-token",
        "HashiCorp Terraform Cloud / Enterprise API token (<14>.atlasv1.<60-70>)";
    AirtableToken => "airtable-token",
        "Airtable personal access token (pat + 14 alphanumerics + . + 64 hex)";
    AwsBedrockApiKey => "aws-bedrock-api-key",
        "Amazon Bedrock API keys, long-lived (ABSK...) and short-lived (bedrock-api-key-...)";
    AlibabaAccessKeyId => "alibaba-access-key-id",
        "Alibaba Cloud AccessKey ID (LTAI + 20 alphanumerics)";
    EasypostApiKey => "easypost-api-key",
        "EasyPost production and test API keys (EZAK, EZTK + 54 alphanumerics)";
    FacebookAccessToken => "facebook-access-token",
        "Facebook (Meta) user and page access tokens (EAAC..., EAAM..., 100+ alphanumerics) and app access tokens (15-16 digit app id | app secret)";
    AzureAdClientSecret => "azure-ad-client-secret",
        "Microsoft Entra ID (Azure AD) client secret (3 characters, a digit, Q~, then 31-34 characters)";
    OpenshiftToken => "openshift-token",
        "OpenShift user token (sha256~ + 43 characters)";
    GitlabSessionCookie => "gitlab-session-cookie",
        "GitLab session cookie (_gitlab_session=)";
    MailchimpApiKey => "mailchimp-api-key",
        "Mailchimp API key (32 hex + -us + data centre number)";
    DiscordBotToken => "discord-bot-token",
        "Discord bot token (base64 user id . 6 . 27+ characters)";
    MailgunApiKey => "mailgun-api-key",
        "Mailgun private and public API keys (key-, pubkey- + 32 hex)";
    AtlassianToken => "atlassian-token",
        "Atlassian API token (ATATT3 + 186 characters)";
    BitbucketAppPassword => "bitbucket-app-password",
        "Bitbucket app password (ATBB + 32 alphanumerics)";
    SupabaseToken => "supabase-token",
        "Supabase personal access token and secret key (sbp_ + 40 hex, sb_secret_)";
    NewRelicKey => "new-relic-key",
        "New Relic user, browser and insert keys (NRAK-, NRJS-, NRII-)";
    XaiApiKey => "xai-api-key",
        "xAI API key (xai- + 80 alphanumerics)";
    GroqApiKey => "groq-api-key",
        "Groq API key (gsk_ + 52 alphanumerics)";
    ReplicateToken => "replicate-token",
        "Replicate API token (r8_ + 37 alphanumerics)";
    OpenrouterApiKey => "openrouter-api-key",
        "OpenRouter API key (sk-or-v1- + 64 hex)";
    TavilyApiKey => "tavily-api-key",
        "Tavily API key (tvly-, tvly-dev-, tvly-prod-)";
    LangsmithApiKey => "langsmith-api-key",
        "LangSmith personal and service keys (lsv2_pt_, lsv2_sk_)";
    PineconeApiKey => "pinecone-api-key",
        "Pinecone API key (pcsk_)";
    NeonApiKey => "neon-api-key",
        "Neon API key (napi_ + 64 lower-case alphanumerics)";
    ResendApiKey => "resend-api-key",
        "Resend API key (re_ + 8 + _ + 24 alphanumerics)";
    FigmaToken => "figma-token",
        "Figma personal access token (figd_)";
    NetlifyToken => "netlify-token",
        "Netlify personal access token (nfp_ + 36 alphanumerics)";
    BuildkiteToken => "buildkite-token",
        "Buildkite user access token (bkua_ + 40 hex)";
    CircleciToken => "circleci-token",
        "CircleCI personal API token (CCIPAT_)";
    RenderApiKey => "render-api-key",
        "Render API key (rnd_ + 32 alphanumerics)";
    MapboxSecretToken => "mapbox-secret-token",
        "Mapbox secret access token (sk.eyJ...); pk. tokens are public";
    SentryDsn => "sentry-dsn",
        "Sentry DSN key (https://<32 hex>@o1.ingest.sentry.io/1): the key is redacted, host and project are kept";
    AzureStorageKey => "azure-storage-key",
        "Azure storage account key in a connection string (AccountKey=...)";
    NpmrcAuth => "npmrc-auth",
        ".npmrc registry credential (//registry/:_authToken=, :_auth=, :_password=)";
    KubernetesSecret => "kubernetes-secret",
        "Every value under data: or stringData: of a Kubernetes Secret (YAML or JSON), whatever its key";
    NetrcPassword => "netrc-password",
        "Password of a .netrc entry (machine <host> login <user> password <password>)";
    SessionCookie => "session-cookie",
        "Session and auth cookies in Cookie / Set-Cookie headers (sessionid, connect.sid, PHPSESSID, ...) and any random-looking cookie value";
    UrlPassword => "url-password",
        "Password in URL userinfo (scheme://user:password@host): scheme, user and host are kept";
    AuthorizationHeader => "authorization-header",
        "Credential of an Authorization or Proxy-Authorization header (Bearer, Basic, token, ...): the scheme is kept";
    BearerToken => "bearer-token",
        "Bearer <token> outside an Authorization header";
    ApiKeyHeader => "api-key-header",
        "API key and token HTTP headers (X-Api-Key:, Api-Key:, X-Auth-Token:, Private-Token:, ...)";
    CliPassword => "cli-password",
        "Password on a client's command line: mysql/mariadb -p<password>, redis-cli -a, sshpass -p, docker/podman/helm login -p";
    CurlBasicAuth => "curl-basic-auth",
        "Password of curl -u / --user user:password";
    AwsSecretAccessKey => "aws-secret-access-key",
        "AWS secret access key (40 characters) after an aws_secret_access_key-like name or right after an access key id";
    GenericSecret => "generic-secret",
        "Value assigned to a secret-looking name (password, secret, token, api_key, credentials, ...) in key=value, key: value, \"key\": \"value\" or --flag value form";
}

impl Rule {
    pub(crate) fn id(self) -> &'static str {
        RULES[self as usize].id
    }
}
