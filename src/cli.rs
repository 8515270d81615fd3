//! The command line: `zhenggai [serve|migrate|seed [FILE]|export|import FILE|backup DIR|restore DIR|check|openapi|token …|audit verify]`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::keys::TokenRequest;
use crate::auth::token::parse_ttl;
use crate::config::Config;
use crate::domain::permissions::Role;
use crate::{openapi, seed, startup};

#[derive(Parser)]
#[command(
    name = "zhenggai",
    version,
    about = "整改台账 — rectification tracker REST API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): migrates the database first.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Load seed data (default: the built-in demo ledger, dates shifted to today).
    Seed {
        /// A seed file in the format of seeds/demo.json.
        file: Option<std::path::PathBuf>,
        /// Instead: a synthetic ledger of N measures (for benchmarks), into an empty database.
        #[arg(long, value_name = "N", conflicts_with = "file")]
        synthetic: Option<usize>,
    },
    /// Write the ledger (整改台账) as xlsx or CSV, everything or one inspection.
    Export {
        #[arg(long, value_enum, default_value = "xlsx")]
        format: crate::documents::export::FileFormat,
        /// The file to write (default: standard output).
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
        /// Only this inspection (its code, e.g. XC-2022-03).
        #[arg(long)]
        inspection: Option<String>,
    },
    /// Import a ledger sheet (xlsx or CSV) into an inspection, all or nothing.
    Import {
        file: std::path::PathBuf,
        /// The inspection's code, e.g. XC-2022-03.
        #[arg(long)]
        inspection: String,
        /// Check the sheet and say what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Take a consistent backup of the running ledger into a new directory: every table,
    /// every evidence file, and a manifest of their SHA-256.
    Backup { dir: std::path::PathBuf },
    /// Restore a backup into an empty database and storage, verifying every hash and the
    /// audit chain before it commits.
    Restore { dir: std::path::PathBuf },
    /// Verify the ledger: the audit chain, every stored file, the derived columns, the
    /// dashboards' tallies; exit status 1 naming what is missing, altered or drifted.
    Check,
    /// Evidence storage.
    Storage {
        #[command(subcommand)]
        command: StorageCommand,
    },
    /// Print the OpenAPI document (JSON).
    Openapi,
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print a bearer token signed with the configured key, for development and scripts.
    Token {
        /// Who the token is for (the `sub` claim; recorded as author of their writes).
        #[arg(long)]
        sub: String,
        /// admin, office, unit, leader, supervisor or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The unit's code; required for the unit and leader roles.
        #[arg(long)]
        unit: Option<String>,
        /// A display name (the `name` claim).
        #[arg(long)]
        name: Option<String>,
        /// How long the token is valid: 30m, 8h, 7d…
        #[arg(long, default_value = "8h", value_parser = parse_ttl)]
        ttl: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain of every event; exit status 1 if it is broken.
    Verify,
}

#[derive(Subcommand)]
enum StorageCommand {
    /// Copy the local evidence (ZHENGGAI_STORAGE_DIR) into object storage, verifying
    /// every SHA-256; run it again to resume. Credentials as for ZHENGGAI_STORAGE_URL.
    Migrate {
        /// s3://bucket/prefix
        #[arg(long)]
        to: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            return Config::from_env()
                .map_err(|e| e.to_string())
                .and_then(|config| audit_verify(&config))
                .unwrap_or_else(|message| {
                    eprintln!("zhenggai: {message}");
                    ExitCode::FAILURE
                })
        }
        Command::Storage {
            command: StorageCommand::Migrate { to },
        } => {
            return Config::from_env()
                .map_err(|e| e.to_string())
                .and_then(|config| storage_migrate(&config, &to))
                .unwrap_or_else(|message| {
                    eprintln!("zhenggai: {message}");
                    ExitCode::FAILURE
                })
        }
        Command::Check => {
            return Config::from_env()
                .map_err(|e| e.to_string())
                .and_then(|config| check(&config))
                .unwrap_or_else(|message| {
                    eprintln!("zhenggai: {message}");
                    ExitCode::FAILURE
                })
        }
        Command::Backup { dir } => {
            Config::from_env()
                .map_err(|e| e.to_string())
                .and_then(|config| {
                    let (db, storage) = open_ledger(&config)?;
                    let m = crate::backup::backup(&db, &storage, &dir)?;
                    println!(
                        "backed up to {}: ledger version {}, {} evidence files",
                        dir.display(),
                        m.ledger_version,
                        m.files.len()
                    );
                    Ok(())
                })
        }
        Command::Restore { dir } => {
            Config::from_env()
                .map_err(|e| e.to_string())
                .and_then(|config| {
                    let (db, storage) = open_ledger(&config)?;
                    let m = crate::backup::restore(&db, &storage, &dir)?;
                    println!(
                    "restored {} into {}: ledger version {}, audit trail intact, {} evidence files",
                    dir.display(),
                    config.database_display(),
                    m.ledger_version,
                    m.files.len()
                );
                    Ok(())
                })
        }
        Command::Token {
            sub,
            role,
            unit,
            name,
            ttl,
        } => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(|config| {
                if sub.trim().is_empty() {
                    return Err("--sub must name someone".into());
                }
                if role.is_unit_scoped() && unit.is_none() {
                    return Err(format!("a {} token needs --unit CODE", role.as_str()));
                }
                let request = TokenRequest {
                    sub,
                    name,
                    role,
                    unit,
                    ttl_secs: ttl,
                };
                let token = config.jwt.issue(&request).map_err(|e| e.to_string())?;
                println!("{token}");
                Ok(())
            }),
        Command::Export {
            format,
            output,
            inspection,
        } => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(|config| {
                let done = crate::documents::commands::export_to(
                    &config,
                    format,
                    inspection.as_deref(),
                    output.as_deref(),
                )?;
                eprintln!("{done}");
                Ok(())
            }),
        Command::Import {
            file,
            inspection,
            dry_run,
        } => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(|config| {
                let done =
                    crate::documents::commands::import_file(&config, &file, &inspection, dry_run)?;
                println!("{done}");
                Ok(())
            }),
        Command::Openapi => {
            print!("{}", openapi::document_pretty());
            Ok(())
        }
        Command::Serve => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(serve),
        Command::Migrate => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(|config| {
                startup::open_database(&config).map_err(|e| e.to_string())?;
                println!("database {} is up to date", config.database_display());
                Ok(())
            }),
        Command::Seed {
            synthetic: Some(n), ..
        } => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(|config| {
                let db = startup::open_database(&config).map_err(|e| e.to_string())?;
                let today = crate::domain::deadline::today(chrono::Utc::now(), config.tz);
                let report = crate::synthetic::load(&db, n, today).map_err(|e| e.to_string())?;
                println!("{report}");
                Ok(())
            }),
        Command::Seed { file, .. } => {
            Config::from_env()
                .map_err(|e| e.to_string())
                .and_then(|config| {
                    let text = match &file {
                        Some(path) => std::fs::read_to_string(path)
                            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                        None => seed::DEMO.to_string(),
                    };
                    let db = startup::open_database(&config).map_err(|e| e.to_string())?;
                    let report = seed::load_text(&db, &text, config.tz, config.calendar()?.into())
                        .map_err(|e| e.to_string())?;
                    println!("{report}");
                    Ok(())
                })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zhenggai: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open_ledger(config: &Config) -> Result<(crate::db::Db, crate::storage::Storage), String> {
    let db = startup::open_database(config).map_err(|e| e.to_string())?;
    let storage = crate::storage::Storage::open_with(
        &config.storage_dir,
        config.storage_remote.as_ref(),
        u64::MAX,
    )
    .map_err(|e| format!("evidence storage: {e}"))?;
    Ok((db, storage))
}

fn storage_migrate(config: &Config, to: &str) -> Result<ExitCode, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let settings = crate::storage::S3Settings::from_env(to, var)?;
    let staging = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let target = crate::storage::Storage::open_with(staging.path(), Some(&settings), u64::MAX)
        .map_err(|e| format!("object storage: {e}"))?;
    let report = crate::storage::migrate(&config.storage_dir, &target)?;
    for problem in &report.problems {
        println!("{problem}");
    }
    println!(
        "{} → {}: {} copied and verified, {} already there, {}",
        config.storage_dir.display(),
        settings.url(),
        report.copied,
        report.already_there,
        if report.problems.is_empty() {
            "nothing missing".to_string()
        } else {
            format!("{} problem(s); run again once fixed", report.problems.len())
        }
    );
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check(config: &Config) -> Result<ExitCode, String> {
    let (db, storage) = open_ledger(config)?;
    let report = crate::backup::check(&db, &storage, &config.calendar()?)?;
    for problem in &report.problems {
        println!("{problem}");
    }
    println!(
        "checked {} events, {} evidence files, {} measures and the tallies: {}",
        report.events,
        report.files,
        report.measures,
        if report.problems.is_empty() {
            "intact".to_string()
        } else {
            format!("{} problem(s)", report.problems.len())
        }
    );
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn audit_verify(config: &Config) -> Result<ExitCode, String> {
    let db = startup::open_database(config).map_err(|e| e.to_string())?;
    let mut conn = db.read().map_err(|e| e.to_string())?;
    let report = crate::db::repo::events::verify(&mut conn).map_err(|e| e.to_string())?;
    match &report.first_broken {
        None => {
            println!("audit trail intact: {} events checked", report.events);
            Ok(ExitCode::SUCCESS)
        }
        Some(broken) => {
            println!(
                "audit trail BROKEN at event {} ({}): {}",
                broken.seq, broken.id, broken.reason
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn serve(config: Config) -> Result<(), String> {
    let verifier = config.jwt.verifier().map_err(|e| e.to_string())?;
    let db = startup::open_for_serving(&config).map_err(|e| e.to_string())?;
    actix_web::rt::System::new().block_on(async move {
        let (server, addr) = startup::build_server(&config, db, verifier)
            .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
        log::info!("database: {} ({})", config.database_display(), config.tz);
        println!("zhenggai is serving on http://{addr}");
        println!("  API docs (Swagger UI): http://{addr}/docs/");
        println!("  OpenAPI document:      http://{addr}/openapi.json");
        println!("  A token for curl:      cargo run --release -- token --sub me --role admin");
        server.await.map_err(|e| e.to_string())
    })
}
