//! Evidence (佐证材料) as the API shows it, and the upload form as the OpenAPI document
//! describes it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::utc;
use crate::db::models::EvidenceRow;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01934f2e-9c00-7a11-8b22-3c4d5e6f7a8b", "measure_id": "01934f2e-8a10-7c44-b1d2-5e6f7a8b9c0d",
    "file_name": "关于差旅费报销问题整改情况的报告.pdf", "media_type": "application/pdf", "size": 248331,
    "sha256": "9f2c0e4b5d7a8c1e3f6a9b2d4c7e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e",
    "description": "整改情况报告（盖章扫描件）", "effective_date": "2022-06-28",
    "uploaded_by": "li.zhk", "uploaded_at": "2022-06-29T03:12:00Z", "frozen": true,
    "frozen_at": "2022-06-30T01:00:00Z", "withdrawn_at": null, "withdrawn_by": null,
    "content_url": "/api/v1/evidence/01934f2e-9c00-7a11-8b22-3c4d5e6f7a8b/content"
}))]
pub struct Evidence {
    pub id: String,
    pub measure_id: String,
    /// The name the uploader gave the file; metadata only.
    pub file_name: String,
    /// What the content is, as sniffed from its bytes.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content, hex; also the download's `ETag`.
    pub sha256: String,
    pub description: Option<String>,
    /// When the thing it shows happened (not when it was uploaded).
    pub effective_date: Option<NaiveDate>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    /// Cited by a closure request: can no longer be withdrawn.
    pub frozen: bool,
    pub frozen_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    pub content_url: String,
}

impl From<EvidenceRow> for Evidence {
    fn from(r: EvidenceRow) -> Evidence {
        Evidence {
            content_url: format!("/api/v1/evidence/{}/content", r.id),
            frozen: r.frozen_at.is_some(),
            frozen_at: r.frozen_at.map(utc),
            withdrawn_at: r.deleted_at.map(utc),
            withdrawn_by: r.deleted_by,
            id: r.id,
            measure_id: r.measure_id,
            file_name: r.file_name,
            media_type: r.media_type,
            size: r.size,
            sha256: r.sha256,
            description: r.description,
            effective_date: r.effective_date,
            uploaded_by: r.uploaded_by,
            uploaded_at: utc(r.uploaded_at),
        }
    }
}

/// A measure's evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidenceList {
    pub items: Vec<Evidence>,
}

/// `multipart/form-data` fields of an upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file: PDF, image, Word/Excel/PowerPoint/ODF document, ZIP or MP4, judged by its
    /// content. At most `ZHENGGAI_MAX_UPLOAD_MB` (default 50 MB).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What it shows (up to 2000 characters).
    pub description: Option<String>,
    /// When the thing it shows happened, `YYYY-MM-DD`.
    pub effective_date: Option<NaiveDate>,
}
