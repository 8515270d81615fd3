//! JWT checks. The algorithm comes from configuration, never from the token's header: a
//! token signed with another algorithm (or `alg: none`) is refused like a bad signature.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::permissions::Role;

/// The claims zhenggai reads. `unit` is a unit code, required for `unit` and `leader`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Missing is refused by name, not as a malformed token.
    #[serde(default)]
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// More unit codes the caller acts for (a leader's 分管 units), for identity providers
    /// that carry them; the people directory, when it has the `sub`, wins over both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<String>>,
    /// Required too; the verifier names it when missing.
    #[serde(default)]
    pub exp: i64,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
}

/// `aud` is one string or a list of them (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl From<&str> for Audience {
    fn from(aud: &str) -> Audience {
        Audience::One(aud.to_string())
    }
}

/// A verified caller: who, in which role, for which unit (by code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub sub: String,
    pub name: Option<String>,
    pub role: Role,
    pub unit_code: Option<String>,
    /// The `units` claim's codes.
    pub unit_codes: Vec<String>,
}

/// Why a token was refused. The message says why, never which key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token signature is invalid")]
    BadSignature,
    #[error("the token is signed with an algorithm this service does not accept")]
    WrongAlgorithm,
    #[error("the token was issued by an unexpected issuer")]
    WrongIssuer,
    #[error("the token is meant for another audience")]
    WrongAudience,
    #[error("the token lacks a required claim: {0}")]
    MissingClaim(&'static str),
    #[error("the token's role is not one of admin, office, unit, leader, supervisor, viewer")]
    UnknownRole,
    #[error("a unit or leader token must name its unit (`unit`, or `units`)")]
    UnitRequired,
    #[error(
        "the token's header names critical extensions (crit) this service does not understand"
    )]
    CriticalExtension,
    #[error("the token is valid for more than 366 days; ask for a shorter-lived one")]
    TooLongLived,
}

impl TokenError {
    /// The refusal, as the catalogues tell it.
    pub fn text(&self) -> crate::i18n::Text {
        use crate::text;
        match self {
            TokenError::Malformed => text!("token-malformed"),
            TokenError::Expired => text!("token-expired"),
            TokenError::NotYetValid => text!("token-not-yet-valid"),
            TokenError::BadSignature => text!("token-bad-signature"),
            TokenError::WrongAlgorithm => text!("token-wrong-algorithm"),
            TokenError::WrongIssuer => text!("token-wrong-issuer"),
            TokenError::WrongAudience => text!("token-wrong-audience"),
            TokenError::MissingClaim(claim) => text!("token-missing-claim", claim = *claim),
            TokenError::UnknownRole => text!("token-unknown-role"),
            TokenError::UnitRequired => text!("token-unit-required"),
            TokenError::CriticalExtension => text!("token-critical-extension"),
            TokenError::TooLongLived => text!("token-too-long-lived"),
        }
    }
}

/// The longest a token may still be valid: what `zhenggai token --ttl` allows.
pub const MAX_LIFETIME_SECS: i64 = 366 * 86_400;

/// RFC 7515 §4.1.11: a header whose `crit` lists extensions must be refused unless they
/// are understood, and this service understands none.
fn names_critical_extensions(token: &str) -> bool {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let Some(header) = token.split('.').next() else {
        return false;
    };
    URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|h| h.get("crit").is_some())
}

#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway_secs: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot use the JWT key: {0}")]
pub struct KeyError(String);

pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    pub fn hs256(secret: &[u8], options: &VerifyOptions) -> Verifier {
        Verifier::with(DecodingKey::from_secret(secret), Algorithm::HS256, options)
    }

    /// A public key in PEM (as a government identity provider publishes it): RSA → RS256,
    /// P-256 → ES256.
    pub fn from_public_pem(pem: &[u8], options: &VerifyOptions) -> Result<Verifier, KeyError> {
        if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            return Ok(Verifier::with(key, Algorithm::RS256, options));
        }
        DecodingKey::from_ec_pem(pem)
            .map(|key| Verifier::with(key, Algorithm::ES256, options))
            .map_err(|e| KeyError(format!("not an RSA or P-256 public key in PEM ({e})")))
    }

    fn with(key: DecodingKey, algorithm: Algorithm, options: &VerifyOptions) -> Verifier {
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.leeway = options.leeway_secs;
        validation.validate_nbf = true;
        // A configured issuer or audience must be present, not merely right when present.
        let mut required = vec!["exp", "sub"];
        if options.issuer.is_some() {
            required.push("iss");
        }
        if options.audience.is_some() {
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        match &options.issuer {
            Some(iss) => validation.set_issuer(&[iss]),
            None => validation.iss = None,
        }
        match &options.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        Verifier { key, validation }
    }

    pub fn algorithm(&self) -> Algorithm {
        self.validation.algorithms[0]
    }

    pub fn verify(&self, token: &str) -> Result<Identity, TokenError> {
        if names_critical_extensions(token) {
            return Err(TokenError::CriticalExtension);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    TokenError::WrongAlgorithm
                }
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::MissingRequiredClaim(c) => TokenError::MissingClaim(
                    ["exp", "sub", "iss", "aud", "nbf"]
                        .into_iter()
                        .find(|known| known == c)
                        .unwrap_or("a registered claim"),
                ),
                _ => TokenError::Malformed,
            },
        )?;
        if data.claims.exp - chrono::Utc::now().timestamp() > MAX_LIFETIME_SECS {
            return Err(TokenError::TooLongLived);
        }
        identity(data.claims)
    }
}

fn identity(claims: Claims) -> Result<Identity, TokenError> {
    let role = claims
        .role
        .as_deref()
        .ok_or(TokenError::MissingClaim("role"))?;
    let role = Role::parse(role).ok_or(TokenError::UnknownRole)?;
    let unit_code = claims.unit.filter(|u| !u.trim().is_empty());
    let unit_codes: Vec<String> = claims
        .units
        .unwrap_or_default()
        .into_iter()
        .filter(|u| !u.trim().is_empty())
        .collect();
    if role.is_unit_scoped() && unit_code.is_none() && unit_codes.is_empty() {
        return Err(TokenError::UnitRequired);
    }
    if claims.sub.trim().is_empty() {
        return Err(TokenError::MissingClaim("sub"));
    }
    Ok(Identity {
        sub: claims.sub,
        name: claims.name,
        role,
        unit_code,
        unit_codes,
    })
}

/// Signs tokens for `zhenggai token`: HS256 with the shared secret, or RS256/ES256 with a
/// private key in PEM.
pub enum Signer {
    Secret(Vec<u8>),
    PrivatePem(Vec<u8>),
}

impl Signer {
    pub fn sign(&self, claims: &Claims) -> Result<String, KeyError> {
        let (header, key) = match self {
            Signer::Secret(secret) => (
                Header::new(Algorithm::HS256),
                EncodingKey::from_secret(secret),
            ),
            Signer::PrivatePem(pem) => match EncodingKey::from_rsa_pem(pem) {
                Ok(key) => (Header::new(Algorithm::RS256), key),
                Err(_) => (
                    Header::new(Algorithm::ES256),
                    EncodingKey::from_ec_pem(pem)
                        .map_err(|e| KeyError(format!("not an RSA or P-256 private key ({e})")))?,
                ),
            },
        };
        jsonwebtoken::encode(&header, claims, &key).map_err(|e| KeyError(e.to_string()))
    }
}

/// A lifetime like `8h`, `30m`, `7d`, `90s` or plain seconds, in seconds.
pub fn parse_ttl(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(format!("{text:?}: use s, m, h or d (e.g. 8h)")),
    };
    match number.parse::<i64>() {
        Ok(n) if n > 0 && n <= 366 * 86_400 / scale => Ok(n * scale),
        _ => Err(format!(
            "{text:?} is not a lifetime between 1s and 366d (e.g. 8h)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    const RSA_PUBLIC: &[u8] = include_bytes!("../../tests/fixtures/rsa-public.pem");
    const RSA_PRIVATE: &[u8] = include_bytes!("../../tests/fixtures/rsa-private.pem");
    const EC_PUBLIC: &[u8] = include_bytes!("../../tests/fixtures/ec-public.pem");
    const EC_PRIVATE: &[u8] = include_bytes!("../../tests/fixtures/ec-private.pem");
    const SECRET: &[u8] = b"a-test-secret-of-thirty-two-bytes!";

    #[test]
    fn lifetimes_read_like_people_write_them() {
        assert_eq!(parse_ttl("8h"), Ok(8 * 3600));
        assert_eq!(parse_ttl("30m"), Ok(1800));
        assert_eq!(parse_ttl("7d"), Ok(7 * 86_400));
        assert_eq!(parse_ttl("90"), Ok(90));
        assert_eq!(parse_ttl("90s"), Ok(90));
        for bad in ["", "0h", "-1h", "8w", "h", "400d", "99999999999999999999"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn claims(role: &str, unit: Option<&str>) -> Claims {
        Claims {
            sub: "zhk-li".into(),
            name: Some("李科长".into()),
            role: Some(role.into()),
            unit: unit.map(String::from),
            units: None,
            exp: now() + 3600,
            iat: Some(now()),
            nbf: None,
            iss: None,
            aud: None,
        }
    }

    fn hs() -> Verifier {
        Verifier::hs256(SECRET, &VerifyOptions::default())
    }

    fn sign(claims: &Claims) -> String {
        Signer::Secret(SECRET.to_vec()).sign(claims).unwrap()
    }

    #[test]
    fn a_good_token_names_who_and_which_unit() {
        let id = hs()
            .verify(&sign(&claims("unit", Some("JRB-ZHK"))))
            .unwrap();
        assert_eq!(id.role, Role::Unit);
        assert_eq!(id.unit_code.as_deref(), Some("JRB-ZHK"));
        assert_eq!(id.sub, "zhk-li");
    }

    #[test]
    fn rs256_and_es256_public_keys_verify_their_own_tokens() {
        for (public, private, alg) in [
            (RSA_PUBLIC, RSA_PRIVATE, Algorithm::RS256),
            (EC_PUBLIC, EC_PRIVATE, Algorithm::ES256),
        ] {
            let verifier = Verifier::from_public_pem(public, &VerifyOptions::default()).unwrap();
            assert_eq!(verifier.algorithm(), alg);
            let token = Signer::PrivatePem(private.to_vec())
                .sign(&claims("office", None))
                .unwrap();
            assert_eq!(verifier.verify(&token).unwrap().role, Role::Office);
        }
    }

    #[test]
    fn algorithm_substitution_and_none_are_refused() {
        let rs = Verifier::from_public_pem(RSA_PUBLIC, &VerifyOptions::default()).unwrap();
        // HS256 signed with the public key's bytes as the secret: the classic confusion.
        let forged = Signer::Secret(RSA_PUBLIC.to_vec())
            .sign(&claims("admin", None))
            .unwrap();
        assert_eq!(rs.verify(&forged), Err(TokenError::WrongAlgorithm));
        let es = Signer::PrivatePem(EC_PRIVATE.to_vec())
            .sign(&claims("admin", None))
            .unwrap();
        assert_eq!(rs.verify(&es), Err(TokenError::WrongAlgorithm));
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("admin", None)).unwrap());
        for header in [r#"{"alg":"none","typ":"JWT"}"#, r#"{"alg":"None"}"#] {
            let token = format!("{}.{body}.", URL_SAFE_NO_PAD.encode(header));
            assert!(
                matches!(
                    hs().verify(&token),
                    Err(TokenError::WrongAlgorithm | TokenError::Malformed)
                ),
                "{header}"
            );
        }
    }

    #[test]
    fn bad_signatures_and_garbage_are_refused() {
        let other = Signer::Secret(b"another-secret-another-secret-32".to_vec())
            .sign(&claims("admin", None))
            .unwrap();
        assert_eq!(hs().verify(&other), Err(TokenError::BadSignature));
        let mut tampered = sign(&claims("viewer", None));
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("admin", None)).unwrap());
        let parts: Vec<&str> = tampered.split('.').collect();
        tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
        assert_eq!(hs().verify(&tampered), Err(TokenError::BadSignature));
        for garbage in ["", "abc", "a.b.c", "Bearer x"] {
            assert_eq!(
                hs().verify(garbage),
                Err(TokenError::Malformed),
                "{garbage}"
            );
        }
    }

    #[test]
    fn time_claims_are_enforced_with_leeway() {
        let mut expired = claims("admin", None);
        expired.exp = now() - 120;
        assert_eq!(hs().verify(&sign(&expired)), Err(TokenError::Expired));
        let lenient = Verifier::hs256(
            SECRET,
            &VerifyOptions {
                leeway_secs: 300,
                ..Default::default()
            },
        );
        assert!(lenient.verify(&sign(&expired)).is_ok());
        let mut early = claims("admin", None);
        early.nbf = Some(now() + 600);
        assert_eq!(hs().verify(&sign(&early)), Err(TokenError::NotYetValid));
    }

    #[test]
    fn issuer_and_audience_are_enforced_when_configured() {
        let strict = Verifier::hs256(
            SECRET,
            &VerifyOptions {
                issuer: Some("gov-idp".into()),
                audience: Some("zhenggai".into()),
                leeway_secs: 0,
            },
        );
        let mut good = claims("office", None);
        good.iss = Some("gov-idp".into());
        good.aud = Some("zhenggai".into());
        assert!(strict.verify(&sign(&good)).is_ok());
        let mut wrong_iss = good.clone();
        wrong_iss.iss = Some("someone-else".into());
        assert_eq!(
            strict.verify(&sign(&wrong_iss)),
            Err(TokenError::WrongIssuer)
        );
        let mut wrong_aud = good.clone();
        wrong_aud.aud = Some("other-system".into());
        assert_eq!(
            strict.verify(&sign(&wrong_aud)),
            Err(TokenError::WrongAudience)
        );
        let mut listed = good.clone();
        listed.aud = Some(Audience::Many(vec!["other".into(), "zhenggai".into()]));
        assert!(strict.verify(&sign(&listed)).is_ok());
        let mut no_iss = good.clone();
        no_iss.iss = None;
        assert_eq!(
            strict.verify(&sign(&no_iss)),
            Err(TokenError::MissingClaim("iss"))
        );
        let mut no_aud = good.clone();
        no_aud.aud = None;
        assert_eq!(
            strict.verify(&sign(&no_aud)),
            Err(TokenError::MissingClaim("aud"))
        );
    }

    #[test]
    fn role_and_unit_claims_are_required_where_they_matter() {
        let mut no_role = claims("admin", None);
        no_role.role = None;
        assert_eq!(
            hs().verify(&sign(&no_role)),
            Err(TokenError::MissingClaim("role"))
        );
        assert_eq!(
            hs().verify(&sign(&claims("root", None))),
            Err(TokenError::UnknownRole)
        );
        assert_eq!(
            hs().verify(&sign(&claims("unit", None))),
            Err(TokenError::UnitRequired)
        );
        assert_eq!(
            hs().verify(&sign(&claims("leader", Some("  ")))),
            Err(TokenError::UnitRequired)
        );
        assert!(hs().verify(&sign(&claims("viewer", None))).is_ok());
    }
}
