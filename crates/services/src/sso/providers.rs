//! The single sign-on providers as configured (a file or the environment), with an HTTP client
//! that follows no redirects and each provider's discovery document and keys while fresh.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::IssuerUrl;
use serde::Deserialize;

use crate::{Result, ServiceError};

/// A provider's discovery document, with its end-session address (RP-initiated logout).
pub(super) type Metadata = openidconnect::ProviderMetadataWithLogout;

/// How long a provider's discovery document and keys are used before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(10 * 60);

/// One provider, as configured.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    /// In the addresses: `/inloggen/sso/{id}`.
    pub id: String,
    /// On the button: "Inloggen met Entree".
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that holds the e-mail address.
    #[serde(default = "default_email_claim")]
    pub email_claim: String,
    /// Trust the address without an `email_verified` claim (a provider that only hands out
    /// addresses it verified, and says so in its contract, not in the token).
    #[serde(default)]
    pub trust_email: bool,
    /// The address domains this provider may vouch for (a federation's member institutions may
    /// otherwise assert any address); empty: any.
    #[serde(default)]
    pub domains: Vec<String>,
}

impl Provider {
    /// Whether the provider may vouch for `email`: its domain, or a subdomain of one, is listed.
    pub fn speaks_for(&self, email: &str) -> bool {
        let Some((_, domain)) = email.rsplit_once('@') else { return false };
        self.domains.is_empty()
            || self.domains.iter().any(|d| {
                let d = d.trim().trim_start_matches('@').to_lowercase();
                domain == d || domain.ends_with(&format!(".{d}"))
            })
    }
}

/// A list in one environment variable: separated by spaces or commas.
fn words(s: &str) -> Vec<String> {
    s.split([' ', ',']).filter(|x| !x.is_empty()).map(String::from).collect()
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"].map(String::from).to_vec()
}

fn default_email_claim() -> String {
    "email".into()
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    provider: Vec<Provider>,
}

/// The configured providers, an HTTP client that follows no redirects (no SSRF through a
/// provider's answers), and each provider's metadata while it is fresh.
#[derive(Default)]
pub struct Providers {
    pub list: Vec<Provider>,
    pub(super) http: reqwest::Client,
    metadata: Mutex<HashMap<String, (Instant, Metadata)>>,
    /// When each provider's keys were last fetched again for an unknown key.
    refetched: Mutex<HashMap<String, Instant>>,
}

impl Providers {
    pub fn new(list: Vec<Provider>) -> Result<Providers, String> {
        let mut seen = std::collections::HashSet::new();
        for p in &list {
            let ok_id =
                !p.id.is_empty() && p.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok_id {
                return Err(format!("OIDC-provider \"{}\": een id bestaat uit kleine letters, cijfers en '-'", p.id));
            }
            if !seen.insert(p.id.clone()) {
                return Err(format!("OIDC-provider \"{}\" staat er twee keer in", p.id));
            }
            IssuerUrl::new(p.issuer.clone()).map_err(|e| format!("OIDC-provider \"{}\": issuer {e}", p.id))?;
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Providers { list, http, metadata: Mutex::default(), refetched: Mutex::default() })
    }

    /// From the TOML file `STERK_OIDC_FILE` (`[[provider]]` tables) and the environment
    /// (`STERK_OIDC_{ID}_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_NAME`, `_SCOPES`, `_EMAIL_CLAIM`,
    /// `_TRUST_EMAIL`; `{ID}` in capitals, `_` for `-`).
    pub fn from_env() -> Result<Providers, String> {
        let mut list = Vec::new();
        if let Ok(path) = std::env::var("STERK_OIDC_FILE")
            && !path.trim().is_empty()
        {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("STERK_OIDC_FILE {path}: {e}"))?;
            let file: File = toml::from_str(&text).map_err(|e| format!("STERK_OIDC_FILE {path}: {e}"))?;
            list.extend(file.provider);
        }
        let vars: HashMap<String, String> = std::env::vars().collect();
        let mut ids: Vec<&str> =
            vars.keys().filter_map(|k| k.strip_prefix("STERK_OIDC_")?.strip_suffix("_ISSUER")).collect();
        ids.sort_unstable();
        for id in ids {
            let get = |what: &str| vars.get(&format!("STERK_OIDC_{id}_{what}")).filter(|v| !v.trim().is_empty());
            let slug = id.to_lowercase().replace('_', "-");
            list.push(Provider {
                name: get("NAME").cloned().unwrap_or_else(|| format!("Inloggen met {slug}")),
                issuer: get("ISSUER").cloned().unwrap_or_default(),
                client_id: get("CLIENT_ID").cloned().ok_or_else(|| format!("STERK_OIDC_{id}_CLIENT_ID ontbreekt"))?,
                client_secret: get("CLIENT_SECRET").cloned(),
                scopes: get("SCOPES").map_or_else(default_scopes, |s| words(s)),
                email_claim: get("EMAIL_CLAIM").cloned().unwrap_or_else(default_email_claim),
                trust_email: get("TRUST_EMAIL").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "ja")),
                domains: get("DOMAINS").map_or_else(Vec::new, |s| words(s)),
                id: slug,
            });
        }
        Providers::new(list)
    }

    /// Whether the keys may be fetched again for an unknown key (at most once a minute: a stream of
    /// forged tokens does not become a stream of requests to the provider).
    pub(super) fn may_refetch(&self, id: &str) -> bool {
        let mut last = self.refetched.lock().expect("refetch times");
        let due = last.get(id).is_none_or(|at| at.elapsed() >= Duration::from_secs(60));
        if due {
            last.insert(id.to_owned(), Instant::now());
        }
        due
    }

    pub(super) fn get(&self, id: &str) -> Result<&Provider> {
        self.list.iter().find(|p| p.id == id).ok_or(ServiceError::NotFound)
    }

    /// The provider's discovery document and keys: cached, or fetched when stale or `fresh`.
    pub(super) async fn metadata(&self, p: &Provider, fresh: bool) -> Result<Metadata> {
        if !fresh
            && let Some((at, m)) = self.metadata.lock().expect("metadata cache").get(&p.id)
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(p.issuer.clone()).map_err(|e| unreachable_provider(p, &e.to_string()))?;
        let m =
            Metadata::discover_async(issuer, &self.http).await.map_err(|e| unreachable_provider(p, &e.to_string()))?;
        self.metadata.lock().expect("metadata cache").insert(p.id.clone(), (Instant::now(), m.clone()));
        Ok(m)
    }
}

fn unreachable_provider(p: &Provider, detail: &str) -> ServiceError {
    tracing::warn!("OIDC provider {} not usable: {detail}", p.id);
    ServiceError::NotAllowed(format!(
        "{} is nu niet bereikbaar. Probeer het later opnieuw of log in met uw wachtwoord.",
        p.name
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_provider_speaks_only_for_its_domains_and_their_subdomains() {
        let p = super::Provider {
            id: "x".into(),
            name: "X".into(),
            issuer: "https://idp.example".into(),
            client_id: "c".into(),
            client_secret: None,
            scopes: Vec::new(),
            email_claim: "email".into(),
            trust_email: false,
            domains: vec!["school.nl".into()],
        };
        assert!(p.speaks_for("a@school.nl") && p.speaks_for("a@vmbo.school.nl"));
        assert!(
            !p.speaks_for("a@evilschool.nl") && !p.speaks_for("a@school.nl.evil.example") && !p.speaks_for("school.nl")
        );
        assert!(super::Provider { domains: Vec::new(), ..p }.speaks_for("a@anything.example"));
    }
}
