//! The ledger as files: `GET /ledger.xlsx`, `GET /ledger.csv` (streamed) and the import.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use uuid::Uuid;

use super::dto::ledger::{ImportQuery, ImportReport, LedgerQuery, LedgerUpload};
use super::evidence::{form_error, FORM_OVERHEAD};
use super::extract::Params;
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::forms::MeasureFilter;
use crate::db::repo::ledger::{unit_names, LineCtx};
use crate::documents::export::{self, FileFormat, Selection};
use crate::documents::sink;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::access;
use crate::text;

/// The ledger (整改台账) as an Excel workbook.
///
/// The columns offices use (序号, 问题编号 … 佐证材料数, then 措施编号), with the filters
/// and scoping of `GET /measures`: a unit sees its own measures. Header frozen, dates as
/// dates, drop-downs for 问题类别/整改类型/整改状态, overdue rows red and due-soon rows
/// yellow, and a second sheet of numbers by lead unit. Streamed: any size.
#[utoipa::path(tag = "ledger", operation_id = "export_ledger_xlsx", params(LedgerQuery), responses(
    (status = 200, description = "The workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
))]
#[get("/ledger.xlsx")]
pub async fn xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    stream(state, caller, q, FileFormat::Xlsx).await
}

/// The ledger (整改台账) as CSV.
///
/// UTF-8 with a byte-order mark so that Excel shows the Chinese text; the columns and
/// filters of `GET /ledger.xlsx`. A text cell starting with `=`, `+`, `-` or `@` gets a
/// leading `'` so that no spreadsheet runs it as a formula; import removes it.
#[utoipa::path(tag = "ledger", operation_id = "export_ledger_csv", params(LedgerQuery), responses(
    (status = 200, description = "The CSV file.", content_type = "text/csv", body = String),
))]
#[get("/ledger.csv")]
pub async fn csv(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    stream(state, caller, q, FileFormat::Csv).await
}

async fn stream(
    state: web::Data<AppState>,
    caller: Caller,
    q: LedgerQuery,
    format: FileFormat,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let today = state.today();
    let day = today.date;
    let tz = state.tz;
    let turn = state.exports.enter().await?;
    let units = state.units_under(q.unit_id, q.descendants).await?;
    let db = state.db.clone();
    let (directory, calendar) = (state.directory.clone(), state.calendar.clone());
    // Take the connection and read what the header needs first, so that a database
    // problem is still an error answer rather than a cut-off download.
    let (mut conn, selection, ctx) = web::block(move || {
        let org = directory.now()?;
        let mut conn = db.read()?;
        let print = q.print();
        let mut query: MeasureFilter = q.into();
        query.units = units;
        // A hidden inspection's title stays hidden: the sheet is then just 整改台账.
        let inspection = query.inspection_id.as_ref().and_then(|id| {
            access::inspection(&mut conn, &caller.actor(), id, Action::ReadInspections).ok()
        });
        let title = export::title(inspection.as_ref().map(|i| i.title.as_str()), today.date);
        let today_date = today.date;
        let ctx = LineCtx {
            today,
            tz,
            unit_names: unit_names(&mut conn)?,
            as_of: None,
        };
        let duties = crate::service::duties::of_ledger(
            &mut conn,
            &caller.actor(),
            query.inspection_id.as_deref(),
            query.units.as_deref(),
            today_date,
            &calendar,
            &org,
        )?;
        let selection = Selection {
            query,
            vis: caller.visibility(),
            title,
            duties,
            person_names: org.names(),
            print,
        };
        Ok::<_, ApiError>((conn, selection, ctx))
    })
    .await??;
    let body = sink::streamed(move |out| {
        let _turn = turn;
        export::export(&mut conn, format, &selection, &ctx, out)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    let name = format!("整改台账-{}.{}", day, format.extension());
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((header::CONTENT_DISPOSITION, attachment(&name)))
        .streaming(body))
}

/// `Content-Disposition` naming a download, with the UTF-8 name for browsers that read it
/// (RFC 6266) and an ASCII fallback.
pub fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Import a ledger sheet (整改台账) into an inspection.
///
/// `multipart/form-data` with a `file` field: an xlsx workbook (the sheet named 整改台账,
/// else the first with a ledger header) or CSV (UTF-8, or GB18030 as Excel saves it on
/// Chinese Windows). An .xls or .ods file is refused (415) with the advice to save it as
/// .xlsx: their readers lay out a whole sheet in memory. Columns are
/// matched by header in any order, below any title rows; only 问题编号, 问题描述, 整改措施,
/// 整改类型, 牵头单位 and 完成时限 (not for 长期坚持) are required. Units are matched by
/// name or code. Merged cells count for every row they span; blank rows are skipped.
///
/// **A dry run is the default**: nothing is written unless `dry_run=false`. Either way a
/// sheet with problems answers 422 with `sheet_errors`, one `{row, column, value,
/// message}` per bad cell, and nothing is written: the import is all or nothing.
/// Findings match by 问题编号, measures by 措施编号 (or their text), so importing the same
/// sheet again changes nothing. Admin and office.
#[utoipa::path(tag = "ledger", operation_id = "import_ledger",
    params(("id" = Uuid, Path, description = "Inspection id"), ImportQuery),
    request_body(content = LedgerUpload, content_type = "multipart/form-data"),
    responses(
    (status = 200, description = "What the import did (or, in a dry run, would do).", body = ImportReport),
    (status = 413, description = "The file, or the sheet in it, is larger than an import takes.", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not an xlsx workbook or CSV (an .xls or .ods file: save it as .xlsx).", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The sheet has problems, listed in `sheet_errors`; nothing was written.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/inspections/{id}/ledger/import")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Params(q): Params<ImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::WriteFinding)?;
    let max = state.storage.max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max + FORM_OVERHEAD) {
        return Err(too_large(max));
    }
    let inspection_id = id.into_inner().to_string();
    let (who, iid) = (caller.clone(), inspection_id.clone());
    read(&state, move |conn| {
        access::inspection(conn, &who.actor(), &iid, Action::WriteFinding).map(|_| ())
    })
    .await?;
    let bytes = receive(&req, payload, max).await?;
    let grid = web::block(move || crate::documents::read::grid(&bytes)).await??;
    let dry_run = q.dry_run.unwrap_or(true);
    let tz = state.tz;
    let report = write(&state, &caller, move |conn, ctx| {
        crate::documents::import::run(conn, &inspection_id, &grid, dry_run, ctx, tz)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

pub(super) fn too_large(max: u64) -> ApiError {
    ApiError::PayloadTooLarge(text!("upload-too-large", mb = max / (1024 * 1024)))
}

/// The form's one `file` field, in memory (a sheet is small; the size is capped).
pub(super) async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    max: u64,
) -> Result<Vec<u8>, ApiError> {
    let mut form = Multipart::new(req.headers(), payload);
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(form_error)?;
        match field.name().unwrap_or("") {
            "file" if file.is_none() => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    bytes.extend_from_slice(&chunk.map_err(form_error)?);
                    if bytes.len() as u64 > max {
                        return Err(too_large(max));
                    }
                }
                file = Some(bytes);
            }
            "file" => return Err(ApiError::field("file", text!("import-one-sheet"))),
            other => {
                return Err(ApiError::bad_request(text!(
                    "form-field-unknown",
                    field = other,
                    expected = "file"
                )))
            }
        }
    }
    match file {
        None => Err(ApiError::field("file", text!("file-required"))),
        Some(bytes) if bytes.is_empty() => Err(ApiError::field("file", text!("file-empty"))),
        Some(bytes) => Ok(bytes),
    }
}
