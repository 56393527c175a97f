//! Credentials from the profile -> an authenticated BigQuery client; every failure says
//! what was tried and never quotes key material.

use std::path::PathBuf;
use std::sync::Arc;

use gcp_bigquery_client::Client;
use gcp_bigquery_client::auth::Authenticator;
use gcp_bigquery_client::client_builder::ClientBuilder;
use gcp_bigquery_client::error::BQError;
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

/// A fixed bearer token: the emulator checks none.
#[derive(Clone)]
struct NoToken;

#[async_trait::async_trait]
impl Authenticator for NoToken {
    async fn access_token(&self) -> Result<String, BQError> {
        Ok("emulator".to_string())
    }
}

/// Builds the client for `credentials`; `http` carries xform's timeouts.
pub async fn client(credentials: &Credentials, http: reqwest::Client) -> Result<Client, AuthError> {
    let mut builder = ClientBuilder::new();
    builder.with_client(http);
    let failed = |e: BQError| AuthError::Failed(e.to_string());
    match credentials {
        Credentials::Emulator(url) => {
            builder.with_v2_base_url(format!("{url}/bigquery/v2"));
            builder
                .build_from_authenticator(Arc::new(NoToken))
                .await
                .map_err(failed)
        }
        Credentials::KeyFile(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| AuthError::KeyFileUnreadable(e.to_string()))?;
            let key = service_account_key(&text, "keyfile")?;
            builder
                .build_from_service_account_key(key, false)
                .await
                .map_err(failed)
        }
        Credentials::KeyJson(text) => {
            let key = service_account_key(text, "keyfile_json")?;
            builder
                .build_from_service_account_key(key, false)
                .await
                .map_err(failed)
        }
        Credentials::Oauth => {
            let tried = adc_sources();
            if tried.iter().all(|(_, found)| !found) {
                let list: Vec<String> = tried.into_iter().map(|(what, _)| what).collect();
                return Err(AuthError::NoCredentials(list.join("; ")));
            }
            builder
                .build_from_application_default_credentials()
                .await
                .map_err(failed)
        }
    }
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
    let gcloud = std::env::var_os("CLOUDSDK_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/gcloud")))
        .map(|d| d.join("application_default_credentials.json"));
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
