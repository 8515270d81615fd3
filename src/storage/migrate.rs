//! `zhenggai storage migrate --to s3://…`: copies the evidence of a local directory into
//! object storage, verifying every SHA-256 on both sides. It can be stopped and run again:
//! what is already there (and hashes right) is skipped. The local files stay.

use std::path::Path;

use super::{hash_copy, valid_hash, Storage};

#[derive(Debug, Default)]
pub struct MigrateReport {
    pub copied: usize,
    pub already_there: usize,
    pub problems: Vec<String>,
}

/// Copies every file under `local`'s `sha256/` into `target`.
pub fn migrate(local: &Path, target: &Storage) -> Result<MigrateReport, String> {
    let mut report = MigrateReport::default();
    let root = local.join("sha256");
    let mut dirs: Vec<_> = match std::fs::read_dir(&root) {
        Ok(dirs) => dirs.flatten().map(|d| d.path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(format!("{}: {e}", root.display())),
    };
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .flatten()
            .map(|f| f.path())
            .collect();
        files.sort();
        for file in files {
            let sha = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if !valid_hash(&sha) {
                report
                    .problems
                    .push(format!("{}: not named by a SHA-256", file.display()));
                continue;
            }
            match copy_one(&file, &sha, target) {
                Ok(true) => report.copied += 1,
                Ok(false) => report.already_there += 1,
                Err(problem) => report.problems.push(format!("{sha}: {problem}")),
            }
        }
    }
    Ok(report)
}

/// Copies one file unless the target holds it already; `Ok(true)` when it was copied.
fn copy_one(file: &Path, sha: &str, target: &Storage) -> Result<bool, String> {
    let stored_hash = |target: &Storage| -> Result<Option<String>, String> {
        match target.read(sha, None).map_err(|e| e.to_string())? {
            None => Ok(None),
            Some(reader) => hash_copy(reader, std::io::sink())
                .map(|(hash, _)| Some(hash))
                .map_err(|e| e.to_string()),
        }
    };
    if stored_hash(target)?.as_deref() == Some(sha) {
        return Ok(false);
    }
    let source = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let mut upload = target.begin().map_err(|e| e.to_string())?;
    let mut reader = std::io::BufReader::new(source);
    let mut buf = vec![0; 256 * 1024];
    loop {
        let n = std::io::Read::read(&mut reader, &mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        upload.write(&buf[..n]).map_err(|e| e.to_string())?;
    }
    let done = upload.finish().map_err(|e| e.to_string())?;
    if done.sha256 != sha {
        let actual = done.sha256.clone();
        done.discard();
        return Err(format!(
            "the local file is altered (it hashes to {actual}); not copied"
        ));
    }
    target.commit(done).map_err(|e| e.to_string())?;
    match stored_hash(target)? {
        Some(hash) if hash == sha => Ok(true),
        Some(hash) => Err(format!("the copy in object storage hashes to {hash}")),
        None => Err("the copy is not in object storage after all".to_string()),
    }
}
