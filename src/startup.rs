//! Opening the database and wiring the HTTP server; shared by `main` and the tests.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_service::ServiceFactoryExt;
use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, Logger};
use actix_web::{web, App, HttpResponse};
use chrono::Datelike;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::fallback::{not_matched, RouteTable};
use crate::api::{extract, AppState};
use crate::auth::middleware::Authenticator;
use crate::auth::token::Verifier;
use crate::config::Config;
use crate::db::pool::OpenError;
use crate::db::Db;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::openapi;
use crate::storage::Storage;

/// Opens the database named by the config and brings its schema up to date, for the
/// command line: no time limit stops a long check, backup or restore.
pub fn open_database(config: &Config) -> Result<Db, OpenError> {
    Db::open_migrated(&config.database_url, config.pool_size)
}

/// The same for the server: reads run within `ZHENGGAI_QUERY_TIMEOUT_MS`.
pub fn open_for_serving(config: &Config) -> Result<Db, OpenError> {
    let db =
        Db::open_migrated_limited(&config.database_url, config.pool_size, config.query_timeout)?;
    match &config.replica {
        Some(replica) => db.with_replica(replica, config.pool_size),
        None => Ok(db),
    }
}

/// The served OpenAPI document, rendered once.
struct Spec(String);

async fn serve_spec(spec: web::Data<Spec>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}

/// Binds the listener (port 0 picks a free one) and returns the server, not yet awaited.
/// Tokens are checked with `verifier` (see `Config::jwt`).
pub fn build_server(
    config: &Config,
    db: Db,
    verifier: Verifier,
) -> std::io::Result<(Server, SocketAddr)> {
    let calendar = config.calendar().map_err(std::io::Error::other)?;
    let this_year = chrono::Utc::now().with_timezone(&config.tz).year();
    if !calendar.covers(this_year) {
        log::warn!(
            "no holiday calendar for {this_year}: deadlines count weekends only \
             (add {this_year}.json to ZHENGGAI_CALENDAR_DIR)"
        );
    }
    let ledger = {
        let mut conn = db
            .read()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let versions = crate::db::repo::events::versions(&mut conn)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        crate::api::polling::LedgerVersion::new(versions)
    };
    // Writes by other instances (PostgreSQL) or by `zhenggai seed` beside a running server.
    // On PostgreSQL, other instances' commits are heard at once (LISTEN/NOTIFY); the poll
    // is the fallback while that connection is down.
    ledger.listen(db.clone());
    ledger.follow(db.clone(), std::time::Duration::from_secs(1));
    let data_key = std::sync::Arc::new(
        crate::sealed::DataKey::load_or_create(&config.data_key_file)
            .map_err(std::io::Error::other)?,
    );
    seal_stored_secrets(&db, &data_key).map_err(std::io::Error::other)?;
    let directory = std::sync::Arc::new(crate::service::directory::Directory::new(
        db.clone(),
        ledger.clone(),
    ));
    let state = web::Data::new(AppState {
        calendar: std::sync::Arc::new(calendar),
        yellow_days: config.yellow_days,
        remind_after_days: config.remind_after_days,
        ledger,
        cache: Default::default(),
        exports: std::sync::Arc::new(crate::api::gate::Gate::new(crate::api::gate::GateSize {
            at_once: crate::api::EXPORTS_AT_ONCE,
            queue: config.expensive.queue,
        })),
        expensive: std::sync::Arc::new(crate::api::gate::Gate::new(config.expensive)),
        uploads: std::sync::Arc::new(
            crate::api::gate::Gate::new(config.uploads).saying(|| crate::text!("uploads-busy")),
        ),
        // PostgreSQL flushes concurrent commits together itself (and writes in parallel).
        group_commit: match db.backend {
            crate::db::Backend::Sqlite => {
                Some(crate::db::group_commit::GroupCommit::start(db.clone())?)
            }
            crate::db::Backend::Postgres => None,
        },
        webhook_allow: config.webhook_allow.clone(),
        min_free_bytes: config.min_free_mb * 1024 * 1024,
        data_key: data_key.clone(),
        database_dir: config.sqlite_dir(),
        alive: Default::default(),
        auth: std::sync::Arc::new(Authenticator::new(verifier, directory.clone())),
        directory,
        db,
        tz: config.tz,
        storage: std::sync::Arc::new(Storage::open_with(
            &config.storage_dir,
            config.storage_remote.as_ref(),
            config.max_upload_bytes,
        )?),
    });
    let document = openapi::document();
    let table = web::Data::new(RouteTable(openapi::route_table(&document)));
    let spec = web::Data::new(Spec(document.to_string()));
    {
        let (tz, calendar, yellow) = (config.tz, state.calendar.clone(), config.yellow_days);
        let today = move || {
            crate::domain::deadline::Today::new(
                crate::domain::deadline::today(chrono::Utc::now(), tz),
                calendar.clone(),
                yellow,
            )
        };
        crate::background::start_scanner(
            state.db.clone(),
            std::time::Duration::from_secs(u64::from(config.scan_interval_secs)),
            today,
            state.calendar.clone(),
            &state.alive,
        );
        if let Some(schedule) = &config.backups {
            crate::background::start_backups(
                state.db.clone(),
                state.storage.clone(),
                schedule.clone(),
                &state.alive,
            );
        }
        crate::background::start_deliverer(
            state.db.clone(),
            config.webhook_allow.clone(),
            state.data_key.clone(),
            &state.alive,
        );
        crate::background::start_sweeper(state.db.clone(), &state.alive);
    }
    let registry = prometheus::Registry::new();
    let gauges = web::Data::new(
        crate::api::metrics::Gauges::new(registry.clone()).map_err(std::io::Error::other)?,
    );
    if let Some(committer) = &state.group_commit {
        for counter in [&committer.batches, &committer.batched] {
            registry
                .register(Box::new(counter.clone()))
                .map_err(std::io::Error::other)?;
        }
    }
    let request_metrics = actix_web_prom::PrometheusMetricsBuilder::new("zhenggai")
        .registry(registry)
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(&config.bind)?;
    let addr = listener.local_addr()?;
    let lang = config.lang;
    let cors_origins = config.cors_origins.clone();
    let limits = crate::api::rate_limit::Limits::new(config.rate_limit);
    let app = move || {
        App::new()
            .into_utoipa_app()
            .app_data(state.clone())
            .app_data(web::Data::from(state.auth.clone()))
            .app_data(gauges.clone())
            .app_data(web::PathConfig::default().error_handler(extract::path_error))
            .configure(crate::api::routes)
            .into_app()
            .app_data(table.clone())
            .app_data(spec.clone())
            .route("/openapi.json", web::get().to(serve_spec))
            .route(
                "/docs",
                web::get().to(|| async { web::Redirect::to("/docs/") }),
            )
            .service(
                SwaggerUi::new("/docs/{_:.*}").config(
                    // No document sent to an outside validator from an intranet host,
                    // and the token kept across reloads.
                    utoipa_swagger_ui::Config::from("/openapi.json")
                        .validator_url("none")
                        .persist_authorization(true),
                ),
            )
            .default_service(web::to(not_matched))
            // Inside CORS, so that a page can read a 429's Retry-After.
            .wrap(actix_web::middleware::from_fn({
                let limits = limits.clone();
                move |req, next| crate::api::rate_limit::limit(limits.clone(), req, next)
            }))
            .wrap(actix_web::middleware::Condition::new(
                !cors_origins.is_empty(),
                crate::api::cors::cors(&cors_origins),
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::api::cors::preflight_no_content,
            ))
            .wrap(ErrorHandlers::new().default_handler(as_problem))
            .wrap(request_metrics.clone())
            .wrap(Logger::new(r#"%a "%r" %s %b %Dms id=%{x-request-id}o"#))
            .wrap(actix_web::middleware::from_fn(crate::api::request_id::tag))
            .wrap(actix_web::middleware::from_fn(crate::api::head::as_get))
            .wrap(actix_web::middleware::from_fn(move |req, next| {
                crate::api::language::negotiate(lang, req, next)
            }))
    };
    // What actix-web's HttpServer assembles, with each connection passing through
    // `connection::Connection` first. The timeouts are its defaults, stated: a client has
    // 5 s to send a request head (else 408 and the connection closes), an idle
    // keep-alive connection closes after 5 s, and a closing one gets 1 s to go. A client
    // that closes its side has gone: its request is dropped, which stops its read (HTTP
    // clients do not half-close a connection they still want an answer on).
    let mut builder = actix_server::Server::build();
    if let Some(workers) = config.workers {
        builder = builder.workers(workers);
    }
    let server = builder
        .listen("zhenggai", listener, move || {
            let http = actix_http::HttpService::build()
                .keep_alive(Duration::from_secs(5))
                .client_request_timeout(Duration::from_secs(5))
                .client_disconnect_timeout(Duration::from_secs(1))
                .h1_allow_half_closed(false)
                .local_addr(addr)
                .h1(actix_service::map_config(app(), |_| {
                    actix_web::dev::AppConfig::default()
                }));
            actix_service::fn_service(|io: actix_rt::net::TcpStream| async move {
                let peer = io.peer_addr().ok();
                Ok::<_, actix_http::error::DispatchError>((
                    crate::connection::Connection::new(io),
                    peer,
                ))
            })
            .and_then(http)
        })?
        .run();
    Ok((server, addr))
}

/// Webhook secrets stored before sealing began are sealed now, once.
fn seal_stored_secrets(db: &Db, key: &crate::sealed::DataKey) -> Result<(), String> {
    let mut conn = db.write().map_err(|e| e.to_string())?;
    for hook in crate::db::repo::webhooks::all(&mut conn).map_err(|e| e.to_string())? {
        if !crate::sealed::DataKey::is_sealed(&hook.secret) {
            let sealed = key.seal(&hook.secret)?;
            crate::db::repo::webhooks::set_secret(&mut conn, &hook.id, &sealed)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Errors raised inside actix itself (not by our handlers) leave as problem+json too.
fn as_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = match status.as_u16() {
        404 => ApiError::NotFound(crate::text!("not-found")),
        413 => ApiError::PayloadTooLarge(crate::text!("body-too-large-short")),
        415 => ApiError::UnsupportedMediaType(crate::text!("media-type-unsupported")),
        s if s >= 500 => ApiError::Internal(format!("unhandled {status}")),
        _ => ApiError::bad_request(crate::text!("bad-request")),
    };
    let lang = crate::i18n::current();
    let mut problem = error.problem(lang);
    problem.status = status.as_u16();
    problem.title = crate::error::title(status, lang);
    let problem = HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .insert_header((header::VARY, "Accept-Language"))
        .body(serde_json::to_string(&problem).unwrap_or_default());
    let (req, _) = res.into_parts();
    let res = ServiceResponse::new(req, problem.map_body(|_, b| BoxBody::new(b)))
        .map_into_boxed_body()
        .map_body(|_, b| EitherBody::<B, BoxBody>::right(b));
    Ok(ErrorHandlerResponse::Response(res))
}
