//! Credentials from the profile -> an authenticated BigQuery client; every failure says
//! what was tried and never quotes key material.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use gcp_bigquery_client::Client;
use gcp_bigquery_client::auth::Authenticator;
use gcp_bigquery_client::client_builder::ClientBuilder;
use gcp_bigquery_client::error::BQError;
use gcp_bigquery_client::yup_oauth2;
use gcp_bigquery_client::yup_oauth2::authenticator::ApplicationDefaultCredentialsTypes;
use serde_json::Value as Json;

use super::settings::Credentials;

/// Why no client could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the keyfile named in the profile cannot be read: {0}")]
    KeyFileUnreadable(String),
    #[error("the {0} is not JSON: {1}")]
    KeyNotJson(&'static str, String),
    #[error(
        "the {what} is not a service account key (its type is `{found}`); create a key for \
         a service account in the Google Cloud console, or use method: oauth"
    )]
    NotServiceAccount { what: &'static str, found: String },
    #[error("the {what} lacks `{field}`, which every service account key has")]
    KeyIncomplete {
        what: &'static str,
        field: &'static str,
    },
    #[error("no Google Cloud credentials found; tried: {0}")]
    NoCredentials(String),
    #[error("BigQuery authentication failed: {0}")]
    Failed(String),
}

/// The OAuth scope xform asks for: BigQuery read-write, as dbt-bigquery does.
const SCOPE: &str = "https://www.googleapis.com/auth/bigquery";

type TokenFuture = Pin<Box<dyn Future<Output = Result<String, BQError>> + Send>>;

/// Where access tokens come from. One source serves the gcp client and xform's own REST
/// calls (tables.get/patch, whose schema JSON the client's typed models would trim).
#[derive(Clone)]
pub struct TokenSource(Arc<dyn Fn() -> TokenFuture + Send + Sync>);

impl TokenSource {
    pub async fn token(&self) -> Result<String, BQError> {
        (self.0)().await
    }
}

#[async_trait::async_trait]
impl Authenticator for TokenSource {
    async fn access_token(&self) -> Result<String, BQError> {
        self.token().await
    }
}

/// A token source over a yup-oauth2 authenticator (a macro, so its connector type need
/// not be named).
macro_rules! yup_source {
    ($auth:expr) => {{
        let auth = $auth;
        TokenSource(Arc::new(move || {
            let auth = auth.clone();
            Box::pin(async move {
                let token = auth.token(&[SCOPE]).await.map_err(BQError::from)?;
                token.token().map(str::to_string).ok_or(BQError::NoToken)
            })
        }))
    }};
}

/// Builds the client for `credentials` and the token source behind it; `http` carries
/// xform's timeouts.
pub async fn client(
    credentials: &Credentials,
    http: reqwest::Client,
) -> Result<(Client, TokenSource), AuthError> {
    let failed = |e: &dyn std::fmt::Display| AuthError::Failed(e.to_string());
    let mut builder = ClientBuilder::new();
    builder.with_client(http);
    let tokens = match credentials {
        Credentials::Emulator(url) => {
            builder.with_v2_base_url(format!("{url}/bigquery/v2"));
            // A fixed bearer token: the emulator checks none.
            TokenSource(Arc::new(|| Box::pin(async { Ok("emulator".to_string()) })))
        }
        Credentials::KeyFile(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| AuthError::KeyFileUnreadable(e.to_string()))?;
            service_account(&text, "keyfile").await?
        }
        Credentials::KeyJson(text) => service_account(text, "keyfile_json").await?,
        Credentials::Oauth => {
            let tried = adc_sources();
            if tried.iter().all(|(_, found)| !found) {
                let list: Vec<String> = tried.into_iter().map(|(what, _)| what).collect();
                return Err(AuthError::NoCredentials(list.join("; ")));
            }
            application_default().await?
        }
    };
    let client = builder
        .build_from_authenticator(Arc::new(tokens.clone()))
        .await
        .map_err(|e| failed(&e))?;
    Ok((client, tokens))
}

/// A service account's key, given as text under the profile key `named`.
async fn service_account(text: &str, named: &'static str) -> Result<TokenSource, AuthError> {
    let key = service_account_key(text, named)?;
    let auth = yup_oauth2::ServiceAccountAuthenticator::builder(key)
        .build()
        .await
        .map_err(|e| AuthError::Failed(e.to_string()))?;
    Ok(yup_source!(auth))
}

/// Application default credentials in gcloud's order: an `authorized_user` file (from
/// `gcloud auth application-default login`, or named by GOOGLE_APPLICATION_CREDENTIALS),
/// else a service account file or the metadata server.
async fn application_default() -> Result<TokenSource, AuthError> {
    let failed = |e: &dyn std::fmt::Display| AuthError::Failed(e.to_string());
    let file = std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS")
        .map(PathBuf::from)
        .or_else(|| gcloud_adc_file().filter(|p| p.exists()));
    if let Some(text) = file.and_then(|p| std::fs::read_to_string(p).ok()) {
        let json: Json = serde_json::from_str(&text)
            .map_err(|e| AuthError::KeyNotJson("ADC file", e.to_string()))?;
        if json.get("type").and_then(Json::as_str) == Some("authorized_user") {
            let secret: yup_oauth2::authorized_user::AuthorizedUserSecret =
                serde_json::from_value(json)
                    .map_err(|e| AuthError::KeyNotJson("ADC file", e.to_string()))?;
            return Ok(yup_source!(
                yup_oauth2::AuthorizedUserAuthenticator::builder(secret)
                    .build()
                    .await
                    .map_err(|e| failed(&e))?
            ));
        }
    }
    let opts = yup_oauth2::ApplicationDefaultCredentialsFlowOpts::default();
    let auth = match yup_oauth2::ApplicationDefaultCredentialsAuthenticator::builder(opts).await {
        ApplicationDefaultCredentialsTypes::InstanceMetadata(b) => b.build().await,
        ApplicationDefaultCredentialsTypes::ServiceAccount(b) => b.build().await,
    }
    .map_err(|e| failed(&e))?;
    Ok(yup_source!(auth))
}

fn gcloud_adc_file() -> Option<PathBuf> {
    std::env::var_os("CLOUDSDK_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/gcloud")))
        .map(|d| d.join("application_default_credentials.json"))
}

/// Checks the key's shape before handing it over, so a wrong file gets a plain answer.
fn service_account_key(
    text: &str,
    what: &'static str,
) -> Result<gcp_bigquery_client::yup_oauth2::ServiceAccountKey, AuthError> {
    // serde_json's messages give a position, never the text around it.
    let json: Json =
        serde_json::from_str(text).map_err(|e| AuthError::KeyNotJson(what, e.to_string()))?;
    let kind = json.get("type").and_then(Json::as_str).unwrap_or("none");
    if kind != "service_account" {
        return Err(AuthError::NotServiceAccount {
            what,
            found: kind.to_string(),
        });
    }
    for field in ["private_key", "client_email", "token_uri"] {
        if json.get(field).and_then(Json::as_str).is_none() {
            return Err(AuthError::KeyIncomplete { what, field });
        }
    }
    serde_json::from_value(json).map_err(|e| AuthError::KeyNotJson(what, e.to_string()))
}

/// Where application default credentials can come from, and whether each is there.
fn adc_sources() -> Vec<(String, bool)> {
    let env_file = std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS");
    let gcloud = gcloud_adc_file();
    let on_gce = std::env::var_os("GCE_METADATA_HOST").is_some()
        || std::path::Path::new("/sys/class/dmi/id/product_name").exists()
            && std::fs::read_to_string("/sys/class/dmi/id/product_name")
                .is_ok_and(|p| p.contains("Google"));
    vec![
        (
            "the GOOGLE_APPLICATION_CREDENTIALS variable (unset)".to_string(),
            env_file.is_some(),
        ),
        (
            match &gcloud {
                Some(p) => format!("gcloud's {} (missing)", p.display()),
                None => "gcloud's application_default_credentials.json (no HOME)".into(),
            },
            gcloud.as_ref().is_some_and(|p| p.exists()),
        ),
        (
            "the Compute Engine metadata server (not on Google Cloud)".to_string(),
            on_gce,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_service_accounts_are_named_plainly() {
        let e = service_account_key(r#"{"type": "authorized_user"}"#, "keyfile_json").unwrap_err();
        assert!(
            e.to_string().contains(
                "keyfile_json is not a service account key (its type is `authorized_user`)"
            ),
            "{e}"
        );
        let e = service_account_key(
            r#"{"type": "service_account", "private_key": "-----SECRETKEY", "token_uri": "x"}"#,
            "keyfile",
        )
        .unwrap_err();
        assert_eq!(
            e,
            AuthError::KeyIncomplete {
                what: "keyfile",
                field: "client_email"
            }
        );
        let e = service_account_key("{\"private_key\": \"SECRETKEY", "keyfile").unwrap_err();
        assert!(!e.to_string().contains("SECRETKEY"), "{e}");
    }
}
