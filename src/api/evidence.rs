//! Evidence (佐证材料) over HTTP: streamed multipart uploads, metadata, downloads, and
//! withdrawal of evidence no closure request cites. Permissions are those of the measure.

use actix_files::NamedFile;
use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use futures_util::StreamExt;
use uuid::Uuid;

use super::dto::evidence::{Evidence, EvidenceList, EvidenceUpload};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::models::EvidenceRow;
use crate::db::repo::{evidence, new_id};
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::{self, access};
use crate::storage::{clean_file_name, Storage, Upload, UploadError};
use crate::text;

/// Room for the multipart framing and the small text fields around the file.
pub const FORM_OVERHEAD: u64 = 64 * 1024;
/// Bytes gathered before they are written out (off the async threads): one buffer of this
/// size per upload in flight, reused for the whole file, so sixteen uploads at once hold
/// about 2 MB however large their files are.
const WRITE_BATCH: usize = 128 * 1024;

fn too_large(storage: &Storage) -> ApiError {
    ApiError::PayloadTooLarge(text!(
        "upload-too-large",
        mb = storage.max_bytes / (1024 * 1024)
    ))
}

pub fn form_error(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => {
            ApiError::UnsupportedMediaType(text!("upload-not-multipart"))
        }
        other => ApiError::bad_request(text!("multipart-malformed", cause = other.to_string())),
    }
}

async fn read_text(field: &mut Field, name: &str, max_chars: usize) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        bytes.extend_from_slice(&chunk.map_err(form_error)?);
        if bytes.len() > max_chars * 4 {
            return Err(ApiError::field(name, text!("length-max", max = max_chars)));
        }
    }
    let text = String::from_utf8(bytes).map_err(|_| ApiError::field(name, text!("not-utf8")))?;
    if text.contains('\0') {
        return Err(ApiError::field(name, text!("nul-char")));
    }
    if text.chars().count() > max_chars {
        return Err(ApiError::field(name, text!("length-max", max = max_chars)));
    }
    Ok(text.trim().to_string())
}

/// Writes `batch` out and hands it back empty, for the next bytes.
async fn write_batch(file: Upload, batch: Vec<u8>) -> Result<(Upload, Vec<u8>), ApiError> {
    web::block(move || {
        let (mut file, mut batch) = (file, batch);
        file.write(&batch)?;
        batch.clear();
        Ok((file, batch))
    })
    .await?
    .map_err(|e| match e {
        UploadError::TooLarge(_) => ApiError::PayloadTooLarge(text!("upload-too-large-short")),
        UploadError::Io(e) => storage_error(e),
    })
}

/// A full disk or an unreachable object store is the server's condition, not a bug: 507 or
/// 503 with `Retry-After`, and the log says what happened.
fn storage_error(e: std::io::Error) -> ApiError {
    if e.kind() == std::io::ErrorKind::StorageFull {
        ApiError::InsufficientStorage(text!("upload-disk-full"))
    } else {
        log::error!("evidence storage: {e}");
        ApiError::Unavailable(text!("storage-unavailable"))
    }
}

/// Streams the `file` field to disk; never holds it whole in memory.
async fn receive_file(
    storage: &Storage,
    field: &mut Field,
) -> Result<crate::storage::Finished, ApiError> {
    let mut partial = storage
        .begin()
        .map_err(|e| ApiError::Internal(format!("evidence storage: {e}")))?;
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    let mut received: u64 = 0;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(form_error)?;
        received += chunk.len() as u64;
        if received > storage.max_bytes {
            return Err(too_large(storage));
        }
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            let take = (WRITE_BATCH - batch.len()).min(rest.len());
            batch.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if batch.len() == WRITE_BATCH {
                (partial, batch) = write_batch(partial, batch).await?;
            }
        }
    }
    let (complete, _) = write_batch(partial, batch).await?;
    web::block(move || complete.finish())
        .await?
        .map_err(|e| ApiError::Internal(format!("evidence storage: {e}")))
}

/// Upload evidence (佐证材料) for a measure.
///
/// `multipart/form-data` with a `file` field and optional `description` and
/// `effective_date`. The type is judged from the content (PDF, images, Office/ODF
/// documents, ZIP, MP4), never from the client's header or file name; the file name is kept
/// as metadata only. Too large a file is refused with 413 as soon as that is known. The
/// staff of the lead unit, of a supporting unit or of the finding's responsible unit, or
/// the office, until the measure is closed.
#[utoipa::path(tag = "evidence", operation_id = "upload_evidence",
    params(("id" = Uuid, Path, description = "Measure id")),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses(
    (status = 201, description = "Stored.", body = Evidence,
        headers(("Location" = String, description = "The evidence's URL"))),
    (status = 409, description = "The measure is closed.", body = Problem, content_type = "application/problem+json"),
    (status = 507, description = "The evidence disk is (nearly) full: below `ZHENGGAI_MIN_FREE_MB`. Nothing was kept.", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u32, description = "Seconds to wait"))),
    (status = 503, description = "Too many uploads are being received or waiting already (`ZHENGGAI_UPLOADS_AT_ONCE`, `ZHENGGAI_UPLOADS_QUEUE`), or the database is unavailable. Nothing was kept.", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u32, description = "Seconds to wait"))),
))]
#[post("/measures/{id}/evidence")]
pub async fn upload(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::UploadEvidence)?;
    let storage = state.storage.clone();
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > storage.max_bytes + FORM_OVERHEAD) {
        return Err(too_large(&storage));
    }
    let measure_id = id.into_inner().to_string();
    // Who and what first: nothing is read from a caller who may not upload here.
    let (who, mid) = (caller.clone(), measure_id.clone());
    read(&state, move |conn| {
        service::evidence::may_upload(conn, &who.actor(), &mid).map(|_| ())
    })
    .await?;
    if state
        .storage
        .free_bytes()
        .is_some_and(|free| free < state.min_free_bytes + declared.unwrap_or(0))
    {
        return Err(ApiError::InsufficientStorage(text!(
            "upload-disk-nearly-full"
        )));
    }

    // A turn before the body is read: uploads past the few at once wait with their bytes
    // still in the network's buffers.
    let _turn = state.uploads.enter().await?;
    let mut form = Multipart::new(req.headers(), payload);
    let mut file = None;
    let mut file_name = String::new();
    let mut description = None;
    let mut effective_date = None;
    let result: Result<(), ApiError> = async {
        while let Some(field) = form.next().await {
            let mut field = field.map_err(form_error)?;
            match field.name().unwrap_or("") {
                "file" if file.is_none() => {
                    file_name =
                        clean_file_name(field.content_disposition().and_then(|d| d.get_filename()));
                    file = Some(receive_file(&storage, &mut field).await?);
                }
                "file" => return Err(ApiError::field("file", text!("upload-one-file"))),
                "description" => {
                    let text = read_text(&mut field, "description", 2000).await?;
                    description = (!text.is_empty()).then_some(text);
                }
                "effective_date" => {
                    let text = read_text(&mut field, "effective_date", 10).await?;
                    effective_date = Some(
                        text.parse::<NaiveDate>()
                            .map_err(|_| ApiError::field("effective_date", text!("date-like")))?,
                    );
                }
                other => {
                    return Err(ApiError::BadRequest {
                        detail: text!(
                            "form-field-unknown",
                            field = other,
                            expected = "file, description, effective_date"
                        ),
                        errors: vec![],
                    })
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        if let Some(done) = file {
            done.discard();
        }
        return Err(e);
    }
    let Some(done) = file else {
        return Err(ApiError::field("file", text!("file-required")));
    };
    if done.size == 0 {
        done.discard();
        return Err(ApiError::field("file", text!("file-empty")));
    }
    let Some(media_type) = done.media_type else {
        done.discard();
        return Err(ApiError::UnsupportedMediaType(text!("upload-kind")));
    };
    let row = EvidenceRow {
        id: new_id(),
        measure_id: measure_id.clone(),
        sha256: done.sha256.clone(),
        size: done.size as i64,
        media_type: media_type.to_string(),
        file_name,
        description,
        effective_date,
        uploaded_by: caller.sub.clone(),
        uploaded_at: chrono::Utc::now().naive_utc(),
        frozen_at: None,
        deleted_at: None,
        deleted_by: None,
    };
    let keep = storage.clone();
    web::block(move || keep.commit(done))
        .await?
        .map_err(storage_error)?;
    let row = write(&state, &caller, move |conn, ctx| {
        service::evidence::create(conn, ctx, row)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/evidence/{}", row.id)))
        .json(Evidence::from(row)))
}

/// List a measure's evidence.
#[utoipa::path(tag = "evidence", operation_id = "list_evidence",
    params(("id" = Uuid, Path, description = "Measure id"),
           ("include_withdrawn" = Option<bool>, Query, description = "Also list withdrawn files")),
    responses((status = 200, description = "Oldest first.", body = EvidenceList)))]
#[get("/measures/{id}/evidence")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: super::extract::Params<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let measure_id = id.into_inner().to_string();
    let all = query.0.include_withdrawn.unwrap_or(false);
    let rows = read(&state, move |conn| {
        access::measure(conn, &caller.actor(), &measure_id, Action::ReadMeasures)?;
        evidence::of_measure(conn, &measure_id, all)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvidenceList {
        items: rows.into_iter().map(Evidence::from).collect(),
    }))
}

#[derive(Debug, serde::Deserialize, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub include_withdrawn: Option<bool>,
}

/// Get evidence metadata.
#[utoipa::path(tag = "evidence", operation_id = "get_evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The metadata.", body = Evidence)))]
#[get("/evidence/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = read(&state, move |conn| {
        service::evidence::visible(conn, &caller.actor(), &id, Action::ReadMeasures)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Evidence::from(row)))
}

/// Download evidence.
///
/// The bytes as uploaded, with their sniffed type, length, `Content-Disposition` (the
/// original file name, UTF-8) and the SHA-256 as `ETag`; ranges are supported.
#[utoipa::path(tag = "evidence", operation_id = "download_evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The file, with the media type it was judged to be.", content_type = "*/*",
        headers(("ETag" = String, description = "The content's SHA-256"),
                ("Content-Disposition" = String, description = "attachment; the original file name"))),
        (status = 206, description = "The one byte range asked for with `Range`.", content_type = "*/*",
        headers(("Content-Range" = String, description = "bytes first-last/size"))),
        (status = 410, description = "The evidence was withdrawn: its record stays, the file is not served.", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file.", body = Problem, content_type = "application/problem+json",
        headers(("Content-Range" = String, description = "bytes */size"))),
        (status = 503, description = "The evidence storage cannot be reached just now.", body = Problem, content_type = "application/problem+json")))]
#[get("/evidence/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = read(&state, move |conn| {
        service::evidence::visible(conn, &caller.actor(), &id, Action::ReadMeasures)
    })
    .await?;
    if row.deleted_at.is_some() {
        // The record and its hash stay for the audit trail; the file is no longer handed out.
        return Err(ApiError::Gone(text!("evidence-withdrawn")));
    }
    let tag = format!("\"{}\"", row.sha256);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    let media_type: mime::Mime = row
        .media_type
        .parse()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let ascii: String = row
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: row.file_name.clone().into_bytes(),
            }),
        ],
    };
    let mut res = match state.storage.path_of(&row.sha256) {
        Some(path) => NamedFile::open_async(&path)
            .await
            .map_err(|e| ApiError::Internal(format!("evidence file {}: {e}", path.display())))?
            .set_content_type(media_type)
            .set_content_disposition(disposition)
            .use_etag(false)
            .use_last_modified(false)
            .into_response(&req),
        None => remote_content(&state.storage, &row, &req, media_type, disposition).await?,
    };
    res.headers_mut().insert(
        header::ETAG,
        header::HeaderValue::from_str(&tag).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

/// Streams a file from object storage: the whole, or the one range asked for (206).
async fn remote_content(
    storage: &Storage,
    row: &EvidenceRow,
    req: &HttpRequest,
    media_type: mime::Mime,
    disposition: ContentDisposition,
) -> Result<HttpResponse, ApiError> {
    let size = row.size as u64;
    let range = match req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    {
        None => None,
        Some(asked) => match actix_files::HttpRange::parse(asked, size) {
            Ok(ranges) if !ranges.is_empty() => {
                Some(ranges[0].start..ranges[0].start + ranges[0].length)
            }
            _ => return Err(ApiError::RangeNotSatisfiable(size)),
        },
    };
    let (keep, sha, wanted) = (storage.clone(), row.sha256.clone(), range.clone());
    let reader = web::block(move || keep.read(&sha, wanted))
        .await?
        .map_err(storage_error)?
        .ok_or_else(|| ApiError::Internal(format!("evidence {}: its file is missing", row.id)))?;
    let mut res = match &range {
        Some(r) => {
            let mut res = HttpResponse::PartialContent();
            res.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", r.start, r.end - 1),
            ));
            res
        }
        None => HttpResponse::Ok(),
    };
    let length = range.map_or(size, |r| r.end - r.start);
    Ok(res
        .content_type(media_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .no_chunking(length)
        .streaming(stream_reader(reader)))
}

/// The bytes of a blocking reader as a body, 256 KiB at a time read on a blocking thread.
fn stream_reader(
    reader: crate::storage::Reader,
) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> {
    futures_util::stream::unfold(Some(reader), |reader| async move {
        let mut reader = reader?;
        let chunk = web::block(move || {
            let mut buf = vec![0; 256 * 1024];
            let n = std::io::Read::read(&mut reader, &mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((reader, buf))
        })
        .await;
        match chunk {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((reader, buf))) => Some((Ok(web::Bytes::from(buf)), Some(reader))),
            Ok(Err(e)) => {
                log::error!("evidence storage: {e}");
                Some((Err(actix_web::error::ErrorServiceUnavailable(e)), None))
            }
            Err(e) => Some((Err(e.into()), None)),
        }
    })
}

/// Withdraw evidence.
///
/// Only evidence that no closure request cites (409 otherwise); the record and the file
/// stay, marked withdrawn. The staff of the lead unit or of the finding's responsible unit
/// (not a supporting unit), or the office.
#[utoipa::path(tag = "evidence", operation_id = "withdraw_evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 204, description = "Withdrawn."),
        (status = 409, description = "Frozen: cited by a closure request.", body = Problem, content_type = "application/problem+json")))]
#[delete("/evidence/{id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::WithdrawEvidence)?;
    let id = id.into_inner().to_string();
    write(&state, &caller, move |conn, ctx| {
        service::evidence::withdraw(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
