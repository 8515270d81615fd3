//! What answers when no route matched: 405 with `Allow` when the path exists under another
//! method, 404 otherwise — both as problem+json.

use actix_web::{web, HttpRequest};

use crate::error::ApiError;
use crate::text;

/// Known path templates (`/api/v1/units/{id}`) and their methods.
pub struct RouteTable(pub Vec<(String, Vec<String>)>);

impl RouteTable {
    /// The methods allowed on `path`, if some template matches it.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        let path = path.trim_end_matches('/');
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                let parts: Vec<&str> = template.split('/').collect();
                parts.len() == segments.len()
                    && parts.iter().zip(&segments).all(|(t, s)| {
                        (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                    })
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

pub async fn not_matched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => {
            ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allow: methods.to_vec(),
            }
        }
        _ => ApiError::NotFound(text!(
            "no-route",
            method = req.method().to_string(),
            path = req.path()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segment_by_segment() {
        let table = RouteTable(vec![
            ("/api/v1/units".into(), vec!["GET".into(), "POST".into()]),
            ("/api/v1/units/{id}".into(), vec!["GET".into()]),
        ]);
        assert_eq!(table.allowed("/api/v1/units").unwrap().len(), 2);
        assert_eq!(
            table.allowed("/api/v1/units/abc").unwrap(),
            ["GET".to_string()]
        );
        assert!(table.allowed("/api/v1/units/abc/def").is_none());
        assert!(table.allowed("/api/v1/nothing").is_none());
    }
}
