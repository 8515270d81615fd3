//! The ledger as files: `GET /ledger.xlsx`, `GET /ledger.csv` (streamed) and the import.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::access;
use super::dto::ledger::LedgerQuery;
use super::dto::measures::MeasureQuery;
use super::extract::Params;
use super::AppState;
use crate::auth::caller::Caller;
use crate::db::repo::ledger::{unit_names, LineCtx};
use crate::domain::permissions::Action;
use crate::error::ApiError;
use crate::ledger::export::{self, FileFormat, Selection};
use crate::ledger::sink::ChunkSender;

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
    let tz = state.tz;
    let db = state.db.clone();
    // Take the connection and read what the header needs first, so that a database
    // problem is still an error answer rather than a cut-off download.
    let (mut conn, selection, ctx) = web::block(move || {
        let mut conn = db.read()?;
        let query: MeasureQuery = q.into();
        // A hidden inspection's title stays hidden: the sheet is then just 整改台账.
        let inspection = query.inspection_id.and_then(|id| {
            access::inspection(&mut conn, &caller, &id.to_string(), Action::ReadInspections).ok()
        });
        let title = export::title(inspection.as_ref().map(|i| i.title.as_str()), today.date);
        let ctx = LineCtx {
            today,
            tz,
            unit_names: unit_names(&mut conn)?,
        };
        let selection = Selection {
            query,
            vis: caller.visibility(),
            title,
        };
        Ok::<_, ApiError>((conn, selection, ctx))
    })
    .await??;
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    actix_web::rt::task::spawn_blocking(move || {
        let mut sink = ChunkSender::new(tx);
        let result =
            export::export(&mut conn, format, &selection, &ctx, &mut sink).and_then(|_| {
                std::io::Write::flush(&mut sink).map_err(|e| ApiError::Internal(e.to_string()))
            });
        if let Err(e) = result {
            log::warn!("ledger export stopped: {e}");
            sink.fail(e.to_string());
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let name = format!("整改台账-{}.{}", today.date, format.extension());
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
