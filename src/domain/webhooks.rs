//! Webhook rules, pure: which audit actions are announced as which event types, how a
//! delivery is signed, when it is retried, and which targets are allowed.

use std::net::IpAddr;

use crate::i18n::Text;
use crate::text;
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use sha2::Sha256;

/// The event types a subscription may name.
pub const EVENT_TYPES: &[&str] = &[
    "measure.due_soon",
    "measure.overdue",
    "measure.submitted",
    "measure.returned",
    "measure.closed",
    "measure.reopened",
    "measure.reminded",
    "measure.rechecked",
    "measure.handed_over",
    "finding.closed",
    "finding.listed",
    "finding.unlisted",
    "extension.requested",
    "extension.approved",
    "extension.rejected",
    "duty.behind",
    "duty.missed",
];

/// The event type an audit action is announced as, if any.
pub fn event_type(action: &str) -> Option<&'static str> {
    Some(match action {
        "measure.due_soon" => "measure.due_soon",
        "measure.overdue" => "measure.overdue",
        "measure.submit" => "measure.submitted",
        "measure.return" => "measure.returned",
        "measure.verify" => "measure.closed",
        "measure.reopen" => "measure.reopened",
        "measure.remind" => "measure.reminded",
        "measure.recheck" => "measure.rechecked",
        "measure.handover" => "measure.handed_over",
        "finding.list_supervision" => "finding.listed",
        "finding.unlist_supervision" => "finding.unlisted",
        "finding.closed" => "finding.closed",
        "extension.request" => "extension.requested",
        "extension.approve" => "extension.approved",
        "extension.reject" => "extension.rejected",
        "duty.behind" => "duty.behind",
        "duty.missed" => "duty.missed",
        _ => return None,
    })
}

/// `X-Zhenggai-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, unix: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{unix}.{body}").as_bytes());
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={unix},v1={digest}")
}

/// Seconds before attempt `attempts + 1`: 2, 4, 8 … capped at an hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    let exp = attempts.clamp(1, 12) as u32;
    (1i64 << exp).min(3600)
}

/// A hook that has failed for this long is disabled.
pub const DISABLE_AFTER_SECS: i64 = 24 * 3600;

/// Allowed delivery targets: host names, IP addresses and CIDR ranges
/// (`ZHENGGAI_WEBHOOK_ALLOW=10.0.0.0/8,hooks.example.gov.cn`). Nothing is allowed by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

impl Allowlist {
    pub fn parse(text: &str) -> Result<Allowlist, String> {
        let mut list = Allowlist::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if let Ok(net) = item.parse::<IpNet>() {
                list.nets.push(net);
            } else if let Ok(ip) = item.parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip));
            } else if item
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            {
                list.hosts.push(item.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "{item:?} is not a host name, IP address or CIDR range"
                ));
            }
        }
        Ok(list)
    }

    /// Whether a webhook may be sent to `url` (http or https, allowed host).
    pub fn permits(&self, url: &str) -> Result<(), Text> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(text!("webhook-url-scheme"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(text!("webhook-url-credentials"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']').ok_or(text!("webhook-url-bracket"))?;
                // Brackets hold an IPv6 address and nothing else (RFC 3986 §3.2.2).
                if host.parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(text!("webhook-url-ipv6", host = host));
                }
                (host, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            },
        };
        if let Some(port) = port {
            if port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(text!("webhook-url-port", port = port));
            }
        }
        let host = host.to_ascii_lowercase();
        let allowed = match host.parse::<IpAddr>() {
            Ok(ip) => self.nets.iter().any(|n| n.contains(&ip)),
            Err(_) => self.hosts.contains(&host),
        };
        if host.is_empty() || !allowed {
            return Err(text!("webhook-url-not-allowed", host = host));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_time_and_body() {
        // Reference value computed independently (Python: hmac.new(b"s3cret", b"1700000000.{}", sha256)).
        assert_eq!(
            signature("s3cret", 1_700_000_000, "{}"),
            "t=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
        );
        assert_ne!(signature("s3cret", 1, "{}"), signature("other", 1, "{}"));
    }

    #[test]
    fn retries_back_off_exponentially_and_cap() {
        assert_eq!(backoff_secs(1), 2);
        assert_eq!(backoff_secs(2), 4);
        assert_eq!(backoff_secs(5), 32);
        assert_eq!(backoff_secs(30), 3600);
    }

    #[test]
    fn only_allowed_targets() {
        let list = Allowlist::parse("10.0.0.0/8, 127.0.0.1, hooks.gov.example").unwrap();
        assert!(list.permits("http://10.2.3.4:8080/hook").is_ok());
        assert!(list.permits("https://hooks.gov.example/x").is_ok());
        assert!(list.permits("http://127.0.0.1:9000/").is_ok());
        assert!(list.permits("http://192.168.1.1/").is_err());
        assert!(list.permits("http://evil.example/").is_err());
        assert!(list.permits("ftp://10.0.0.1/").is_err());
        assert!(list.permits("http://user:pw@10.0.0.1/").is_err());
        assert!(list
            .permits("http://hooks.gov.example.evil.example/")
            .is_err());
        assert!(Allowlist::default().permits("http://127.0.0.1/").is_err());
        assert!(Allowlist::parse("not a host!").is_err());
        assert!(Allowlist::parse("[::1]").is_err());
        let v6 = Allowlist::parse("fd00::/8").unwrap();
        assert!(v6.permits("http://[fd00::1]:8443/h").is_ok());
        // An IPv4 address in brackets, or a port that is not one, is no URL at all.
        let lo = Allowlist::parse("127.0.0.0/8").unwrap();
        assert!(lo.permits("http://[127.0.0.5]:19150/x").is_err());
        assert!(lo.permits("http://127.0.0.5:99999/x").is_err());
        assert!(lo.permits("http://127.0.0.5:http/x").is_err());
        assert!(lo.permits("http://127.0.0.5:19150/x").is_ok());
    }

    #[test]
    fn announced_actions() {
        assert_eq!(event_type("measure.verify"), Some("measure.closed"));
        assert_eq!(event_type("extension.request"), Some("extension.requested"));
        assert_eq!(event_type("measure.report"), None);
    }
}
